/// The per-split quantity an a-priori rule looks for a drop in.
public enum APrioriCriterion: String, Codable, Sendable, CaseIterable {
    /// The paper code's quantity: the class-averaged R_c² (`r2c_mean`).
    case meanRadius = "paper_r2c_mean_drop"
    /// Ours: the intra-class share (Σ_c π_c R_c²) / tr Σ (`intra_share`).
    ///
    /// Why it is comparable across layers of different width: R_c² is a sum over d coordinates, so a layer that
    /// halves the channels or pools 2×2 shrinks R_c² by a large factor without making classes any tighter, and a
    /// BatchNorm or ReLU rescales it freely. Such drops compete with the real one in the paper's rule. The share
    /// is a ratio of two variances of the same features: it is invariant to any global rescaling and to d, and
    /// by the law of total variance it splits tr Σ into within-class and between-class parts, so it falls only
    /// when the classes separate relative to the spread of the whole representation: the feature-to-decision
    /// transition the GPZ is defined by.
    case intraClassShare = "intra_share_drop"

    /// A one-line statement of the rule, carried in every result.
    public var ruleDescription: String {
        switch self {
        case .meanRadius:
            return "paper code: relative drop (R_prev - R_cur)/R_prev of the class-averaged R_c^2 between "
                + "consecutive candidate splits (0 when R_prev = 0); the split after the largest drop, and the one "
                + "after the second largest unless every gap strictly between them has |drop| < 0.2"
        case .intraClassShare:
            return "the paper code's drop rule applied to the intra-class share (sum_c pi_c R_c^2) / tr Sigma, "
                + "which is invariant to layer width and feature scale"
        }
    }

    /// The JSON key of the statistic the criterion uses.
    public var statisticName: String {
        switch self {
        case .meanRadius: return SplitStatistics.CodingKeys.meanRadius.rawValue
        case .intraClassShare: return SplitStatistics.CodingKeys.intraClassShare.rawValue
        }
    }

    /// The criterion's value at one split.
    public func value(of statistics: SplitStatistics) -> Double {
        switch self {
        case .meanRadius: return statistics.meanRadius
        case .intraClassShare: return statistics.intraClassShare
        }
    }
}

/// An a-priori Golden Partition Zone: where the rule puts it and the numbers that put it there.
public struct APrioriZone: Codable, Equatable, Sendable {
    /// The criterion's name, e.g. `paper_r2c_mean_drop`.
    public let rule: String
    public let ruleDescription: String
    /// The zone's first (smallest-index) split.
    public let first: Int
    /// [first, last] split index of the zone.
    public let range: [Int]
    /// The rule's selected splits, the one after the largest drop first (one or two entries).
    public let selected: [Int]
    /// The candidate splits and the criterion's value at each.
    public let candidates: [Int]
    public let values: [Double]
    /// Relative drop per gap between consecutive candidates.
    public let drops: [Double]
    /// Gap positions (0-based into `drops`) of the largest and second-largest drops.
    public let largestGap: Int
    public let secondGap: Int?

    enum CodingKeys: String, CodingKey {
        case rule, first, range, selected, candidates, values, drops
        case ruleDescription = "description"
        case largestGap = "largest_gap"
        case secondGap = "second_gap"
    }
}

/// Locates the GPZ from feature statistics alone, without attacking (method §2.3).
public enum APrioriLocator {
    /// Applies `rule` to plain numbers: `values[i]` is the criterion at candidate split `candidates[i]`.
    public static func locate(_ criterion: APrioriCriterion, candidates: [Int], values: [Double],
                              rule: RelativeDropRule = RelativeDropRule()) throws -> APrioriZone {
        let selection = try rule.select(splits: candidates, values: values)
        let low = selection.splits.min()!, high = selection.splits.max()!
        return APrioriZone(rule: criterion.rawValue, ruleDescription: criterion.ruleDescription, first: low,
                           range: [low, high], selected: selection.splits, candidates: candidates, values: values,
                           drops: selection.drops, largestGap: selection.largestGap, secondGap: selection.secondGap)
    }

    /// Applies `rule` to the criterion's values in `statistics`, at the splits listed in `candidates` (all the
    /// analysed splits by default).
    public static func locate(_ criterion: APrioriCriterion, statistics: [SplitStatistics],
                              candidates: [Int]? = nil,
                              rule: RelativeDropRule = RelativeDropRule()) throws -> APrioriZone {
        let byIndex = Dictionary(statistics.map { ($0.index, $0) }, uniquingKeysWith: { first, _ in first })
        let chosen = candidates ?? statistics.map(\.index).sorted()
        let values = try chosen.map { index -> Double in
            guard let split = byIndex[index] else {
                throw AnalysisError("candidate split \(index) was not analysed; analysed: "
                                    + statistics.map { String($0.index) }.joined(separator: ", "))
            }
            return criterion.value(of: split)
        }
        return try locate(criterion, candidates: chosen, values: values, rule: rule)
    }
}
