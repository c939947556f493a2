import GPZConfig
import GPZData
import GPZModels

/// Which images and labels the feature statistics at every split are computed from. Each setting's key and default
/// are declared here once; the `analysis` section of a scan file takes them from this type.
public struct AnalysisSettings: ConfigSection {
    /// Class-stratified sample of the target's training images (nil: all of them).
    public var sample: Int? = StratifiedSampler.defaultCount
    /// `true` or `predicted` class labels.
    public var labels = LabelSource.truth
    /// Also record mean R_c² at every split after every training epoch (the Neural Vortex curves).
    public var perEpoch = false
    /// Images analysed after each epoch when `perEpoch` is on.
    public var perEpochSample = 1_000
    /// The splits the zone is located among: `blocks` (block outputs), `all` (every split but the logits), or
    /// a list of split names.
    @ListSpelled public var candidates: SplitSelection = .blocks
    /// Poisson-bootstrap replicates of the statistics at the candidates (0: none), and their seed.
    public var bootstrap = 30
    public var bootstrapSeed: UInt64 = 0
    /// The zone is clear when the most frequent bootstrap selection reaches this share of the replicates.
    public var majority = StableZone.defaultMajority

    public init() {}

    enum CodingKeys: String, CodingKey {
        case sample, labels, perEpoch = "per_epoch", perEpochSample = "per_epoch_sample", candidates, bootstrap
        case bootstrapSeed = "bootstrap_seed", majority
    }

    /// Checks every field, naming the first bad one by its key.
    public func validate() throws {
        try ConfigError.atLeast(1, sample, "sample")
        try ConfigError.atLeast(1, perEpochSample, "per_epoch_sample")
        try ConfigError.within(0...10_000, bootstrap, "bootstrap")
        guard majority > 0.5, majority <= 1 else {
            throw ConfigError(field: "majority", "expected a share above 0.5 and at most 1, got \(majority)")
        }
        if case .named(let names) = candidates, names.count < 2 {
            throw ConfigError(field: "candidates", "expected blocks, all, or a list of at least two split names")
        }
    }
}
