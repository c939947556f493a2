import GPZModels
import GPZOptim

/// How the attacker trains its decoders (the paper's `train_inversion.py` settings by default, except the
/// epoch count: 100 there).
public struct InversionTrainingOptions: Equatable, Codable, Sendable {
    /// How the frozen target's forward passes are shared among the splits.
    public enum Schedule: String, Codable, CaseIterable, Sendable {
        /// Every aux batch runs the target once and trains the decoders of all splits on its features.
        case allSplitsInOnePass = "one-pass"
        /// One split after another, each with its own passes over the aux data (the paper's one process per
        /// split), for comparison.
        case oneSplitPerRun = "per-split"
    }

    public var epochs: Int
    /// Adam's step size γ (the paper's default 0.01).
    public var learningRate: Double
    /// Adam's β₁ and β₂ (the paper's (0.5, 0.999)).
    public var beta1: Double
    public var beta2: Double
    /// AMSGrad, as the paper's optimiser.
    public var amsgrad: Bool
    /// The most memory the trainer's own `FeatureBank` may hold (the target's features per aux image, read by later
    /// epochs instead of running the target); 0 turns banking off. Used when no shared bank is given and the aux
    /// stream numbers its images.
    public var featureBankBytes: Int

    /// 2 GiB (`attack.feature_bank_mib`'s default): the features of cnn4's five splits for 12,000 aux images at
    /// 32 px take about 0.8 GiB.
    public static let defaultFeatureBankMiB = 2048
    public var schedule: Schedule
    /// When set, the decoder of split k is initialised from the global generator seeded with
    /// (decoderSeed, k), so each split's attack is the same whichever other splits are attacked with it.
    public var decoderSeed: UInt64?
    /// Early stopping on held-out aux images (`InversionTrainer.train(on:validation:progress:)`): a decoder stops
    /// after this many epochs in a row without improving its validation MSE by more than `minRelativeImprovement`
    /// (relative), and keeps the weights of its best epoch; `epochs` is then the maximum. Nil trains every
    /// decoder for exactly `epochs` epochs.
    public var patience: Int?
    public var minRelativeImprovement = 0.005

    public init(epochs: Int = 10, learningRate: Double = 0.01, beta1: Double = 0.5, beta2: Double = 0.999,
                amsgrad: Bool = true, featureBankBytes: Int = defaultFeatureBankMiB << 20,
                schedule: Schedule = .allSplitsInOnePass) {
        self.epochs = epochs
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.amsgrad = amsgrad
        self.featureBankBytes = featureBankBytes
        self.schedule = schedule
    }
}

/// Where a training or evaluation run is, reported after every batch.
public struct InversionProgress {
    public enum Stage: String, Sendable {
        case training, evaluation
    }

    public let stage: Stage
    /// The splits this pass serves (all of them, or one in the per-split schedule).
    public let splits: [SplitPoint]
    /// 1-based epoch and the number of epochs (1 of 1 for evaluation).
    public let epoch: Int
    public let epochs: Int
    /// Batches done in this epoch, and per epoch when known.
    public let done: Int
    public let total: Int?
    /// Training: the decoders' mean MSE on this batch.
    public let loss: Double?
}

/// What a training run did.
public struct InversionTrainingReport: Equatable, Sendable {
    /// Per split index: each epoch's mean training MSE (per element, on [0, 1]).
    public var epochLosses: [Int: [Double]] = [:]
    /// Aux images trained on, summed over epochs (and over the runs of the per-split schedule).
    public var images = 0
    /// Batches the frozen target was run on: one per aux batch and epoch in the one-pass schedule, that many per
    /// split in the per-split schedule, fewer when features come from a `FeatureBank`.
    public var targetBatches = 0
    /// Batches whose features were read from a `FeatureBank` instead of running the target.
    public var bankedBatches = 0
    public var seconds = 0.0
    /// Per split index, with early stopping: the validation MSE after each epoch trained, why training stopped,
    /// and the epoch (1-based) whose weights the decoder kept.
    public var validationLosses: [Int: [Double]] = [:]
    public var stops: [Int: EarlyStopping.Stop] = [:]
    public var bestEpochs: [Int: Int] = [:]

    public init() {}
}
