/// The Golden Partition Zone read off attack outcomes: where the private-test reconstruction MSE of the
/// inversion attack leaves the high-fidelity regime.
public struct PostHocZone: Codable, Equatable, Sendable {
    /// The MSE threshold of high-fidelity reconstruction.
    public let threshold: Double
    /// The attacked splits (forward order) and the attack MSE at each.
    public let splits: [Int]
    public let mse: [Double]
    /// The first split with MSE ≥ threshold; nil when the attack reconstructs well everywhere.
    public let firstAboveThreshold: Int?
    /// MSE_{i+1} − MSE_i for every gap between consecutive splits.
    public let jumps: [Double]
    /// The split after the largest jump (the earliest on ties); nil with a single split.
    public let largestJumpSplit: Int?

    enum CodingKeys: String, CodingKey {
        case threshold, splits, mse, jumps
        case firstAboveThreshold = "first_above_threshold"
        case largestJumpSplit = "largest_jump_split"
    }
}

/// Locates the GPZ post hoc from per-split attack MSE values (method §2.3: "MSE < 0.02 as the empirical
/// threshold for high-fidelity reconstruction").
public enum PostHocLocator {
    /// The paper's high-fidelity threshold.
    public static let defaultThreshold = 0.02

    /// `mse[i]` is the attack's private-test MSE at split `splits[i]` (strictly increasing).
    public static func locate(splits: [Int], mse: [Double], threshold: Double = defaultThreshold) throws -> PostHocZone {
        try SplitSequence.validate(splits: splits, values: mse, what: "MSE", minimum: 1)
        try AnalysisError.check(threshold.isFinite, "the MSE threshold must be finite, got \(threshold)")
        let jumps = zip(mse, mse.dropFirst()).map { $1 - $0 }
        let largest = SplitSequence.positionsByDecreasingValue(jumps).first
        return PostHocZone(threshold: threshold, splits: splits, mse: mse,
                           firstAboveThreshold: zip(splits, mse).first { $0.1 >= threshold }?.0,
                           jumps: jumps, largestJumpSplit: largest.map { splits[$0 + 1] })
    }
}
