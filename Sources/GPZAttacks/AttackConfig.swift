import Foundation
import GPZConfig
import GPZData
import GPZModels
import GPZTensor
import GPZTraining

/// The attacker's images (`attack.aux`): `sub`, the fraction held out when the target was trained (the only
/// images of the target's data set guaranteed never to have been training images), or `cross:DATASET`, another
/// data set converted to the target's input. `sub:F` is accepted when F is the checkpoint's own fraction.
public enum AttackAux: Codable, Equatable, Sendable, CustomStringConvertible {
    /// The held-out fraction (nil: whatever it was; a fraction, when given, must be the checkpoint's).
    case sub(Double?)
    case cross(String)

    /// `sub`, `sub:F` or `cross:DATASET`; anything else is a `ConfigError` on `aux`.
    public init(_ text: String) throws {
        if text == "sub" { self = .sub(nil); return }
        switch try? AuxMode.parse(text) {
        case .sub(let fraction): self = .sub(fraction)
        case .cross(let name): self = .cross(name)
        default: throw ConfigError(field: "aux", "'\(text)': expected sub or cross:DATASET")
        }
    }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { try self.init(text) } catch let error as ConfigError {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    public var description: String {
        switch self {
        case .sub(nil): return "sub"
        case .sub(let fraction?): return AuxMode.sub(fraction).description
        case .cross(let name): return "cross:\(name)"
        }
    }
}

/// Which attack `AttackStudy` runs.
public enum AttackerKind: String, Codable, CaseIterable, Sendable {
    /// Black-box learned inversion with the paper's deconvolutional decoders.
    case decoder
    /// Black-box learned inversion with deeper decoders: inverse residual blocks and attention.
    case strong
    /// White-box regularised maximum-likelihood estimation (He et al. 2019) on a sample of private images.
    case rmle
    /// Black-box inversion through an image prior learned from the aux images (`ImagePrior`): a mapping from Z to
    /// the prior's latent, trained with the prior's generator fine-tuned (`prior.finetune`).
    case prior
    /// White-box: the prior attacker's estimate refined by optimising the latent until the edge's features of the
    /// generated image match Z (`PriorWhiteBoxInversion`), on the rMLE sample of private images.
    case priorWhitebox = "prior-whitebox"

    /// Whether the attacker has the edge's weights (and attacks a sample of `rmle_images` private images).
    public var isWhiteBox: Bool { self == .rmle || self == .priorWhitebox }
    /// Whether the attacker trains on aux data (decoders, mappings), so that seeds, budgets and early stopping apply.
    public var learns: Bool { self != .rmle }
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
    /// candidates), or split indices or names (`SplitSelection`).
    public var splits = SplitSelection.all
    /// `sub` (the fraction held out when the target was trained) or `cross:DATASET` (`AttackAux`).
    public var aux = AttackAux.sub(nil)
    public var attacker = AttackerKind.decoder
    public var defense = DefenseKind.none
    /// The most epochs a decoder trains; with `patience` it stops earlier once its validation MSE has flattened.
    public var epochs = 10
    /// Early stopping: epochs in a row without a 0.5 % improvement of the validation MSE before a decoder stops
    /// and keeps its best epoch's weights. A decoder still improving at `epochs` did not converge; such a run can
    /// show leakage but never protection.
    public var patience = 3
    /// The share of the aux images held out (class-stratified, the same images for every seed and budget) to
    /// decide early stopping; the decoders train on the rest.
    public var validation = 0.1
    /// The share of the remaining aux images this attack trains on (class-stratified); the scan's budget ladder
    /// sets it.
    public var budget = 1.0
    /// Budget ladder (scans): where the first attack leaves a split open (leakage at most τ), the attacker also
    /// trains on these shares of its data, each to convergence, so the verdict can see whether leakage still rises
    /// with more data. Empty: no ladder, and such a split can be inconclusive at best.
    public var ladder = [0.25, 0.5]
    /// Scans: the epoch maximum of the runs at open splits (the ladder's rungs and the decoder seeds), trained to
    /// convergence with early stopping.
    public var escalationEpochs = 40
    public var learningRate = 0.01
    public var batchSize = 128
    public var evaluateOn = EvaluationSet.private
    /// One target pass per batch for all splits, or one split per run (the paper code's way), for comparison.
    public var schedule = InversionTrainingOptions.Schedule.allSplitsInOnePass
    /// rMLE and prior-whitebox: images inverted per split, and optimisation steps.
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
    public var featureBankMiB = InversionTrainingOptions.defaultFeatureBankMiB
    /// The encoding of Z on the wire (key `encoding`: fp32, fp16 or int8; default fp32): every attacker observes
    /// Z quantised and dequantised exactly as `gpz edge --encoding` sends it and the cloud receives it
    /// (`FeatureQuantizer`, INT8 with one scale per sample, as `gpz edge --batch 1`), before any enhancement. At
    /// fp32 the key is left out of the configuration's JSON, so hashes (and scan stores) made before it existed
    /// stay valid; fp16 and int8 are other attacks, with other hashes.
    @OmittedWhenDefault public var encoding: WireEncoding
    /// The defender's noise on what the edge sends (key `noise`, σ relative to each feature's spread on the
    /// target's training images, `FeatureNoise`; default 0, left out of the hash). Every attacker observes Z with
    /// noise (Kerckhoffs: it knows the mechanism and trains on its own noisy aux features), and the split's
    /// `accuracy_as_sent` is the cloud's accuracy on noisy Z.
    @OmittedWhenDefault public var noise: NoiseLevel
    /// The image prior of the `prior` and `prior-whitebox` attackers (`ImagePriorSettings`; key `prior`).
    @OmittedWhenDefault public var prior: ImagePriorSettings

    public init() {}

    enum CodingKeys: String, CodingKey {
        case splits, aux, attacker, defense, epochs, patience, validation, budget, ladder
        case escalationEpochs = "escalation_epochs", learningRate = "lr", batchSize = "batch"
        case evaluateOn = "evaluate_on", schedule, rmleImages = "rmle_images", rmleIterations = "rmle_iterations", seed, seeds
        case evaluateLimit = "evaluate_limit", auxLimit = "aux_limit", featureBankMiB = "feature_bank_mib", encoding
        case prior, noise
    }

    /// Checks every field that can be checked without the checkpoint, naming the first bad one by its key.
    public func validate() throws {
        if splits == .named([]) {
            throw ConfigError(field: "splits", "empty; give all, blocks, or split indices or names")
        }
        try ConfigError.within(1...100_000, epochs, "epochs")
        try ConfigError.within(1...1_000, patience, "patience")
        try ConfigError.within(1...100_000, escalationEpochs, "escalation_epochs")
        if !(validation > 0 && validation < 0.5) {
            throw ConfigError(field: "validation", "\(validation): expected a share in (0, 0.5)")
        }
        if !(budget > 0 && budget <= 1) {
            throw ConfigError(field: "budget", "\(budget): expected a share in (0, 1]")
        }
        if let bad = ladder.first(where: { !($0 > 0 && $0 < 1) }) {
            throw ConfigError(field: "ladder", "\(bad): expected shares in (0, 1), below the full budget 1")
        }
        if ladder != ladder.sorted() || Set(ladder).count != ladder.count {
            throw ConfigError(field: "ladder", "\(ladder): expected distinct shares in increasing order")
        }
        try ConfigError.learningRate(learningRate, "lr")
        try ConfigError.within(1...65_536, batchSize, "batch")
        try ConfigError.atLeast(1, rmleImages, "rmle_images")
        try ConfigError.atLeast(1, rmleIterations, "rmle_iterations")
        try ConfigError.within(1...20, seeds, "seeds")
        try ConfigError.atLeast(1, evaluateLimit, "evaluate_limit")
        try ConfigError.atLeast(1, auxLimit, "aux_limit")
        try ConfigError.within(0...1 << 20, featureBankMiB, "feature_bank_mib")
        if attacker.isWhiteBox && defense != .none {
            throw ConfigError(field: "defense", "\(attacker.rawValue) attacks the plain edge; use defense none with attacker \(attacker.rawValue)")
        }
        try prior.validate()
        try noise.validate("noise")
    }
}
