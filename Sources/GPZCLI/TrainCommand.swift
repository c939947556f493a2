import ArgumentParser
import Foundation
import GPZData
import GPZTraining

/// `gpz train`: trains a target model with one-hot or smoothed labels into a resumable checkpoint directory.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a target model (one-hot, LS+ or LS− labels) into a checkpoint directory.",
        discussion: """
        The attacker's share of the training split (--aux, default sub:0.2) is held out from training. After every
        epoch the model is evaluated on the test split and DIR gets the epoch's weights and optimiser state, and
        checkpoint.json (configuration, data-split hashes, accuracy per epoch, the last and best weight files).
        --resume continues an interrupted run exactly. Bad input exits with status 2, internal failures with 1.
        """
    )

    @OptionGroup var training: TrainingOptions

    @Option(help: "Label targets: onehot, ls:0.3 (LS+), ls:-0.05 (LS−).")
    var labels = TrainingOptions.defaults.labels

    @Option(help: "Checkpoint directory.")
    var out: String

    @Flag(help: "Continue the checkpoint in --out.")
    var resume = false

    @Flag(help: "Print one JSON object (test_accuracy, epochs, checkpoint) at the end.")
    var json = false

    struct Summary: Codable {
        var test_accuracy: Double
        var best_accuracy: Double
        var best_epoch: Int
        var epochs: Int
        var checkpoint: String
        var config_hash: String
    }

    @OptionGroup var deviceOption: DeviceOption

    func run() throws {
        try reportingErrors {
            try deviceOption.apply()
            let config = try training.config(labels: labels)
            let trainer = try TargetTrainer(config: config, dataset: try Catalog.load(config.dataset))
            let directory = URL(fileURLWithPath: out)
            note("train: \(config.architecture) on \(config.dataset) \(trainer.modelConfig.inputShape), labels \(trainer.labels), "
                 + "\(trainer.roles.train.count) training / \(trainer.roles.privateSet.count) test images, "
                 + "\(trainer.roles.aux.count) held out for the attacker → \(directory.path)")
            let info = try trainer.run(directory: directory, resume: resume, onBatch: ProgressBar.epochs(),
                                       afterEpoch: { record, _ in
                note(String(format: "epoch %d: train loss %.4f, test accuracy %.2f %%", record.epoch, record.trainLoss,
                            100 * record.testAccuracy))
            })
            let summary = Summary(test_accuracy: info.testAccuracy, best_accuracy: info.bestAccuracy,
                                  best_epoch: info.bestEpoch, epochs: info.epoch, checkpoint: directory.path,
                                  config_hash: info.configHash)
            if json {
                print(try jsonLine(summary))
            } else {
                print(String(format: "test accuracy %.2f %% after %d epochs (best %.2f %% at epoch %d); ",
                             100 * info.testAccuracy, info.epoch, 100 * info.bestAccuracy, info.bestEpoch)
                      + "checkpoint \(directory.path)")
            }
        }
    }
}
