import Foundation
import GPZConfig
import XCTest
import GPZData
import GPZModels
import GPZTraining
import GPZTensor
import GPZTestSupport
@testable import GPZTraining

final class TargetTrainerTests: XCTestCase {
    private func dataset() throws -> Dataset {
        try Dataset(name: "stripes", format: "test", train: StripesFixture.images(count: 80, offset: 0),
                    test: StripesFixture.images(count: 20, offset: 1000), classNames: ["left", "right"], files: [])
    }

    private func config(epochs: Int) -> TrainingConfig {
        var config = TrainingConfig()
        config.dataset = "stripes"
        config.labels = .smoothed(0.3)
        config.epochs = epochs
        config.learningRate = 3e-3
        config.batchSize = 16
        config.seed = 5
        config.cnn4Width = 4
        return config
    }

    func testTinyModelLearnsTheFixture() throws {
        let directory = try makeTemporaryDirectory("gpz-train")
        var config = config(epochs: 8)
        config.labels = .oneHot
        let trainer = try TargetTrainer(config: config, dataset: try dataset())
        XCTAssertEqual(trainer.roles.train.count, 64)
        XCTAssertEqual(trainer.roles.aux.count, 16)
        let info = try trainer.run(directory: directory, resume: false)
        XCTAssertEqual(info.epoch, 8)
        XCTAssertEqual(info.history.count, 8)
        XCTAssertLessThan(info.history.last!.trainLoss, 0.25 * info.history.first!.trainLoss)
        XCTAssertGreaterThanOrEqual(info.bestAccuracy, 0.95)
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: directory.path))
        XCTAssertEqual(files, Set(["checkpoint.json", info.lastWeights, info.lastOptimizer, info.bestWeights]))
        XCTAssertEqual(info.lastWeights, "weights-epoch-8.safetensors")
        XCTAssertEqual(info.bestWeights, "weights-epoch-\(info.bestEpoch).safetensors")
        let (model, loaded) = try CheckpointStore.loadModel(directory)
        XCTAssertEqual(loaded, info)
        let accuracy = try Evaluation.accuracy(of: model, on: trainer.roles.privateSet.images,
                                               normalization: loaded.normalization)
        XCTAssertEqual(accuracy, info.bestAccuracy)
    }

    /// `weights` starts training from a safetensors file: from a trained model's weights, the first epoch at a tiny
    /// learning rate is already as accurate; the hash follows the file's contents, not its path.
    func testTrainingStartsFromGivenWeights() throws {
        let trained = try makeTemporaryDirectory("gpz-train-weights")
        var first = config(epochs: 8)
        first.labels = .oneHot
        let info = try TargetTrainer(config: first, dataset: try dataset()).run(directory: trained, resume: false)
        XCTAssertGreaterThanOrEqual(info.bestAccuracy, 0.95)
        let weights = trained.appendingPathComponent(info.bestWeights)
        var continued = config(epochs: 1)
        continued.learningRate = 1e-5
        let fromScratch = try continued.hash
        continued.weights = weights.path
        let record = try TargetTrainer(config: continued, dataset: try dataset())
            .run(directory: try makeTemporaryDirectory("gpz-train-continued"), resume: false)
        XCTAssertGreaterThanOrEqual(record.history[0].testAccuracy, 0.95)

        let moved = try makeTemporaryDirectory("gpz-train-moved").appendingPathComponent("copy.safetensors")
        try FileManager.default.copyItem(at: weights, to: moved)
        var elsewhere = continued
        elsewhere.weights = moved.path
        XCTAssertEqual(try elsewhere.hash, try continued.hash)
        XCTAssertNotEqual(try continued.hash, fromScratch)
        try Data("not safetensors".utf8).write(to: moved)
        XCTAssertNotEqual(try elsewhere.hash, try continued.hash)
        XCTAssertThrowsError(try TargetTrainer(config: elsewhere, dataset: try dataset())
            .run(directory: try makeTemporaryDirectory("gpz-train-bad"), resume: false)) { error in
            XCTAssertTrue("\(error)".hasPrefix("weights: "), "\(error)")
            XCTAssertTrue("\(error)".contains("copy.safetensors"), "\(error)")
        }
        elsewhere.weights = "/no/such/file.safetensors"
        XCTAssertEqual("\((try? elsewhere.validate()) == nil ? "refused" : "accepted")", "refused")
    }

    /// Training 1 epoch, stopping, and resuming to 3 gives bit-identical weights and optimiser state to an
    /// uninterrupted 3-epoch run (dropout, flips and label smoothing all active).
    func testResumeMatchesUninterruptedRun() throws {
        let straight = try makeTemporaryDirectory("gpz-train"), resumed = try makeTemporaryDirectory("gpz-train")
        let full = try TargetTrainer(config: config(epochs: 3), dataset: try dataset())
        let straightInfo = try full.run(directory: straight, resume: false)
        _ = try TargetTrainer(config: config(epochs: 1), dataset: try dataset()).run(directory: resumed, resume: false)
        let resumedInfo = try full.run(directory: resumed, resume: true)
        XCTAssertEqual(resumedInfo.epoch, 3)
        XCTAssertEqual(resumedInfo.history.map(\.trainLoss), straightInfo.history.map(\.trainLoss))
        for file in [resumedInfo.lastWeights, resumedInfo.lastOptimizer] {
            let a = try Safetensors.read(from: straight.appendingPathComponent(file)).tensors
            let b = try Safetensors.read(from: resumed.appendingPathComponent(file)).tensors
            XCTAssertEqual(a.map(\.name), b.map(\.name))
            for (x, y) in zip(a, b) {
                XCTAssertEqual(try x.tensor.toDoubles(), try y.tensor.toDoubles(), "\(file): \(x.name)")
            }
        }
    }

    func testExistingCheckpointNeedsResumeAndTheSameConfiguration() throws {
        let directory = try makeTemporaryDirectory("gpz-train")
        _ = try TargetTrainer(config: config(epochs: 1), dataset: try dataset()).run(directory: directory, resume: false)
        XCTAssertThrowsError(try TargetTrainer(config: config(epochs: 2), dataset: try dataset())
            .run(directory: directory, resume: false)) { error in
            XCTAssertTrue("\(error)".hasSuffix("already holds a checkpoint (epoch 1); pass --resume to continue it or "
                                               + "choose another --out"), "\(error)")
        }
        _ = try TargetTrainer(config: config(epochs: 2), dataset: try dataset()).run(directory: directory, resume: true)
        XCTAssertThrowsError(try TargetTrainer(config: config(epochs: 1), dataset: try dataset())
            .run(directory: directory, resume: true)) { error in
            XCTAssertEqual("\(error)", "epochs: the checkpoint has already finished 2 epochs; --epochs 1 would go back")
        }
        var other = config(epochs: 2)
        other.learningRate = 0.01
        XCTAssertThrowsError(try TargetTrainer(config: other, dataset: try dataset())
            .run(directory: directory, resume: true)) { error in
            XCTAssertTrue("\(error)".contains("the checkpoint was trained with a different configuration"), "\(error)")
        }
    }

    func testLabelSchemes() throws {
        XCTAssertEqual(try LabelScheme.parse("onehot"), .oneHot)
        XCTAssertEqual(try LabelScheme.parse("ls:0.3"), .smoothed(0.3))
        XCTAssertEqual(try LabelScheme.parse("ls:-0.05").alpha, -0.05)
        XCTAssertThrowsError(try LabelScheme.parse("ls:1.5")) { error in
            XCTAssertEqual("\(error)", "labels: 'ls:1.5' is not onehot or ls:α with −1 < α < 1 (e.g. ls:0.3, ls:-0.05)")
        }
        XCTAssertThrowsError(try LabelScheme.parse("smooth"))
    }

    /// lr_decay γ: epoch e trains at lr·γ^e, and a run resumed with more epochs continues the same schedule.
    func testLearningRateDecaysPerEpochAndResumes() throws {
        let directory = try makeTemporaryDirectory("gpz-train-decay")
        var config = config(epochs: 2)
        config.learningRateDecay = 0.5
        XCTAssertNotEqual(try config.hash, try self.config(epochs: 2).hash)
        _ = try TargetTrainer(config: config, dataset: try dataset()).run(directory: directory, resume: false)
        config.epochs = 3
        let info = try TargetTrainer(config: config, dataset: try dataset()).run(directory: directory, resume: true)
        XCTAssertEqual(info.history.map(\.learningRate), [3e-3, 1.5e-3, 7.5e-4])
        for bad in [0, 1.5, -0.5, .nan] {
            config.learningRateDecay = bad
            XCTAssertThrowsError(try config.validate()) { XCTAssertEqual(($0 as? ConfigError)?.field, "lr_decay") }
        }
    }

    func testConfigurationErrorsNameTheField() throws {
        var config = config(epochs: 0)
        XCTAssertThrowsError(try config.validate()) { XCTAssertEqual("\($0)", "epochs: expected 1…100000, got 0") }
        config.epochs = 1
        config.flipProbability = 2
        XCTAssertThrowsError(try config.validate()) { XCTAssertEqual(($0 as? ConfigError)?.field, "flip") }
        config.flipProbability = 0.5
        config.aux = .sub(0.3)
        XCTAssertEqual(try self.config(epochs: 1).hash, try self.config(epochs: 9).hash)
        XCTAssertNotEqual(try self.config(epochs: 1).hash, try config.hash)
    }
}
