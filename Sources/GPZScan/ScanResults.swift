import GPZAnalysis
import GPZAttacks
import GPZModels
import GPZTraining

/// `results.json` of a scan (schema `gpz-scan-results-v5`, documented in docs/scan.md; v5 adds the runs behind each
/// split's leakage, early stopping, the budget ladder and re-identification; v4 renamed v3's `gpz` to `zones` and
/// dropped `recommendation.leakage_threshold`, a copy of `config.leakage_threshold`): the configuration and its
/// hashes, the target, one row per split (statistics, attack metrics, edge cost), the two zones and their
/// agreement, the recommendation, the headline numbers, and the time each stage took.
///
/// Everything except `timing` is a function of the configuration: a scan killed and resumed writes the same
/// file as one never interrupted.
public struct ScanResults: Codable, Equatable, Sendable {
    public static let schemaName = "gpz-scan-results-v5"

    public var schema = ScanResults.schemaName
    public var name: String
    public var config: ScanConfig
    public var configHash: String
    public var target: ScanTarget
    public var analysis: ScanAnalysis
    public var attack: ScanAttack
    /// The class-prior reference reconstructions of the evaluated images (null when nothing was attacked).
    public var baselines: ReconstructionBaselines?
    /// Every split of the model, in order; attack fields are null at splits that were not attacked.
    public var splits: [ScanSplit]
    /// The a-priori and post-hoc zones (the Golden Partition Zone) and their agreement.
    public var zones: ScanZones
    public var recommendation: ScanRecommendation
    public var headline: ScanHeadline
    /// Mean R_c² at every split after every epoch (the Neural Vortex curve), when `analysis.per_epoch` is on.
    public var perEpoch: [ScanEpochStatistics]?
    /// Wall seconds per stage in the run that finished the scan (not part of the reproducible result).
    public var timing: [String: Double]

    enum CodingKeys: String, CodingKey {
        case schema, name, config, configHash = "config_hash", target, analysis, attack, baselines, splits, zones
        case recommendation
        case headline, perEpoch = "per_epoch", timing
    }
}

/// The trained target.
public struct ScanTarget: Codable, Equatable, Sendable {
    public var architecture: String
    /// Checkpoint directory, relative to the run directory.
    public var checkpoint: String
    public var trainingHash: String
    public var inputShape: [Int]
    public var parameters: Int
    public var epochs: Int
    /// The epoch whose weights were analysed and attacked: the one with the best test accuracy.
    public var weightsEpoch: Int
    /// Top-1 accuracy on the private (test) images of the analysed weights.
    public var testAccuracy: Double
    /// Accuracy after the last epoch.
    public var lastAccuracy: Double
    public var trainImages: Int
    public var trainSha256: String
    public var privateImages: Int
    /// Test accuracy after each epoch.
    public var history: [Double]

    enum CodingKeys: String, CodingKey {
        case architecture, checkpoint, trainingHash = "training_hash", inputShape = "input_shape", parameters, epochs
        case weightsEpoch = "weights_epoch", testAccuracy = "test_accuracy", lastAccuracy = "last_accuracy", trainImages = "train_images"
        case trainSha256 = "train_sha256", privateImages = "private_images", history
    }

    /// Whether the target was exported from PyTorch and used as it is (`target.model: torchscript:FILE`).
    public var isPretrained: Bool { architecture.hasPrefix(PretrainedModel.scheme) }
}

/// What the statistics were measured on.
public struct ScanAnalysis: Codable, Equatable, Sendable {
    public var images: Int
    public var classes: Int
    public var labels: LabelSource
    public var analysisHash: String

    enum CodingKeys: String, CodingKey { case images, classes, labels, analysisHash = "analysis_hash" }
}

/// Who attacked, with what.
public struct ScanAttack: Codable, Equatable, Sendable {
    public var attacker: String
    public var defense: String
    public var auxSource: String
    public var auxImages: Int
    public var auxSha256: String
    public var evaluatedImages: Int
    public var epochs: Int
    public var attackHash: String
    /// The decoder seeds run, and the splits the first run left open, where the later runs went (seeds, the
    /// budget ladder, trained to convergence).
    public var seeds: [UInt64]
    public var replicatedSplits: [Int]
    /// Early stopping's patience and the aux images held out for it (`aux_images` includes them).
    public var patience: Int
    public var validationImages: Int
    /// The budget ladder's shares and the epoch maximum of the runs at open splits.
    public var ladder: [Double]
    public var escalationEpochs: Int

    enum CodingKeys: String, CodingKey {
        case attacker, defense, auxSource = "aux_source", auxImages = "aux_images", auxSha256 = "aux_sha256"
        case evaluatedImages = "evaluated_images", epochs, attackHash = "attack_hash", seeds, patience, ladder
        case replicatedSplits = "replicated_splits", validationImages = "validation_images"
        case escalationEpochs = "escalation_epochs"
    }
}

/// One split, composed of the result structs of each layer: its feature statistics and entropy bounds, its edge
/// cost, the attack at decoder seed `attack.seed` (null where not attacked), and the verdict's leakage over every
/// seed run there.
public struct ScanSplit: Codable, Equatable, Sendable {
    public var statistics: SplitStatistics
    public var bounds: EntropyBounds
    public var cost: SplitCost
    public var attack: SplitAttackResult?
    public var leakage: SplitLeakage?
    /// Whether the split is a candidate of the zone (block-level, not the logits).
    public var candidate: Bool
    /// The paper's comparison: channel-summed MSE ≥ `privacy_threshold` (null where not attacked).
    public var paperThresholdProtects: Bool?

    public init(statistics: SplitStatistics, bounds: EntropyBounds, cost: SplitCost, attack: SplitAttackResult?,
                leakage: SplitLeakage?, candidate: Bool, paperThresholdProtects: Bool?) {
        self.statistics = statistics
        self.bounds = bounds
        self.cost = cost
        self.attack = attack
        self.leakage = leakage
        self.candidate = candidate
        self.paperThresholdProtects = paperThresholdProtects
    }

    enum CodingKeys: String, CodingKey {
        case statistics, bounds, cost, attack, leakage, candidate
        case paperThresholdProtects = "paper_threshold_protects"
    }

    public var index: Int { statistics.index }
    public var name: String { statistics.name }
    /// Whether this is the classifier output (cutting there is no partition).
    public var isLogits: Bool { name == SplitPoint.logitsName }
    /// The verdict's MSE: the strongest attacker's mean over seeds, else the seed-`attack.seed` attack's.
    public var mse: Double? { leakage?.mseMean ?? attack?.mse }
}

/// The zone located a priori (the verdict's stable share rule and the paper's raw-R_c² rule, over the same
/// candidates) and post hoc (leakage against the class-prior floor; the paper's absolute threshold as a
/// comparison).
public struct ScanZones: Codable, Equatable, Sendable {
    public var zone: StableZone
    /// The paper code's rule on raw R_c² over the candidates; its one or two selections are two candidates.
    public var paperRule: APrioriZone
    public var leakage: LeakageBoundary?
    /// The first split whose channel-summed MSE reaches the paper's threshold (comparison only).
    public var paperThreshold: PostHocZone?

    enum CodingKeys: String, CodingKey {
        case zone, leakage, paperRule = "paper_rule", paperThreshold = "paper_threshold"
    }
}

/// What the verdict recommends.
public enum RecommendationKind: String, Codable, Sendable {
    /// A block-level split protects: cut there.
    case partition
    /// Only the classifier output protects: the whole network on the edge.
    case noPartition = "no_partition"
    /// Every attacked split, the logits included, leaks more than the class label.
    case none
    /// No split is shown to leak where it matters, but the attack there failed (no better than the label-only
    /// floor): a failed attack proves nothing, so nothing is recommended.
    case inconclusive
}

/// The split to cut at, and why.
public struct ScanRecommendation: Codable, Equatable, Sendable {
    public var kind: RecommendationKind
    public var split: Int?
    public var name: String?
    public var rule: String
    public var leakage: Double?
    public var leakageUpper: Double?
    public var mse: Double?
    public var edgeMacs: Int?
    public var edgeParams: Int?
    public var bytes: Int?
    /// The a-priori zone's split, and whether the recommendation is that split.
    public var zoneSplit: Int
    public var matchesZone: Bool

    enum CodingKeys: String, CodingKey {
        case kind, split, name, rule, leakage, mse, bytes
        case leakageUpper = "leakage_upper", edgeMacs = "edge_macs"
        case edgeParams = "edge_params", zoneSplit = "zone_split", matchesZone = "matches_zone"
    }
}

/// The headline numbers (`VerdictHeadline`: the boundary pair, the feature/decision pair of the zone, the ratio
/// to the shallowest split, agreement in candidate positions, ρ against a depth-only ρ) and the target's
/// accuracy, in one flat object.
public struct ScanHeadline: Codable, Equatable, Sendable {
    public var verdict: VerdictHeadline?
    public var testAccuracy: Double

    public init(verdict: VerdictHeadline?, testAccuracy: Double) {
        self.verdict = verdict
        self.testAccuracy = testAccuracy
    }

    enum CodingKeys: String, CodingKey { case testAccuracy = "test_accuracy" }

    public init(from decoder: Decoder) throws {
        testAccuracy = try decoder.container(keyedBy: CodingKeys.self).decode(Double.self, forKey: .testAccuracy)
        let keys = try decoder.container(keyedBy: VerdictHeadline.CodingKeys.self).allKeys
        verdict = keys.isEmpty ? nil : try VerdictHeadline(from: decoder)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(testAccuracy, forKey: .testAccuracy)
        try verdict?.encode(to: encoder)
    }
}

/// Mean R_c² and the intra-class share at every split after one training epoch.
public struct ScanEpochStatistics: Codable, Equatable, Sendable {
    public var epoch: Int
    public var testAccuracy: Double
    public var r2cMean: [Double]
    public var intraShare: [Double]

    enum CodingKeys: String, CodingKey {
        case epoch, testAccuracy = "test_accuracy", r2cMean = "r2c_mean", intraShare = "intra_share"
    }
}

/// Read-only views of the composed row, for tables and charts.
extension ScanSplit {
    public var shape: [Int] { statistics.shape }
    public var d: Int { statistics.dimension }
    public var r2cMean: Double { statistics.meanRadius }
    public var r2cMin: Double { statistics.minRadius }
    public var r2cMax: Double { statistics.maxRadius }
    public var intraShare: Double { statistics.intraClassShare }
    public var sigma2: Double { statistics.sigma2 }
    public var effectiveDimension: Double? { statistics.effectiveDimension }
    public var hGlobalPerDim: Double { bounds.globalPerDimension }
    public var hClassMixturePerDim: Double { bounds.classMixturePerDimension }
    public var bytes: Int { cost.bytesFloat32 }
    public var edgeParams: Int { cost.edgeParameters }
    public var edgeMacs: Int { cost.edgeMACs }
    /// The spread of the verdict's MSE: over decoder seeds where several ran, else over images.
    public var mseStd: Double? { leakage?.mseSD ?? attack?.mseStd }
    public var mseSumChannels: Double? { attack?.mseSumChannels }
    public var psnr: Double? { attack?.psnr }
    public var ssim: Double? { attack?.ssim }
    public var cosine: Double? { attack?.cosine }
    public var accuracyWithDefense: Double? { attack?.accuracyWithDefense }
    public var grid: String? { attack?.grid }
}
