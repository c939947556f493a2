import Foundation
import GPZConfig
import GPZData
import GPZModels
import GPZTensor

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
        throw ConfigError(field: "labels", "'\(text)' is not onehot or ls:α with −1 < α < 1 (e.g. ls:0.3, ls:-0.05)")
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
/// hash: a run can be resumed with more epochs. Each setting's key and default are declared here once; `gpz train`,
/// `gpz vortex` and the `target` section of a scan file take theirs from this type.
public struct TrainingConfig: ConfigSection {
    public var architecture = Architecture.cnn4
    /// A target trained elsewhere and exported from PyTorch (`torchscript:FILE`, see `PretrainedModel`): it is
    /// used as it is, never trained, and `architecture` and the training settings do not apply. nil: train
    /// `architecture`.
    public var model: PretrainedModel?
    /// A safetensors file of weights (PyTorch's tensor names, see docs/own-models.md) that `architecture` starts
    /// training from; nil: a seeded random initialisation.
    public var weights: String?
    public var dataset = "fashion-mnist"
    /// Side the images are resized to; nil keeps the data set's size.
    public var imageSize: Int?
    public var labels = LabelScheme.oneHot
    public var epochs = 10
    public var optimizer = OptimizerChoice.adam
    public var learningRate = 1e-3
    /// Per-epoch learning-rate decay γ: epoch e (from 0) trains at lr · γ^e, so a resumed run continues the same
    /// schedule whatever `epochs` becomes. nil: a constant rate.
    public var learningRateDecay: Double?
    public var batchSize = 128
    public var seed: UInt64 = 0
    /// The attacker's share: `sub:F` holds a fraction of the training split out of target training.
    public var aux = AuxMode.sub(AuxMode.defaultFraction)
    /// Where the private (evaluated and later attacked) images come from: the test split, or the training split
    /// for data sets that ship none.
    public var privateSource = PrivateSource.test
    /// Probability of a horizontal flip per training image.
    public var flipProbability = 0.5
    /// cnn4's first-block width (the paper's ndf).
    public var cnn4Width = 64
    public var patchSize = 4
    /// Train on a class-stratified, seeded subset of this many of the training role's images (nil: all); the
    /// attacker's held-out share is unchanged.
    public var trainLimit: Int?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case architecture, model, weights, dataset, imageSize = "image_size", labels, epochs, optimizer, learningRate = "lr"
        case learningRateDecay = "lr_decay", batchSize = "batch", seed, aux, privateSource = "private", flipProbability = "flip", cnn4Width = "cnn4_width"
        case patchSize = "patch_size", trainLimit = "train_limit"
    }

    /// Checks every field, naming the first bad one by its key.
    public func validate() throws {
        try ConfigError.within(1...100_000, epochs, "epochs")
        try ConfigError.learningRate(learningRate, "lr")
        if let learningRateDecay, !(learningRateDecay > 0 && learningRateDecay <= 1) {
            throw ConfigError(field: "lr_decay", "expected a factor in (0, 1], got \(learningRateDecay)")
        }
        try ConfigError.within(1...65_536, batchSize, "batch")
        try ConfigError.within(0...1, flipProbability, "flip")
        if let imageSize { try ConfigError.within(1...1024, imageSize, "image_size") }
        try ConfigError.atLeast(1, cnn4Width, "cnn4_width")
        try ConfigError.atLeast(1, patchSize, "patch_size")
        try ConfigError.atLeast(1, trainLimit, "train_limit")
        if let weights, !FileManager.default.isReadableFile(atPath: weights) {
            throw ConfigError(field: "weights", "\(weights): no such readable file")
        }
        if model != nil, weights != nil {
            throw ConfigError(field: "weights", "a pretrained model (model: torchscript:FILE) brings its own weights")
        }
    }

    /// SHA-256 of the canonical JSON of every field except `epochs`, with the files `model` and `weights` name
    /// replaced by the SHA-256 of their contents (a changed file is a different target; a moved one is not).
    public var hash: String {
        get throws {
            var copy = self
            copy.epochs = 0
            if let model { copy.model = PretrainedModel(path: "sha256:" + (try FileDigest.sha256(model.path, field: "model"))) }
            if let weights { copy.weights = "sha256:" + (try FileDigest.sha256(weights, field: "weights")) }
            return try CanonicalJSON.hash(copy)
        }
    }

    /// The learning rate of epoch `epoch` (counted from 0): `lr · lr_decay^epoch`.
    public func learningRate(epoch: Int) -> Double {
        learningRate * pow(learningRateDecay ?? 1, Double(epoch))
    }

    /// The data plan: seeded roles, resized to `imageSize`.
    public var splitPlan: SplitPlan {
        SplitPlan(seed: seed, privateSource: privateSource, aux: aux, side: imageSize, trainLimit: trainLimit)
    }

    /// The data plan for a pretrained model whose input is `channels` × `side` × `side`: the images are resized
    /// and converted to the model's input, whatever the data set has (`image_size` does not apply).
    func splitPlan(pretrainedChannels channels: Int, side: Int) -> SplitPlan {
        return SplitPlan(seed: seed, privateSource: privateSource, aux: aux, side: side, channels: channels,
                         trainLimit: trainLimit)
    }

    /// The model for data of `channels` channels, `side` px and `classes` classes.
    public func modelConfig(channels: Int, side: Int, classes: Int) -> ModelConfig {
        ModelConfig(architecture: architecture, channels: channels, imageSize: side, classes: classes,
                    options: ModelOptions(patchSize: patchSize, cnn4Width: cnn4Width))
    }
}

extension LabelScheme: Codable {
    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { self = try LabelScheme.parse(text) } catch let error as ConfigError {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension AuxMode: Codable {
    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { self = try AuxMode.parse(text) } catch let error as DataError {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\(error)"))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// A training run that cannot go on: a bad setting, a checkpoint that does not match, a diverged loss.
public struct TrainingError: MessageError, UserError {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }
}
