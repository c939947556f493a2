import GPZModels

/// What the features transmitted at one split look like over the analysed set: the intra-class radii, the
/// global variance and the effective dimension (method §2.1–2.2).
///
/// Symbols: z ∈ ℝ^d the flattened features, N_c the samples of class c, π_c = N_c / N, μ_c the class mean,
/// μ the global mean, Σ the population covariance of z.
public struct SplitStatistics: Codable, Equatable, Sendable {
    /// The split's 1-based index (the paper's `block_idx`).
    public let index: Int
    public let name: String
    /// Per-sample shape of the features.
    public let shape: [Int]
    /// d, the number of values per sample.
    public let dimension: Int
    /// N, the samples analysed.
    public let sampleCount: Int
    /// N_c per class label 0…K−1.
    public let classCounts: [Int]
    /// R_c² = (1/N_c) Σ_{i: y_i = c} ‖z_i − μ_c‖² per class; nil for a class without samples.
    public let classRadii: [Double?]
    /// Labels with no samples in the analysed set (their R_c² is undefined and left out of the class mean).
    public let missingClasses: [Int]
    /// The unweighted mean of R_c² over the classes present, as the paper's code averages it.
    public let meanRadius: Double
    public let minRadius: Double
    public let maxRadius: Double
    /// tr Σ = (1/N) Σ_i ‖z_i − μ‖².
    public let totalVariance: Double
    /// σ² = tr Σ / d, the per-dimension global variance σ_feat².
    public let sigma2: Double
    /// (Σ_c π_c R_c²) / tr Σ ∈ [0, 1]: the share of the total variance left inside the classes; 0 when tr Σ = 0.
    public let intraClassShare: Double
    /// (tr Σ)² / tr Σ², the participation ratio, from a reservoir sample of `effectiveDimensionRows` rows; nil
    /// when fewer than two rows were sampled.
    public let effectiveDimension: Double?
    public let effectiveDimensionRows: Int

    enum CodingKeys: String, CodingKey {
        case index, name, shape
        case dimension = "d"
        case sampleCount = "n"
        case classCounts = "class_counts"
        case classRadii = "r2c"
        case missingClasses = "missing_classes"
        case meanRadius = "r2c_mean"
        case minRadius = "r2c_min"
        case maxRadius = "r2c_max"
        case totalVariance = "total_variance"
        case sigma2
        case intraClassShare = "intra_share"
        case effectiveDimension = "eff_dim"
        case effectiveDimensionRows = "eff_dim_rows"
    }

    /// Class frequencies π_c = N_c / N.
    public var classPriors: [Double] { classCounts.map { Double($0) / Double(sampleCount) } }

    init(point: SplitPoint, moments: ClassConditionalMoments, reservoir: FeatureReservoir) throws {
        try AnalysisError.check(moments.sampleCount > 0,
                                "split \(point.index) (\(point.name)) received no samples: nothing to analyse")
        index = point.index
        name = point.name
        shape = point.shape
        dimension = moments.dimension
        sampleCount = moments.sampleCount
        classCounts = moments.counts
        let radii = moments.radii
        classRadii = radii
        missingClasses = radii.indices.filter { radii[$0] == nil }
        let present = radii.compactMap { $0 }
        meanRadius = present.reduce(0, +) / Double(present.count)
        minRadius = present.min()!
        maxRadius = present.max()!
        totalVariance = try moments.totalVariance()
        sigma2 = totalVariance / Double(dimension)
        intraClassShare = totalVariance > 0 ? moments.withinClassVariance / totalVariance : 0
        effectiveDimension = try reservoir.participationRatio()
        effectiveDimensionRows = reservoir.filled
    }
}
