import GPZAnalysis

/// `results.json` of a scan (schema `gpz-scan-results-v2`, documented in docs/scan.md): the configuration and its
/// hashes, the target, one row per split (statistics, attack metrics, edge cost), the two zones and their
/// agreement, the recommendation, the headline numbers, and the time each stage took.
///
/// Everything except `timing` is a function of the configuration: a scan killed and resumed writes the same
/// file as one never interrupted.
public struct ScanResults: Codable, Equatable, Sendable {
    public static let schemaName = "gpz-scan-results-v2"

    public var schema = ScanResults.schemaName
    public var name: String
    public var config: ScanConfig
    public var configHash: String
    public var target: ScanTarget
    public var analysis: ScanAnalysis
    public var attack: ScanAttack
    /// Every split of the model, in order; attack fields are null at splits that were not attacked.
    public var splits: [ScanSplit]
    public var gpz: ScanZones
    public var recommendation: ScanRecommendation
    public var headline: ScanHeadline
    /// Mean R_c² at every split after every epoch (the Neural Vortex curve), when `analysis.per_epoch` is on.
    public var perEpoch: [ScanEpochStatistics]?
    /// Wall seconds per stage in the run that finished the scan (not part of the reproducible result).
    public var timing: [String: Double]

    enum CodingKeys: String, CodingKey {
        case schema, name, config, configHash = "config_hash", target, analysis, attack, splits, gpz, recommendation
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

    enum CodingKeys: String, CodingKey {
        case attacker, defense, auxSource = "aux_source", auxImages = "aux_images", auxSha256 = "aux_sha256"
        case evaluatedImages = "evaluated_images", epochs, attackHash = "attack_hash"
    }
}

/// One split: what is sent (shape, d, bytes), what it costs the edge, how its features are spread, and how well
/// the attack reconstructed the private images from them.
public struct ScanSplit: Codable, Equatable, Sendable {
    public var name: String
    public var index: Int
    public var shape: [Int]
    /// d, the number of values sent per image.
    public var d: Int
    /// Mean over classes of R_c² (mean squared distance of a class's features to its centre), and its range.
    public var r2cMean: Double
    public var r2cMin: Double
    public var r2cMax: Double
    /// Σ_c π_c R_c² / tr Σ: the share of the variance inside classes.
    public var intraShare: Double
    /// σ² = tr Σ / d, the global variance per dimension.
    public var sigma2: Double
    public var effectiveDimension: Double?
    /// Entropy bounds per dimension (method §2.2; the constant H(X) − κ is not estimated).
    public var hGlobalPerDim: Double
    public var hClassMixturePerDim: Double
    public var mse: Double?
    public var mseStd: Double?
    /// The paper code's channel-summed MSE (compatibility column).
    public var mseSumChannels: Double?
    public var psnr: Double?
    public var ssim: Double?
    public var cosine: Double?
    /// Cloud accuracy on the features as sent, when a defence changes them.
    public var accuracyWithDefense: Double?
    /// Reconstruction grid, relative to the run directory.
    public var grid: String?
    public var edgeParams: Int
    public var edgeMacs: Int
    public var bytes: Int

    public init(name: String, index: Int, shape: [Int], d: Int, r2cMean: Double, r2cMin: Double, r2cMax: Double,
                intraShare: Double, sigma2: Double, effectiveDimension: Double?, hGlobalPerDim: Double,
                hClassMixturePerDim: Double, mse: Double?, mseStd: Double?, mseSumChannels: Double?, psnr: Double?,
                ssim: Double?, cosine: Double?, accuracyWithDefense: Double?, grid: String?, edgeParams: Int,
                edgeMacs: Int, bytes: Int) {
        self.name = name
        self.index = index
        self.shape = shape
        self.d = d
        self.r2cMean = r2cMean
        self.r2cMin = r2cMin
        self.r2cMax = r2cMax
        self.intraShare = intraShare
        self.sigma2 = sigma2
        self.effectiveDimension = effectiveDimension
        self.hGlobalPerDim = hGlobalPerDim
        self.hClassMixturePerDim = hClassMixturePerDim
        self.mse = mse
        self.mseStd = mseStd
        self.mseSumChannels = mseSumChannels
        self.psnr = psnr
        self.ssim = ssim
        self.cosine = cosine
        self.accuracyWithDefense = accuracyWithDefense
        self.grid = grid
        self.edgeParams = edgeParams
        self.edgeMacs = edgeMacs
        self.bytes = bytes
    }

    enum CodingKeys: String, CodingKey {
        case name, index, shape, d, r2cMean = "r2c_mean", r2cMin = "r2c_min", r2cMax = "r2c_max"
        case intraShare = "intra_share", sigma2, effectiveDimension = "effective_dimension"
        case hGlobalPerDim = "h_global_per_dim", hClassMixturePerDim = "h_class_mixture_per_dim", mse, mseStd = "mse_std"
        case mseSumChannels = "mse_sum_channels", psnr, ssim, cosine, accuracyWithDefense = "accuracy_with_defense"
        case grid, edgeParams = "edge_params", edgeMacs = "edge_macs", bytes
    }
}

/// The Golden Partition Zone located a priori (from the statistics, several rules) and post hoc (from the
/// attack), and how well they agree.
public struct ScanZones: Codable, Equatable, Sendable {
    /// The paper's rule (mean R_c² drop).
    public var apriori: APrioriZone
    /// Our other a-priori rules (e.g. the intra-class share drop).
    public var aprioriVariants: [APrioriZone]
    public var posthoc: PostHocZone?
    /// One per a-priori rule, in the order apriori, variants.
    public var agreement: [ZoneAgreement]

    enum CodingKeys: String, CodingKey {
        case apriori, aprioriVariants = "apriori_variants", posthoc, agreement
    }
}

/// The split to cut at, and why.
public struct ScanRecommendation: Codable, Equatable, Sendable {
    public var split: Int?
    public var name: String?
    public var rule: String
    public var threshold: Double
    public var mse: Double?
    public var edgeMacs: Int?
    public var edgeParams: Int?
    public var bytes: Int?
    /// Whether the split lies in the a-priori zone (at or after its first split).
    public var inZone: Bool

    enum CodingKeys: String, CodingKey {
        case split, name, rule, threshold, mse, edgeMacs = "edge_macs", edgeParams = "edge_params", bytes
        case inZone = "in_zone"
    }
}

/// The numbers the paper's headline claim is about.
public struct ScanHeadline: Codable, Equatable, Sendable {
    /// MSE at the a-priori zone's first split (or the first attacked split after it) over MSE at the shallowest
    /// attacked split; null when either was not attacked.
    public var mseRatioGpzVsShallowest: Double?
    public var gpzSplit: Int?
    public var shallowestSplit: Int?
    /// The last attacked split before the zone (the deepest feature-level split).
    public var featureSplit: Int?
    /// Inversion resistance of the decision level over the feature level: 1 − MSE(feature split) / MSE(gpz split)
    /// (the quantity behind the paper's "66 % stronger resistance"); null when either was not attacked.
    public var resistance: Double?
    public var testAccuracy: Double

    enum CodingKeys: String, CodingKey {
        case mseRatioGpzVsShallowest = "mse_ratio_gpz_vs_shallowest", gpzSplit = "gpz_split"
        case shallowestSplit = "shallowest_split", featureSplit = "feature_split", resistance
        case testAccuracy = "test_accuracy"
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
