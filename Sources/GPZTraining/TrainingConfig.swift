import Foundation
import GPZData
import GPZModels

/// How the training targets are made from the labels.
///
/// `onehot` is plain cross-entropy. `ls:α` smooths the target as the paper's code does: (1 − α) on the true class
/// and α/(K − 1) on each other class. α = 0.3 is the paper's LS+, α = −0.05 its LS− control (a negative α sharpens
/// the target beyond one-hot).
public enum LabelScheme: Equatable, Sendable, CustomStringConvertible {
    case oneHot
    case smoothed(Double)

    /// `onehot`, `ls:0.3`, `ls:-0.05`.
    public static func parse(_ text: String) throws -> LabelScheme {
        if text == "onehot" { return .oneHot }
        if text.hasPrefix("ls:"), let alpha = Double(text.dropFirst(3)), alpha > -1, alpha < 1, alpha.isFinite {
            return alpha == 0 ? .oneHot : .smoothed(alpha)
        }
        throw TrainingError("labels: '\(text)' is not onehot or ls:α with −1 < α < 1 (e.g. ls:0.3, ls:-0.05)")
    }

    /// The smoothing α (0 for one-hot).
    public var alpha: Double {
        switch self {
        case .oneHot: return 0
        case .smoothed(let alpha): return alpha
        }
    }

    public var description: String {
        switch self {
        case .oneHot: return "onehot"
        case .smoothed(let alpha): return "ls:\(alpha)"
        }
    }
}

/// The optimiser of a training run, with the paper code's settings for cnn4: Adam(β = (0.5, 0.999), AMSGrad) or
/// SGD(momentum 0.9, weight decay 5e-4).
public enum OptimizerChoice: String, Codable, Sendable, CaseIterable {
    case adam
    case sgd
}

/// Everything that determines a target-training run. `epochs` only says when to stop, so it is left out of the
/// hash: a run can be resumed with more epochs.
public struct TrainingConfig: Codable, Equatable, Sendable {
    public var architecture: String
    public var dataset: String
    /// Side the images are resized to; nil keeps the data set's size.
    public var imageSize: Int?
    public var labels: String
    public var epochs: Int
    public var optimizer: OptimizerChoice
    public var learningRate: Double
    public var batchSize: Int
    public var seed: UInt64
    /// The attacker's share: `sub:F` holds a fraction of the training split out of target training.
    public var aux: String
    /// Where the private (evaluated and later attacked) images come from: the test split, or the training split
    /// for data sets that ship none.
    public var privateSource: PrivateSource
    /// Probability of a horizontal flip per training image.
    public var flipProbability: Double
    public var cnn4Width: Int
    public var patchSize: Int
    /// Train on a class-stratified, seeded subset of this many of the training role's images (nil: all); the
    /// attacker's held-out share is unchanged.
    public var trainLimit: Int?

    public init(architecture: String = "cnn4", dataset: String = "fashion-mnist", imageSize: Int? = nil,
                labels: String = "onehot", epochs: Int = 10, optimizer: OptimizerChoice = .adam,
                learningRate: Double = 1e-3, batchSize: Int = 128, seed: UInt64 = 0, aux: String = "sub:0.2",
                privateSource: PrivateSource = .test, flipProbability: Double = 0.5, cnn4Width: Int = 64, patchSize: Int = 4, trainLimit: Int? = nil) {
        self.architecture = architecture
        self.dataset = dataset
        self.imageSize = imageSize
        self.labels = labels
        self.epochs = epochs
        self.optimizer = optimizer
        self.learningRate = learningRate
        self.batchSize = batchSize
        self.seed = seed
        self.aux = aux
        self.privateSource = privateSource
        self.flipProbability = flipProbability
        self.cnn4Width = cnn4Width
        self.patchSize = patchSize
        self.trainLimit = trainLimit
    }

    enum CodingKeys: String, CodingKey {
        case architecture, dataset, imageSize = "image_size", labels, epochs, optimizer, learningRate = "lr"
        case batchSize = "batch", seed, aux, privateSource = "private", flipProbability = "flip", cnn4Width = "cnn4_width"
        case patchSize = "patch_size", trainLimit = "train_limit"
    }

    /// Checks every field, naming the first bad one.
    public func validate() throws {
        _ = try LabelScheme.parse(labels)
        _ = try Architecture(named: architecture)
        guard epochs >= 1 else { throw TrainingError("epochs: expected at least 1, got \(epochs)") }
        guard learningRate > 0, learningRate.isFinite else { throw TrainingError("lr: expected > 0, got \(learningRate)") }
        guard (1...65_536).contains(batchSize) else { throw TrainingError("batch: expected 1…65536, got \(batchSize)") }
        guard epochs <= 100_000 else { throw TrainingError("epochs: expected at most 100000, got \(epochs)") }
        guard (0...1).contains(flipProbability) else { throw TrainingError("flip: expected 0…1, got \(flipProbability)") }
        if let imageSize, !(1...1024).contains(imageSize) {
            throw TrainingError("image_size: expected 1…1024, got \(imageSize)")
        }
        _ = try AuxMode.parse(aux)
        if let trainLimit, trainLimit < 1 {
            throw TrainingError("train_limit: expected at least 1, got \(trainLimit)")
        }
    }

    /// SHA-256 of the canonical JSON of every field except `epochs`.
    public var hash: String {
        var copy = self
        copy.epochs = 0
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(copy)) ?? Data()
        return Digest.sha256Hex([UInt8](data))
    }

    /// The data plan: seeded roles, resized to `imageSize`.
    public var splitPlan: SplitPlan {
        get throws { SplitPlan(seed: seed, privateSource: privateSource, aux: try AuxMode.parse(aux), side: imageSize,
                        trainLimit: trainLimit) }
    }

    /// The model for data of `channels` channels, `side` px and `classes` classes.
    public func modelConfig(channels: Int, side: Int, classes: Int) throws -> ModelConfig {
        ModelConfig(architecture: try Architecture(named: architecture), channels: channels, imageSize: side,
                    classes: classes, options: ModelOptions(patchSize: patchSize, cnn4Width: cnn4Width))
    }
}

/// A training run that cannot go on: a bad setting, a checkpoint that does not match, a diverged loss.
public struct TrainingError: Error, CustomStringConvertible, Equatable {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
