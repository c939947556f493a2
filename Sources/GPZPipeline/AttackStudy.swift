import Foundation
import GPZAttacks
import GPZData
import GPZModels
import GPZTensor
import GPZTraining

/// Which attack `AttackStudy` runs.
public enum AttackerKind: String, Codable, CaseIterable, Sendable {
    /// Black-box learned inversion with the paper's deconvolutional decoders.
    case decoder
    /// Black-box learned inversion with deeper decoders: inverse residual blocks and attention.
    case strong
    /// White-box regularised maximum-likelihood estimation (He et al. 2019) on a sample of private images.
    case rmle
}

/// The paper's representation enhancement of Z (key `defense`, kept for compatibility): an attacker-favourable stress
/// test, as the paper's "dual buffs" and its code use it, not a defence. None of them can remove information from
/// Z: `normalize` is an invertible affine map (statistics from the attacker's data), `dropout-concat` sends
/// [Z, dropout(Z)], a superset of Z, and `fft` adds a deterministic function of Z. A scan judges each split by
/// the strongest attacker (`PlanComparison.worstCase`), so an enhancement only counts where it helps the attacker.
public enum DefenseKind: String, Codable, CaseIterable, Sendable {
    case none
    case normalize
    case fft
    case dropoutConcat = "dropout-concat"
}

/// The images an attack is evaluated on.
public enum EvaluationSet: String, Codable, CaseIterable, Sendable {
    /// The private images the checkpoint was evaluated on (its test split, or what `private` names).
    case `private`
    /// The target's own training images.
    case train
}

/// An attack on a trained checkpoint: its configuration, as recorded in the results. Each setting's key and
/// default are declared here once; `gpz attack` and the `attack` section of a scan file take theirs from this type.
public struct AttackConfig: ConfigSection {
    /// `all`, `blocks` (the block-level splits and the logits: what a deployment would cut, and the zone's
    /// candidates), or comma-separated split indices or names.
    public var splits = "all"
    /// `sub` (the fraction held out when the target was trained) or `cross:DATASET`.
    public var aux = "sub"
    public var attacker = AttackerKind.decoder
    public var defense = DefenseKind.none
    public var epochs = 10
    public var learningRate = 0.01
    public var batchSize = 128
    public var evaluateOn = EvaluationSet.private
    /// One target pass per batch for all splits, or one split per run (the paper code's way), for comparison.
    public var schedule = InversionTrainingOptions.Schedule.allSplitsInOnePass
    /// rMLE: images inverted per split, and optimisation steps.
    public var rmleImages = 16
    public var rmleIterations = 300
    public var seed: UInt64 = 0
    /// Decoder seeds (seed, seed + 1, …) at the splits where the verdict can flip (a scan's boundary pair); 1
    /// attacks once.
    public var seeds = 3
    /// Evaluate on the first this-many class-interleaved images of the evaluated set (nil: all).
    public var evaluateLimit: Int?
    /// Train on a class-stratified, seeded subset of this many aux images (nil: all).
    public var auxLimit: Int?
    /// MiB the target's banked features of the aux images may take (`FeatureBank`: computed once, read by every
    /// later epoch, decoder seed and decoder); 0 recomputes them for every batch. Results are the same either way.
    public var featureBankMiB = InversionTrainingOptions.defaultFeatureCacheBytes >> 20
    /// The encoding of Z on the wire (key `encoding`: fp32, fp16 or int8; default fp32): every attacker observes
    /// Z quantised and dequantised exactly as `gpz edge --encoding` sends it and the cloud receives it
    /// (`FeatureQuantizer`, INT8 with one scale per sample, as `gpz edge --batch 1`), before any enhancement. At
    /// fp32 the key is left out of the configuration's JSON, so hashes (and scan stores) made before it existed
    /// stay valid; fp16 and int8 are other attacks, with other hashes.
    @OmittedWhenDefault public var encoding: WireEncoding

    public init() {}

    enum CodingKeys: String, CodingKey {
        case splits, aux, attacker, defense, epochs, learningRate = "lr", batchSize = "batch"
        case evaluateOn = "evaluate_on", schedule, rmleImages = "rmle_images", rmleIterations = "rmle_iterations", seed, seeds
        case evaluateLimit = "evaluate_limit", auxLimit = "aux_limit", featureBankMiB = "feature_bank_mib", encoding
    }

    /// Checks every field that can be checked without the checkpoint, naming the first bad one by its key.
    public func validate() throws {
        guard !splits.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ConfigError(field: "splits", "empty; give all, blocks, or split indices or names")
        }
        if aux != "sub" {
            guard case .cross = try? AuxMode.parse(aux) else {
                throw ConfigError(field: "aux", "'\(aux)': expected sub or cross:DATASET")
            }
        }
        try ConfigError.within(1...100_000, epochs, "epochs")
        try ConfigError.learningRate(learningRate, "lr")
        try ConfigError.within(1...65_536, batchSize, "batch")
        try ConfigError.atLeast(1, rmleImages, "rmle_images")
        try ConfigError.atLeast(1, rmleIterations, "rmle_iterations")
        try ConfigError.within(1...20, seeds, "seeds")
        try ConfigError.atLeast(1, evaluateLimit, "evaluate_limit")
        try ConfigError.atLeast(1, auxLimit, "aux_limit")
        try ConfigError.within(0...1 << 20, featureBankMiB, "feature_bank_mib")
        if attacker == .rmle && defense != .none {
            throw ConfigError(field: "defense", "rmle attacks the plain edge; use defense none with attacker rmle")
        }
    }
}

/// One split's attack result: reconstruction quality over the evaluated set (means and standard deviations), the
/// cloud's accuracy on the features as sent, and the grid file.
public struct SplitAttackResult: Codable, Equatable, Sendable {
    public var name: String
    public var index: Int
    public var shape: [Int]
    public var mse: Double
    /// The paper code's MSE, summed over channels (C × `mse`); a compatibility column.
    public var mseSumChannels: Double
    public var psnr: Double
    public var ssim: Double
    public var cosine: Double
    public var mseStd: Double
    public var psnrStd: Double
    public var ssimStd: Double
    public var images: Int
    /// Top-1 accuracy of cloud(features as sent) on the evaluated set, when a defence changes the features.
    public var accuracyWithDefense: Double?
    /// Top-1 accuracy of cloud(Z as the cloud receives it with `attack.encoding`) on the evaluated set, when the
    /// encoding is not fp32 (absent otherwise).
    public var accuracyAsSent: Double?
    public var grid: String?

    enum CodingKeys: String, CodingKey {
        case name, index, shape, mse, mseSumChannels = "mse_sum_channels", psnr, ssim, cosine, mseStd = "mse_std"
        case psnrStd = "psnr_std", ssimStd = "ssim_std", images, accuracyWithDefense = "accuracy_with_defense"
        case accuracyAsSent = "accuracy_as_sent", grid
    }
}

/// The output of `gpz attack`: the configuration and one result per split.
public struct AttackResults: Codable, Equatable, Sendable {
    public var attack: AttackConfig
    public var checkpoint: String
    public var architecture: String
    public var auxSource: String
    public var auxImages: Int
    public var auxSha256: String
    public var evaluatedImages: Int
    public var seconds: Double
    public var splits: [SplitAttackResult]

    enum CodingKeys: String, CodingKey {
        case attack, checkpoint, architecture, auxSource = "aux_source", auxImages = "aux_images"
        case auxSha256 = "aux_sha256", evaluatedImages = "evaluated_images", seconds, splits
    }
}

/// Stage progress of an attack: training the decoders, evaluating them, or inverting with rMLE.
public struct AttackProgress {
    public var stage: String
    public var done: Int
    public var total: Int
    public var loss: Double?
}
