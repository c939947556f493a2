import GPZAnalysis

/// The recommendation of a scan, from the leakage boundary and the a-priori zone.
public enum ScanVerdict {
    /// The post-hoc boundary when there is one (`partition`); else the logits when only they protect
    /// (`no_partition`: the whole network on the edge); else `inconclusive` when a split leaks no more than τ
    /// but its attack failed (it could not be shown to protect or to leak); else none.
    public static func recommend(splits: [ScanSplit], zone: StableZone, leakage: LeakageBoundary?,
                                 threshold: Double) -> ScanRecommendation {
        let seeds = leakage?.splits.map(\.mse.count).max() ?? 1
        let test = "leakage L = max(0, 1 − MSE/MSE_class-mean) of the best decoder of every attacker over its "
            + "\(seeds) decoder seed\(seeds == 1 ? "" : "s"), there and at every deeper attacked split (the cloud "
            + "computes their features), at most \(threshold), from an attack that beat the label-only floor"
        func nothing(_ kind: RecommendationKind, _ rule: String) -> ScanRecommendation {
            ScanRecommendation(kind: kind, split: nil, name: nil, rule: rule, leakage: nil, leakageUpper: nil, mse: nil,
                               edgeMacs: nil, edgeParams: nil, bytes: nil, zoneSplit: zone.split, matchesZone: false)
        }
        guard let leakage else { return nothing(.none, "no split was attacked") }
        if let boundary = leakage.boundary, let split = splits.first(where: { $0.index == boundary }) {
            return recommendation(.partition, split, zone: zone,
                                  rule: "the first block-level candidate from which every deeper candidate has \(test)")
        }
        if leakage.logitsProtect == true, let logits = splits.first(where: \.isLogits) {
            return recommendation(.noPartition, logits, zone: zone,
                                  rule: "no block-level candidate has \(test); only the classifier output does, i.e. "
                                  + "the whole network on the edge (no partition)")
        }
        let failed = leakage.splits.filter(\.inconclusive).map(\.name)
        if !failed.isEmpty {
            return nothing(.inconclusive, "no split has \(test); at \(failed.joined(separator: ", ")) no attacker "
                           + "beat the label-only floor by more than \(threshold), but no attack there beat the "
                           + "floor at all: a failed attack proves nothing")
        }
        return nothing(.none, "no attacked split, the logits included, has \(test): every split leaks more than the "
                       + "class label")
    }

    private static func recommendation(_ kind: RecommendationKind, _ split: ScanSplit, zone: StableZone,
                                       rule: String) -> ScanRecommendation {
        ScanRecommendation(kind: kind, split: split.index, name: split.name, rule: rule,
                           leakage: split.leakage?.leakage, leakageUpper: split.leakage?.leakageUpper, mse: split.mse,
                           edgeMacs: split.cost.edgeMACs, edgeParams: split.cost.edgeParameters,
                           bytes: split.cost.bytesFloat32, zoneSplit: zone.split, matchesZone: split.index == zone.split)
    }
}
