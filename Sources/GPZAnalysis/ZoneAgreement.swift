/// How well an a-priori zone (from feature statistics) agrees with the post-hoc zone (from attacks).
///
/// Distances count split indices, i.e. model splits, whichever candidates either locator looked at.
public struct ZoneAgreement: Codable, Equatable, Sendable {
    /// The a-priori zone's first split.
    public let aprioriFirst: Int
    /// The post-hoc first split with MSE ≥ threshold, and the split after the largest MSE jump.
    public let posthocFirst: Int?
    public let posthocJump: Int?
    /// Whether the a-priori first split is the post-hoc first split.
    public let sameFirstSplit: Bool
    /// |a-priori first − post-hoc first| and |a-priori first − post-hoc jump| in splits; nil where the
    /// post-hoc split does not exist.
    public let distance: Int?
    public let jumpDistance: Int?
    /// k, and whether `distance` ≤ k.
    public let k: Int
    public let withinK: Bool
    /// What `score` is (for example `-r2c_mean`): higher should mean harder to invert.
    public let score: String
    /// The splits both the scores and the attacks cover, and Spearman's ρ between score and MSE over them
    /// (average ranks for ties); nil with fewer than two common splits or a constant side.
    public let correlationSplits: [Int]
    public let spearman: Double?

    enum CodingKeys: String, CodingKey {
        case k, score, spearman, distance
        case aprioriFirst = "apriori_first"
        case posthocFirst = "posthoc_first"
        case posthocJump = "posthoc_jump"
        case sameFirstSplit = "same_first_split"
        case jumpDistance = "jump_distance"
        case withinK = "within_k"
        case correlationSplits = "correlation_splits"
    }

    /// Compares `apriori` with `posthoc`; `scores` maps split index to the score named `scoreName`.
    public init(apriori: APrioriZone, posthoc: PostHocZone, scores: [Int: Double], scoreName: String,
                k: Int = 1) throws {
        try AnalysisError.check(k >= 0, "k must not be negative, got \(k)")
        aprioriFirst = apriori.first
        posthocFirst = posthoc.firstAboveThreshold
        posthocJump = posthoc.largestJumpSplit
        sameFirstSplit = posthocFirst == apriori.first
        distance = posthocFirst.map { Swift.abs($0 - apriori.first) }
        jumpDistance = posthocJump.map { Swift.abs($0 - apriori.first) }
        self.k = k
        withinK = distance.map { $0 <= k } ?? false
        score = scoreName
        let common = zip(posthoc.splits, posthoc.mse).filter { scores[$0.0] != nil }
        correlationSplits = common.map(\.0)
        spearman = common.count >= 2
            ? try RankCorrelation.spearman(common.map { scores[$0.0]! }, common.map(\.1)) : nil
    }

    /// Compares `apriori` with `posthoc` using −(criterion value) per split as the score: a smaller radius or
    /// share means tighter classes, which should make inversion harder and the MSE higher.
    public init(apriori: APrioriZone, posthoc: PostHocZone, statistics: [SplitStatistics],
                criterion: APrioriCriterion, k: Int = 1) throws {
        let scores = Dictionary(statistics.map { ($0.index, -criterion.value(of: $0)) },
                                uniquingKeysWith: { first, _ in first })
        try self.init(apriori: apriori, posthoc: posthoc, scores: scores, scoreName: "-\(criterion.statisticName)",
                      k: k)
    }
}
