import GPZAnalysis

/// The recommendation of a scan, from the leakage boundary and the a-priori zone.
public enum ScanVerdict {
    /// The post-hoc boundary when there is one (`partition`); else the logits when only they protect
    /// (`no_partition`: the whole network on the edge); else `inconclusive` when a split leaks no more than τ
    /// but the evidence there is incomplete (a failed or unconverged attack, a budget curve still rising); else
    /// none.
    public static func recommend(splits: [ScanSplit], zone: StableZone, leakage: LeakageBoundary?,
                                 threshold: Double) -> ScanRecommendation {
        let test = "no attacker we ran (\(leakage.map(attackers) ?? "none")) beat the label-only floor by more than "
            + "\(threshold) in leakage L = max(0, 1 − MSE/MSE_class-mean) there or at any deeper attacked split (the "
            + "cloud computes their features), no reconstruction re-identified its original above chance, and the "
            + "attack there converged, beat the floor and had stopped gaining from more data"
        func nothing(_ kind: RecommendationKind, _ rule: String) -> ScanRecommendation {
            ScanRecommendation(kind: kind, split: nil, name: nil, rule: rule, leakage: nil, leakageUpper: nil, mse: nil,
                               edgeMacs: nil, edgeParams: nil, bytes: nil, zoneSplit: zone.split, matchesZone: false)
        }
        guard let leakage else { return nothing(.none, "no split was attacked") }
        if let boundary = leakage.boundary, let split = splits.first(where: { $0.index == boundary }) {
            return recommendation(.partition, split, zone: zone,
                                  rule: "the first block-level candidate from which on, at every candidate, \(test)")
        }
        if leakage.logitsProtect == true, let logits = splits.first(where: \.isLogits) {
            return recommendation(.noPartition, logits, zone: zone,
                                  rule: "only at the classifier output, i.e. with the whole network on the edge (no "
                                  + "partition), \(test)")
        }
        let open = leakage.splits.filter(\.inconclusive)
        if !open.isEmpty {
            let reasons = open.map { "\($0.name) (\($0.open.map(\.text).joined(separator: "; ")))" }
            return nothing(.inconclusive, "no split is shown to protect: at \(reasons.joined(separator: ", ")) no "
                           + "attacker beat the label-only floor by more than \(threshold), but the evidence is "
                           + "incomplete, and an attack that failed or had not finished learning proves nothing")
        }
        return nothing(.none, "every attacked split, the logits included, leaks: at each, an attacker we ran "
                       + "(\(attackers(leakage))) beat the label-only floor by more than \(threshold) in leakage "
                       + "L = max(0, 1 − MSE/MSE_class-mean) there or at a deeper attacked split (the cloud computes "
                       + "their features), or its reconstructions re-identified their originals above chance")
    }

    /// The attackers behind the verdict: each with its seeds, its shares of the aux data and its epoch maximum.
    public static func attackers(_ leakage: LeakageBoundary) -> String {
        let runs = leakage.splits.flatMap(\.runs)
        return Dictionary(grouping: runs, by: \.attacker).sorted { $0.key < $1.key }.map { attacker, runs in
            let seeds = Set(runs.map(\.seed)).count
            let budgets = Set(runs.map(\.budget)).sorted().map { ScanRunner.percent($0) }
            let epochs = runs.map(\.epochs).max() ?? 0
            return "\(attacker): \(seeds) seed\(seeds == 1 ? "" : "s"), aux data \(budgets.joined(separator: ", "))"
                + (epochs > 0 ? ", at most \(epochs) epochs" : "")
        }.joined(separator: "; ")
    }

    private static func recommendation(_ kind: RecommendationKind, _ split: ScanSplit, zone: StableZone,
                                       rule: String) -> ScanRecommendation {
        ScanRecommendation(kind: kind, split: split.index, name: split.name, rule: rule,
                           leakage: split.leakage?.leakage, leakageUpper: split.leakage?.leakageUpper, mse: split.mse,
                           edgeMacs: split.cost.edgeMACs, edgeParams: split.cost.edgeParameters,
                           bytes: split.cost.bytesFloat32, zoneSplit: zone.split, matchesZone: split.index == zone.split)
    }
}
