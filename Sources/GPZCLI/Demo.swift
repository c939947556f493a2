import ArgumentParser
import Foundation
import GPZData
import GPZModels
import GPZNN
import GPZOptim
import GPZTensor

/// `gpz demo`: trains a narrow cnn4 on Fashion-MNIST (the data Debian ships) and reports its test accuracy.
///
/// It exercises the whole stack the later study stands on: Debian's IDX files → the target's training role
/// (the attacker's 20 % held out) → a split-point model → Adam with cross-entropy → evaluation on the private
/// (test) split. Until `gpz scan` exists, this is the demo the README's first command runs.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a small cnn4 on Fashion-MNIST for one epoch and print its test accuracy."
    )

    @Option(help: "Training epochs.")
    var epochs = 1

    @Option(help: "cnn4 first-block width (the paper's ndf is 64; the demo uses a narrow model).")
    var width = 16

    @Option(help: "Batch size.")
    var batch = 128

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
        try reportingDataErrors {
            let started = Date()
            try Runtime.manualSeed(seed)
            let dataset = try Catalog.load("fashion-mnist")
            let roles = try Roles.make(dataset, plan: SplitPlan(seed: seed))
            let config = ModelConfig(architecture: .cnn4, channels: dataset.channels, imageSize: dataset.height,
                                     classes: dataset.classes, options: ModelOptions(cnn4Width: width))
            let model = try ModelFactory.make(config)
            let normalization = Normalization.standard(channels: dataset.channels)
            log("demo: cnn4 (width \(width), \(model.parameterCount) parameters) on \(dataset.name): "
                + "\(roles.train.count) training images (\(roles.aux.count) held out for the attacker), "
                + "\(roles.privateSet.count) test images, \(Runtime.threads) threads")

            let optimizer = try Adam(parameters: model.parameters(), lr: 1e-3)
            let loader = BatchLoader(roles.train.images, batchSize: batch, shuffle: true, seed: seed)
            var lastLoss = Double.nan
            for epoch in 0..<epochs {
                model.train()
                let batches = loader.epoch(epoch)
                let progress = ProgressBar("epoch \(epoch + 1)/\(epochs)", total: batches.count, unit: "batches")
                var done = 0, lossSum = 0.0
                while let b = try batches.next() {
                    try optimizer.zeroGrad()
                    let loss = try Loss.crossEntropy(try model(try normalization.apply(b.images)), labels: b.labels)
                    try loss.backward()
                    try optimizer.step()
                    done += 1
                    lossSum += try loss.item()
                    progress.update(done, [("loss", lossSum / Double(done))])
                }
                lastLoss = lossSum / Double(Swift.max(done, 1))
            }
            let accuracy = try Self.accuracy(of: model, on: roles.privateSet.images, normalization: normalization)
            let result = Result(dataset: dataset.name, model: "cnn4 width \(width)", epochs: epochs,
                                train_images: roles.train.count, test_images: roles.privateSet.count,
                                test_accuracy: accuracy, train_loss: lastLoss,
                                seconds: Date().timeIntervalSince(started))
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                print(String(decoding: try encoder.encode(result), as: UTF8.self))
            } else {
                print(String(format: "test accuracy %.2f %% after %d epoch(s) (train loss %.4f, %.0f s)",
                             100 * accuracy, epochs, lastLoss, result.seconds))
            }
        }
    }

    /// Fraction of `set` classified correctly, in evaluation mode without gradients.
    static func accuracy(of model: any Module, on set: ImageSet, normalization: Normalization) throws -> Double {
        model.eval()
        defer { model.train() }
        let loader = BatchLoader(set, batchSize: 500, shuffle: false)
        let batches = loader.epoch(0)
        var correct = 0
        try withNoGrad {
            while let b = try batches.next() {
                let predicted = try model(try normalization.apply(b.images)).argmax(dim: 1)
                correct += try predicted.eq(b.labels).to(.int64).sum().toInts()[0]
            }
        }
        return Double(correct) / Double(Swift.max(set.count, 1))
    }

    private func log(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
