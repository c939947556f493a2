import Foundation
import GPZData
import GPZModels
import GPZNN
import GPZOptim
import GPZTensor

/// One finished epoch of target training.
public struct EpochRecord: Codable, Equatable, Sendable {
    public var epoch: Int
    public var trainLoss: Double
    public var testAccuracy: Double
    public var learningRate: Double
    public var seconds: Double

    enum CodingKeys: String, CodingKey {
        case epoch, trainLoss = "train_loss", testAccuracy = "test_accuracy", learningRate = "lr", seconds
    }
}

/// `checkpoint.json`: what a checkpoint directory holds and how it was made.
///
/// A checkpoint directory contains `last.safetensors` (weights after the last finished epoch),
/// `last.optimizer.safetensors` (the optimiser state, for an exact resume), `best.safetensors` (weights of the
/// epoch with the best test accuracy) and this file, written last and atomically: a run killed at any moment
/// leaves the previous complete epoch resumable.
public struct CheckpointInfo: Codable, Equatable, Sendable {
    public static let formatName = "gpz-checkpoint-v1"

    public var format: String
    public var config: TrainingConfig
    public var configHash: String
    public var model: ModelConfig
    public var classNames: [String]
    /// Input normalisation applied at the model's input (images themselves stay in [0, 1]).
    public var normalizationMean: [Float]
    public var normalizationStd: [Float]
    /// Which images were train / private / aux, with membership hashes.
    public var data: Roles.Manifest
    /// Epochs finished (1-based count).
    public var epoch: Int
    public var testAccuracy: Double
    public var bestEpoch: Int
    public var bestAccuracy: Double
    public var history: [EpochRecord]

    enum CodingKeys: String, CodingKey {
        case format, config, configHash = "config_hash", model, classNames = "class_names"
        case normalizationMean = "normalization_mean", normalizationStd = "normalization_std", data, epoch
        case testAccuracy = "test_accuracy", bestEpoch = "best_epoch", bestAccuracy = "best_accuracy", history
    }

    public var normalization: Normalization { Normalization(mean: normalizationMean, std: normalizationStd) }
}

/// Reading and writing checkpoint directories.
public enum CheckpointStore {
    public static func infoURL(_ directory: URL) -> URL { directory.appendingPathComponent("checkpoint.json") }
    public static func lastWeightsURL(_ directory: URL) -> URL { directory.appendingPathComponent("last.safetensors") }
    public static func bestWeightsURL(_ directory: URL) -> URL { directory.appendingPathComponent("best.safetensors") }
    public static func optimizerURL(_ directory: URL) -> URL {
        directory.appendingPathComponent("last.optimizer.safetensors")
    }

    /// The checkpoint description in `directory`, or nil when there is none yet.
    public static func readInfo(_ directory: URL) throws -> CheckpointInfo? {
        let url = infoURL(directory)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let data = try Data(contentsOf: url)
        do {
            let info = try JSONDecoder().decode(CheckpointInfo.self, from: data)
            guard info.format == CheckpointInfo.formatName else {
                throw TrainingError("\(url.path): format '\(info.format)', expected '\(CheckpointInfo.formatName)'")
            }
            return info
        } catch let error as DecodingError {
            throw TrainingError("\(url.path): not a GPZ checkpoint description (\(describe(error)))")
        }
    }

    /// Writes `info` atomically (a temporary file renamed into place).
    public static func writeInfo(_ info: CheckpointInfo, to directory: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        try encoder.encode(info).write(to: infoURL(directory), options: .atomic)
    }

    /// Builds the model a checkpoint describes and loads its `best` (default) or `last` weights.
    public static func loadModel(_ directory: URL, best: Bool = true) throws -> (model: StagedModel, info: CheckpointInfo) {
        guard let info = try readInfo(directory) else {
            throw TrainingError("\(directory.path): no checkpoint.json (train one with `gpz train --out DIR`)")
        }
        let model = try ModelFactory.make(info.model)
        _ = try model.loadWeights(from: best ? bestWeightsURL(directory) : lastWeightsURL(directory))
        model.eval()
        return (model, info)
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _): return "missing field '\(key.stringValue)'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? context.debugDescription : "field '\(path)': \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
