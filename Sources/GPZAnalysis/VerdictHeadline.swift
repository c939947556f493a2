/// Two splits compared the way the paper's claims compare them: a feature-level split before a transition and
/// a decision-level split after it.
public struct SplitPair: Codable, Equatable, Sendable {
    public let feature: Int
    public let featureName: String
    public let decision: Int
    public let decisionName: String
    public let mseFeature: Double
    public let mseDecision: Double
    /// MSE_decision / MSE_feature.
    public let ratio: Double?
    /// 1 − MSE_feature / MSE_decision (the paper's "resistance").
    public let resistance: Double?

    enum CodingKeys: String, CodingKey {
        case feature, decision, ratio, resistance
        case featureName = "feature_name"
        case decisionName = "decision_name"
        case mseFeature = "mse_feature"
        case mseDecision = "mse_decision"
    }

    init(_ feature: SplitLeakage, _ decision: SplitLeakage) {
        self.feature = feature.index
        featureName = feature.name
        self.decision = decision.index
        decisionName = decision.name
        mseFeature = feature.mseMean
        mseDecision = decision.mseMean
        ratio = feature.mseMean > 0 ? decision.mseMean / feature.mseMean : nil
        resistance = decision.mseMean > 0 ? 1 - feature.mseMean / decision.mseMean : nil
    }
}

/// The headline numbers, none of which hangs on a second-largest drop:
/// - `boundaryPair`: the post-hoc boundary against the last leaking candidate before it;
/// - `zonePair`: the a-priori zone's split (first decision-level candidate) against the candidate before it
///   (the deepest feature-level one), the pair the paper's "66 %" resistance is about;
/// - `zoneOverShallowest`: MSE at the zone's split over MSE at the shallowest attacked candidate (the paper's
///   ">4×"); it depends on how well the shallowest split's decoder does;
/// - agreement in candidate positions, and Spearman's ρ of −criterion against MSE next to ρ of depth against MSE
///   over the attacked candidates: a criterion that only follows depth gets the same ρ as depth.
public struct VerdictHeadline: Codable, Equatable, Sendable {
    public let boundaryPair: SplitPair?
    public let zonePair: SplitPair?
    public let zoneOverShallowest: Double?
    public let shallowest: Int?
    /// Candidate positions from the post-hoc boundary to the a-priori zone (positive: the zone is deeper); nil
    /// without a boundary or with a zone that was not attacked.
    public let positionsFromBoundary: Int?
    public let spearmanCriterion: Double?
    public let spearmanDepth: Double?

    public enum CodingKeys: String, CodingKey {
        case shallowest
        case boundaryPair = "boundary_pair"
        case zonePair = "zone_pair"
        case zoneOverShallowest = "zone_over_shallowest"
        case positionsFromBoundary = "positions_from_boundary"
        case spearmanCriterion = "spearman_criterion"
        case spearmanDepth = "spearman_depth"
    }

    public init(zone: StableZone, leakage: LeakageBoundary) throws {
        let attacked = Dictionary(leakage.splits.map { ($0.index, $0) }, uniquingKeysWith: { a, _ in a })
        let candidates = leakage.splits.filter(\.candidate)
        boundaryPair = zip(leakage.lastLeaking.flatMap { attacked[$0] }, leakage.boundary.flatMap { attacked[$0] })
            .map(SplitPair.init)
        let decision = attacked[zone.split]
        zonePair = zip(zone.featureSplit.flatMap { attacked[$0] }, decision).map(SplitPair.init)
        let first = candidates.first
        shallowest = first?.index
        zoneOverShallowest = zip(first, decision).flatMap { $0.mseMean > 0 ? $1.mseMean / $0.mseMean : nil }
        let positions = candidates.map(\.index)
        positionsFromBoundary = zip(leakage.boundary.flatMap { positions.firstIndex(of: $0) },
                                    positions.firstIndex(of: zone.split)).map { $1 - $0 }
        let scored = candidates.filter { zone.candidates.contains($0.index) }
        let criterion = Dictionary(zip(zone.candidates, zone.values), uniquingKeysWith: { a, _ in a })
        if scored.count >= 2 {
            let mse = scored.map(\.mseMean)
            spearmanCriterion = try? RankCorrelation.spearman(scored.map { -criterion[$0.index]! }, mse)
            spearmanDepth = try? RankCorrelation.spearman(scored.map { Double($0.index) }, mse)
        } else {
            spearmanCriterion = nil
            spearmanDepth = nil
        }
    }
}

private func zip<A, B>(_ a: A?, _ b: B?) -> (A, B)? {
    guard let a, let b else { return nil }
    return (a, b)
}
