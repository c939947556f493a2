/// The a-priori zone that drives GPZ's verdict: the paper's relative-drop rule on a width- and scale-free
/// statistic over block-level candidates, with its stability under resampling of the analysed images.
///
/// For candidates s_0…s_{n−1} (forward order, the classifier output excluded) and the criterion v (by default the
/// intra-class share, see `APrioriCriterion.intraClassShare`), the selected split is s_{a+1}, the split after the
/// largest relative drop p_a = (v_a − v_{a+1}) / v_a: the first split past the feature-to-decision transition.
/// Only the largest drop is used: the paper code's second selection is reported separately, as a second
/// candidate (`APrioriZone.selected`), never as a range.
///
/// Stability: the same rule on each of B bootstrap replicates gives a selection frequency f(s) per candidate. The
/// zone is the most frequent selection (the earlier candidate on ties) and is *clear* when f ≥ `majority`.
public struct StableZone: Codable, Equatable, Sendable {
    /// The criterion's name (`intra_share_drop`).
    public let criterion: String
    /// The candidate splits and their names, in forward order.
    public let candidates: [Int]
    public let candidateNames: [String]
    /// The criterion at each candidate (point estimate) and its relative drop per gap.
    public let values: [Double]
    public let drops: [Double]
    /// The rule on the point estimates.
    public let pointSelection: Int
    /// B, and how often each candidate was selected over the replicates (fractions, one per candidate).
    public let replicates: Int
    public let frequencies: [Double]
    /// The zone: the most frequently selected candidate, and its frequency.
    public let split: Int
    public let splitName: String
    public let frequency: Double
    /// The frequency at or above which the zone is called clear.
    public let majority: Double
    public let clear: Bool
    /// The candidate just before the zone (the deepest feature-level candidate); nil when the zone is the first.
    public let featureSplit: Int?

    enum CodingKeys: String, CodingKey {
        case criterion, candidates, values, drops, replicates, frequencies, split, frequency, majority, clear
        case candidateNames = "candidate_names"
        case pointSelection = "point_selection"
        case splitName = "split_name"
        case featureSplit = "feature_split"
    }

    /// The default majority: two thirds of the replicates.
    public static let defaultMajority = 2.0 / 3.0
}

public enum StableZoneLocator {
    /// The split after the largest relative drop of `values` over `candidates`.
    static func select(candidates: [Int], values: [Double]) throws -> Int {
        try RelativeDropRule().select(splits: candidates, values: values).splits[0]
    }

    /// Locates the zone: `values[i]` is the criterion at `candidates[i]` (named `names[i]`), `replicates[i]` its
    /// B bootstrap values there (the same B at every candidate; empty for no bootstrap).
    public static func locate(criterion: APrioriCriterion, candidates: [Int], names: [String], values: [Double],
                              replicates: [[Double]], majority: Double = StableZone.defaultMajority) throws
        -> StableZone {
        try AnalysisError.check(names.count == candidates.count, "\(candidates.count) candidates, \(names.count) names")
        try AnalysisError.check(candidates.count >= 2, "at least two candidate splits are needed to locate a zone, "
                                + "got \(candidates.count)")
        try AnalysisError.check(majority > 0 && majority <= 1, "the majority must be in (0, 1], got \(majority)")
        let count = replicates.first?.count ?? 0
        try AnalysisError.check(replicates.isEmpty || (replicates.count == candidates.count
                                    && replicates.allSatisfy { $0.count == count }),
                                "bootstrap replicates must give the same number of values at every candidate")
        let point = try select(candidates: candidates, values: values)
        var tally = Array(repeating: 0, count: candidates.count)
        for b in 0..<count {
            let chosen = try select(candidates: candidates, values: replicates.map { $0[b] })
            tally[candidates.firstIndex(of: chosen)!] += 1
        }
        let frequencies = count > 0 ? tally.map { Double($0) / Double(count) }
            : candidates.map { $0 == point ? 1 : 0 }
        let best = SplitSequence.positionsByDecreasingValue(frequencies)[0]
        return StableZone(criterion: criterion.rawValue, candidates: candidates, candidateNames: names,
                          values: values, drops: RelativeDropRule.relativeDrops(values), pointSelection: point,
                          replicates: count, frequencies: frequencies, split: candidates[best],
                          splitName: names[best], frequency: frequencies[best], majority: majority,
                          clear: frequencies[best] >= majority, featureSplit: best > 0 ? candidates[best - 1] : nil)
    }
}
