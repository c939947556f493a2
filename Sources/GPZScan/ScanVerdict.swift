import GPZAnalysis

/// The recommendation of a scan, from the leakage boundary and the a-priori zone.
public enum ScanVerdict {
    /// The post-hoc boundary when there is one (`partition`); else the logits when only they protect
    /// (`no_partition`: the whole network on the edge); else none.
    public static func recommend(splits: [ScanSplit], zone: StableZone, leakage: LeakageBoundary?,
                                 threshold: Double) -> ScanRecommendation {
        let seeds = leakage?.splits.map(\.mse.count).max() ?? 1
        let test = "leakage L = max(0, 1 − MSE/MSE_class-mean) of the strongest attacker, mean + sd over its "
            + "\(seeds) decoder seed\(seeds == 1 ? "" : "s"), at most \(threshold)"
        guard let leakage else {
            return ScanRecommendation(kind: .none, split: nil, name: nil, rule: "no split was attacked", leakage: nil,
                                      leakageUpper: nil, mse: nil, edgeMacs: nil, edgeParams: nil, bytes: nil,
                                      zoneSplit: zone.split, matchesZone: false)
        }
        if let boundary = leakage.boundary, let split = splits.first(where: { $0.index == boundary }) {
            return recommendation(.partition, split, zone: zone,
                                  rule: "the first block-level candidate from which every deeper candidate has \(test)")
        }
        if leakage.logitsProtect == true, let logits = splits.first(where: \.isLogits) {
            return recommendation(.noPartition, logits, zone: zone,
                                  rule: "no block-level candidate has \(test); only the classifier output does, i.e. "
                                  + "the whole network on the edge (no partition)")
        }
        return ScanRecommendation(kind: .none, split: nil, name: nil,
                                  rule: "no attacked split, the logits included, has \(test): every split leaks more "
                                  + "than the class label", leakage: nil,
                                  leakageUpper: nil, mse: nil, edgeMacs: nil, edgeParams: nil, bytes: nil,
                                  zoneSplit: zone.split, matchesZone: false)
    }

    private static func recommendation(_ kind: RecommendationKind, _ split: ScanSplit, zone: StableZone,
                                       rule: String) -> ScanRecommendation {
        ScanRecommendation(kind: kind, split: split.index, name: split.name, rule: rule,
                           leakage: split.leakage?.leakage, leakageUpper: split.leakage?.leakageUpper, mse: split.mse,
                           edgeMacs: split.cost.edgeMACs, edgeParams: split.cost.edgeParameters,
                           bytes: split.cost.bytesFloat32, zoneSplit: zone.split, matchesZone: split.index == zone.split)
    }
}
