import ArgumentParser
import Foundation
import GPZData
import GPZTensor
import GPZTraining

/// `gpz demo`: trains a narrow cnn4 on Fashion-MNIST (the data Debian ships) and reports its test accuracy.
///
/// It runs the same training path as `gpz train` — Debian's IDX files → the target's training role (the
/// attacker's 20 % held out) → a split-point model → Adam with cross-entropy → evaluation on the private (test)
/// split — into a temporary checkpoint directory that is removed afterwards. Until `gpz scan` exists, this is the
/// demo the README's first command runs.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a small cnn4 on Fashion-MNIST for one epoch and print its test accuracy."
    )

    @Option(help: "Training epochs.")
    var epochs = 1

    @Option(help: "cnn4 first-block width (the paper's ndf is 64; the demo uses a narrow model).")
    var width = 16

    @Option(help: "Random seed (data split, shuffling, initialisation).")
    var seed: UInt64 = 0

    @Flag(help: "Print one JSON object with the result.")
    var json = false

    struct Result: Codable {
        var dataset: String
        var model: String
        var epochs: Int
        var train_images: Int
        var test_images: Int
        var test_accuracy: Double
        var train_loss: Double
        var seconds: Double
    }

    func run() throws {
        try reportingErrors {
            let started = Date()
            let config = TrainingConfig(architecture: "cnn4", dataset: "fashion-mnist", epochs: epochs, seed: seed,
                                        flipProbability: 0, cnn4Width: width)
            let trainer = try TargetTrainer(config: config, dataset: try Catalog.load(config.dataset))
            note("demo: cnn4 (width \(width)) on \(config.dataset): \(trainer.roles.train.count) training images "
                 + "(\(trainer.roles.aux.count) held out for the attacker), \(trainer.roles.privateSet.count) test "
                 + "images, \(Runtime.threads) threads")
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("gpz-demo-\(ProcessInfo.processInfo.processIdentifier)")
            defer { try? FileManager.default.removeItem(at: directory) }
            let info = try trainer.run(directory: directory, resume: false, onBatch: ProgressBar.epochs())
            let result = Result(dataset: config.dataset, model: "cnn4 width \(width)", epochs: info.epoch,
                                train_images: trainer.roles.train.count, test_images: trainer.roles.privateSet.count,
                                test_accuracy: info.testAccuracy, train_loss: info.history.last?.trainLoss ?? .nan,
                                seconds: Date().timeIntervalSince(started))
            if json {
                print(try jsonLine(result))
            } else {
                print(String(format: "test accuracy %.2f %% after %d epoch(s) (train loss %.4f, %.0f s)",
                             100 * result.test_accuracy, result.epochs, result.train_loss, result.seconds))
            }
        }
    }
}
