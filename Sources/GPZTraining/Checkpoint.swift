import Foundation
import GPZConfig
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
/// A checkpoint directory contains the weights after the last finished epoch (`weights-epoch-N.safetensors`), the
/// optimiser state after it (`optimizer-epoch-N.safetensors`, for an exact resume), the weights of the epoch with
/// the best test accuracy (the same file when that is the last epoch) and this file, which names them. Files are
/// never overwritten: each epoch writes new ones, then this file (atomically), then removes the files no longer
/// named — so a run killed at any moment leaves a complete, consistent checkpoint of an earlier epoch.
public struct CheckpointInfo: Codable, Equatable, Sendable {
    public static let formatName = "gpz-checkpoint-v2"

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
    /// File names, relative to the checkpoint directory, of the last epoch's weights and optimiser state and of
    /// the best epoch's weights.
    public var lastWeights: String
    public var lastOptimizer: String
    public var bestWeights: String
    /// For a pretrained target: the exported model's archive, copied into the checkpoint directory (no epochs,
    /// no weights files).
    public var archive: String?

    /// The file name of a pretrained target's archive in its checkpoint directory.
    public static let archiveName = "model.gpz.pt"

    enum CodingKeys: String, CodingKey {
        case format, config, configHash = "config_hash", model, classNames = "class_names"
        case normalizationMean = "normalization_mean", normalizationStd = "normalization_std", data, epoch
        case testAccuracy = "test_accuracy", bestEpoch = "best_epoch", bestAccuracy = "best_accuracy", history
        case lastWeights = "last_weights", lastOptimizer = "last_optimizer", bestWeights = "best_weights"
        case archive
    }

    public var normalization: Normalization { Normalization(mean: normalizationMean, std: normalizationStd) }

    /// Throws unless the input normalisation fits the model (one finite mean and positive std per channel).
    func validate(_ file: String) throws {
        let channels = model.channels
        guard normalizationMean.count == channels, normalizationStd.count == channels,
              normalizationMean.allSatisfy(\.isFinite), normalizationStd.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw TrainingError("\(file): normalization_mean/std must hold \(channels) finite values with std > 0")
        }
        guard epoch >= 0, epoch == history.count, (epoch == 0) == (bestEpoch == 0) else {
            throw TrainingError("\(file): epoch \(epoch), best_epoch \(bestEpoch) and \(history.count) history entries "
                                + "do not agree")
        }
    }
}

/// Reading and writing checkpoint directories.
public enum CheckpointStore {
    public static func infoURL(_ directory: URL) -> URL { directory.appendingPathComponent("checkpoint.json") }
    static func weightsName(epoch: Int) -> String { "weights-epoch-\(epoch).safetensors" }
    static func optimizerName(epoch: Int) -> String { "optimizer-epoch-\(epoch).safetensors" }

    /// Removes the weight and optimiser files of `directory` that `info` does not name (left by earlier epochs).
    static func removeUnnamedFiles(_ directory: URL, keeping info: CheckpointInfo) throws {
        let named: Set<String> = [info.lastWeights, info.lastOptimizer, info.bestWeights]
        for file in try FileManager.default.contentsOfDirectory(atPath: directory.path)
            where (file.hasPrefix("weights-epoch-") || file.hasPrefix("optimizer-epoch-")) && !named.contains(file) {
            try FileManager.default.removeItem(at: directory.appendingPathComponent(file))
        }
    }

    /// Removes what a write killed midway leaves in `directory`: the hidden `.NAME.UUID.tmp` files of weight
    /// writes and Foundation's `.dat.nosync` files of atomic JSON writes. Named files are never touched.
    public static func removeLeftoverTemporaries(_ directory: URL) throws {
        for file in (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            where (file.hasPrefix(".") && file.hasSuffix(".tmp")) || file.contains(".dat.nosync") {
            try FileManager.default.removeItem(at: directory.appendingPathComponent(file))
        }
    }

    /// The largest `checkpoint.json` read (a long history is a few hundred kilobytes).
    static let maxInfoBytes = 64 << 20

    /// The checkpoint description in `directory`, or nil when there is none yet. A `checkpoint.json` that is a
    /// folder, a device, a link to one, unreadable or huge is a `TrainingError` naming the path and the reason.
    public static func readInfo(_ directory: URL) throws -> CheckpointInfo? {
        let url = infoURL(directory)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let data = try readRegularFile(url, limit: maxInfoBytes)
        do {
            let info = try JSONDecoder().decode(CheckpointInfo.self, from: data)
            guard info.format == CheckpointInfo.formatName else {
                throw TrainingError("\(url.path): format '\(info.format)', expected '\(CheckpointInfo.formatName)'")
            }
            try info.validate(url.path)
            return info
        } catch let error as DecodingError {
            throw TrainingError("\(url.path): not a GPZ checkpoint description (\(error.fieldMessage))")
        }
    }

    /// Writes `info` atomically (a temporary file renamed into place).
    public static func writeInfo(_ info: CheckpointInfo, to directory: URL) throws {
        try CanonicalJSON.encoder(pretty: true).encode(info).write(to: infoURL(directory), options: .atomic)
    }

    /// Builds the model a checkpoint describes and loads its `best` (default) or `last` weights.
    public static func loadModel(_ directory: URL, best: Bool = true) throws -> (model: StagedModel, info: CheckpointInfo) {
        guard let info = try readInfo(directory) else {
            throw TrainingError("\(directory.path): no checkpoint.json (train one with `gpz train --out DIR`)")
        }
        if let archive = info.archive {
            do {
                return (try ScriptArchive.load(directory.appendingPathComponent(archive)).model, info)
            } catch let error as ModelError {
                throw TrainingError(error.message)
            }
        }
        let model = try ModelFactory.make(info.model)
        guard info.epoch > 0 else { throw TrainingError("\(directory.path): no finished epoch yet") }
        let file = directory.appendingPathComponent(best ? info.bestWeights : info.lastWeights)
        do {
            _ = try model.loadWeights(from: file)
        } catch let error as TensorError {
            throw TrainingError("\(file.path): the weights do not fit \(info.model.architecture) (\(error.message))")
        }
        model.eval()
        return (model, info)
    }

    /// The bytes of `url`, which must be a regular file (after links) of at most `limit` bytes.
    static func readRegularFile(_ url: URL, limit: Int) throws -> Data {
        var status = stat()
        guard stat(url.path, &status) == 0 else {
            throw TrainingError("\(url.path): cannot read (\(String(cString: strerror(errno))))")
        }
        switch status.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw TrainingError("\(url.path): is a folder, expected a file")
        default: throw TrainingError("\(url.path): is a device or special file, expected a regular file")
        }
        guard status.st_size <= limit else {
            throw TrainingError("\(url.path): \(status.st_size) bytes, more than the limit of \(limit)")
        }
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw TrainingError("\(url.path): cannot read (\(String(cString: strerror(errno))))")
        }
        defer { try? handle.close() }
        do {
            return try handle.read(upToCount: limit + 1) ?? Data()
        } catch {
            throw TrainingError("\(url.path): cannot read (\(fileSystemMessage(error) ?? "\(error)"))")
        }
    }
}
