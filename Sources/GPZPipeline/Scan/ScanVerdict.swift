import GPZAnalysis

/// The recommendation and headline numbers of a scan, from its per-split rows and zones.
public enum ScanVerdict {
    /// The earliest attacked split at or after the a-priori zone's first split whose reconstruction MSE reaches
    /// `threshold`; when no split in the zone does, the earliest attacked split anywhere that does (marked as
    /// outside the zone); when none does, no recommendation.
    public static func recommend(splits: [ScanSplit], apriori: APrioriZone, threshold: Double) -> ScanRecommendation {
        let attacked = splits.filter { $0.mse != nil }.sorted { $0.index < $1.index }
        let protects = { (split: ScanSplit) in (split.mse ?? 0) >= threshold }
        let zoneRule = "earliest attacked split at or after the a-priori zone's first split (\(apriori.first)) "
            + "whose reconstruction MSE ≥ \(threshold)"
        if let split = attacked.first(where: { $0.index >= apriori.first && protects($0) }) {
            return recommendation(split, rule: zoneRule, threshold: threshold, inZone: true)
        }
        if let split = attacked.first(where: protects) {
            return recommendation(split, rule: "no split in the a-priori zone reaches MSE ≥ \(threshold); earliest "
                                  + "attacked split anywhere that does", threshold: threshold, inZone: false)
        }
        return ScanRecommendation(split: nil, name: nil,
                                  rule: "no attacked split reaches MSE ≥ \(threshold): every split leaks; no "
                                  + "recommendation", threshold: threshold, mse: nil, edgeMacs: nil, edgeParams: nil,
                                  bytes: nil, inZone: false)
    }

    private static func recommendation(_ split: ScanSplit, rule: String, threshold: Double,
                                       inZone: Bool) -> ScanRecommendation {
        ScanRecommendation(split: split.index, name: split.name, rule: rule, threshold: threshold, mse: split.mse,
                           edgeMacs: split.edgeMacs, edgeParams: split.edgeParams, bytes: split.bytes, inZone: inZone)
    }

    /// MSE at the a-priori zone's first split (or the first attacked split after it) over MSE at the shallowest
    /// attacked split — the paper's ">4×" claim — and the decision level's resistance over the deepest
    /// feature-level split, 1 − MSE_feature / MSE_decision (its "66 %" claim).
    public static func headline(splits: [ScanSplit], apriori: APrioriZone, testAccuracy: Double) -> ScanHeadline {
        let attacked = splits.filter { $0.mse != nil }.sorted { $0.index < $1.index }
        let shallowest = attacked.first
        let zone = attacked.first { $0.index >= apriori.first }
        let feature = attacked.last { $0.index < apriori.first }
        var ratio: Double?, resistance: Double?
        if let low = shallowest?.mse, let high = zone?.mse, low > 0 { ratio = high / low }
        if let low = feature?.mse, let high = zone?.mse, high > 0 { resistance = 1 - low / high }
        return ScanHeadline(mseRatioGpzVsShallowest: ratio, gpzSplit: zone?.index, shallowestSplit: shallowest?.index,
                            featureSplit: feature?.index, resistance: resistance, testAccuracy: testAccuracy)
    }
}
