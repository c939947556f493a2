import GPZData

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

    public init() {}

    enum CodingKeys: String, CodingKey {
        case sample, labels, perEpoch = "per_epoch", perEpochSample = "per_epoch_sample"
    }

    /// Checks every field, naming the first bad one by its key.
    public func validate() throws {
        try ConfigError.atLeast(1, sample, "sample")
        try ConfigError.atLeast(1, perEpochSample, "per_epoch_sample")
    }
}
