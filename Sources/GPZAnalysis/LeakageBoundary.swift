import Foundation

/// One split's attack outcome as the verdict reads it: the best decoder an attacker made here (the lowest MSE over
/// every attacker, decoder seed and budget: an attacker keeps its best decoder), turned into the leakage score
/// L = max(0, 1 − MSE / MSE_class-mean), and judged with every deeper attacked split, since the cloud computes
/// their features from this one's.
public struct SplitLeakage: Codable, Equatable, Sendable {
    public let index: Int
    public let name: String
    /// Whether the split is a block-level candidate (a real partition); the classifier output is not.
    public let candidate: Bool
    public let isLogits: Bool
    /// Every run at this split, of every attacker.
    public let runs: [AttackRun]
    /// The attacker whose best decoder has the lowest MSE here (the worst case for the defender).
    public let attacker: String
    /// Its MSEs at the full budget (one per seed and training stage), their mean and sample standard deviation
    /// (nil with one run).
    public let mse: [Double]
    public let mseMean: Double
    public let mseSD: Double?
    /// L of the best decoder (the worst case over seeds and budgets), and the sample standard deviation of L over
    /// the attacker's full-budget runs (nil with one run).
    public let leakage: Double
    public let leakageSD: Double?
    /// The value compared with τ: the largest L at this split or at any deeper attacked split (the monotone
    /// envelope: an attacker who sees Z here can compute Z there and use that split's attack).
    public let leakageUpper: Double
    /// Whether the attack here beat the label-only floor (best MSE below `LeakageBoundary.adequacyMSE`, the
    /// attainable label-only reconstruction's MSE). An attack that did not has failed at this split and is no
    /// evidence of protection.
    public let adequate: Bool
    /// Whether this split's own attack is weaker than a deeper split's (L < the envelope of the deeper splits): a
    /// failed attack here, which the envelope overrules.
    public let weakerThanDeeper: Bool
    /// Whether, for every learned attacker, each of its full-budget runs of its last training stage (the largest
    /// epoch maximum it trained under) stopped on a validation plateau (true when no learned attacker ran here).
    public let converged: Bool
    /// The worst-case attacker's leakage against its share of the aux data (the lowest seed at each budget, runs
    /// of the last training stage); empty without a ladder.
    public let budgetCurve: [BudgetPoint]
    /// Whether the last step of `budgetCurve` raised L by more than its uncertainty (nil with fewer than two points).
    public let budgetRising: Bool?
    /// Whether some run here re-identifies its originals above chance (nil when none measured it).
    public let reidentifies: Bool?
    /// Re-identification here or at any deeper attacked split (the envelope, as for L).
    public let reidentifiesUpper: Bool
    /// Why a split with L_upper ≤ τ is not protected (empty when it is, or when it leaks).
    public let open: [OpenReason]
    /// L_upper ≤ τ, no re-identification above chance, and nothing open: no attacker we ran beat the label-only
    /// floor by more than τ here, with converged attacks whose budget curve had flattened.
    public let protects: Bool
    /// L_upper ≤ τ and no re-identification, but something is open (`open`): nothing is known.
    public let inconclusive: Bool

    enum CodingKeys: String, CodingKey {
        case index, name, candidate, runs, attacker, mse, leakage, adequate, converged, reidentifies, open, protects
        case inconclusive
        case isLogits = "is_logits"
        case mseMean = "mse_mean"
        case mseSD = "mse_sd"
        case leakageSD = "leakage_sd"
        case leakageUpper = "leakage_upper"
        case weakerThanDeeper = "weaker_than_deeper"
        case budgetCurve = "budget_curve"
        case budgetRising = "budget_rising"
        case reidentifiesUpper = "reidentifies_upper"
    }
}

/// The post-hoc boundary from leakage scores: the worst case over attackers, decoder seeds and budgets, the
/// monotone envelope over deeper splits, and the evidence each attack must carry before it can show protection.
///
/// A split *protects* when no attacker we ran beat the label-only floor by more than τ there or at any deeper
/// attacked split (L_upper ≤ τ, L of each split's best decoder), no reconstruction there or deeper re-identifies its
/// original above chance, and the evidence is complete (`OpenReason`): the attack at the split beat the
/// attainable label-only floor (adequate: its best MSE is below what the class the cloud predicts gives an
/// attacker), every learned run of the last training stage converged, and leakage had stopped rising with the
/// attacker's data (the last step of the budget ladder raised L by less than its uncertainty). Where L_upper ≤ τ
/// but something is open, the split is *inconclusive*. The boundary is the first block-level candidate from which
/// every deeper candidate protects; the classifier output is judged separately, since cutting there is no
/// partition.
public struct LeakageBoundary: Codable, Equatable, Sendable {
    /// τ.
    public let threshold: Double
    /// The class-mean oracle MSE that L is relative to.
    public let classMeanMSE: Double
    /// The MSE an attack must beat to count (adequacy): the attainable label-only reconstruction's (the
    /// attacker's aux class means under the cloud's predicted label) where it was measured, else the oracle's.
    public let adequacyMSE: Double
    public let splits: [SplitLeakage]
    /// The first protecting candidate with only protecting candidates after it; nil when none.
    public let boundary: Int?
    /// The deepest candidate before the boundary (leaking); nil when there is no boundary or it is the first.
    public let lastLeaking: Int?
    /// Whether the classifier output protects (nil when it was not attacked).
    public let logitsProtect: Bool?

    enum CodingKeys: String, CodingKey {
        case threshold, splits, boundary
        case classMeanMSE = "class_mean_mse"
        case adequacyMSE = "adequacy_mse"
        case lastLeaking = "last_leaking"
        case logitsProtect = "logits_protect"
    }

    /// The default τ: a split protects when its attack recovers at most 10 % of the error the class-mean image
    /// leaves.
    public static let defaultThreshold = 0.1

    /// The runs at one attacked split.
    public struct SplitRuns: Sendable {
        public var index: Int
        public var name: String
        public var candidate: Bool
        public var isLogits: Bool
        public var runs: [AttackRun]

        public init(index: Int, name: String, candidate: Bool, isLogits: Bool, runs: [AttackRun]) {
            self.index = index
            self.name = name
            self.candidate = candidate
            self.isLogits = isLogits
            self.runs = runs
        }
    }

    /// `outcomes[split][attacker]` are the per-seed MSEs of attackers that are not trained (no convergence or
    /// budget evidence applies) at each attacked split.
    public typealias Outcome = (index: Int, name: String, candidate: Bool, isLogits: Bool, mse: [String: [Double]])

    public init(outcomes: [Outcome], classMeanMSE: Double, adequacyMSE: Double? = nil,
                threshold: Double = defaultThreshold) throws {
        try self.init(splits: outcomes.map { outcome in
            SplitRuns(index: outcome.index, name: outcome.name, candidate: outcome.candidate, isLogits: outcome.isLogits,
                      runs: outcome.mse.sorted { $0.key < $1.key }.flatMap { attacker, values in
                          values.enumerated().map { AttackRun(attacker: attacker, seed: UInt64($0.offset), mse: $0.element) }
                      })
        }, classMeanMSE: classMeanMSE, adequacyMSE: adequacyMSE, threshold: threshold)
    }

    /// `adequacyMSE` (default: `classMeanMSE`) is the label-only floor an attack must beat to count.
    public init(splits outcomes: [SplitRuns], classMeanMSE: Double, adequacyMSE: Double? = nil,
                threshold: Double = defaultThreshold) throws {
        try AnalysisError.check(classMeanMSE > 0 && classMeanMSE.isFinite,
                                "the class-mean MSE must be a positive number, got \(classMeanMSE)")
        try AnalysisError.check(threshold >= 0 && threshold < 1, "the leakage threshold must be in [0, 1), got \(threshold)")
        self.threshold = threshold
        self.classMeanMSE = classMeanMSE
        self.adequacyMSE = adequacyMSE ?? classMeanMSE
        var deeper = (leakage: 0.0, reidentifies: false)
        var judged: [SplitLeakage] = []
        for outcome in outcomes.sorted(by: { $0.index < $1.index }).reversed() {
            let split = try Self.judge(outcome, classMeanMSE: classMeanMSE, adequacyMSE: self.adequacyMSE,
                                       threshold: threshold, deeper: deeper)
            judged.append(split)
            deeper = (split.leakageUpper, split.reidentifiesUpper)
        }
        splits = judged.reversed()
        let candidates = splits.filter(\.candidate)
        let firstOfTail = Self.firstOfProtectingTail(candidates) { $0.protects }
        boundary = firstOfTail.map { candidates[$0].index }
        lastLeaking = firstOfTail.flatMap { $0 > 0 ? candidates[$0 - 1].index : nil }
        logitsProtect = splits.first(where: \.isLogits)?.protects
    }

    /// One split judged from its runs and the envelope of the deeper splits.
    private static func judge(_ outcome: SplitRuns, classMeanMSE: Double, adequacyMSE: Double, threshold: Double,
                              deeper: (leakage: Double, reidentifies: Bool)) throws -> SplitLeakage {
        let runs = outcome.runs.filter(\.mse.isFinite)
        guard let best = runs.min(by: { ($0.mse, $0.attacker) < ($1.mse, $1.attacker) }) else {
            throw AnalysisError("split \(outcome.index) (\(outcome.name)) has no attack outcome")
        }
        let attacker = best.attacker
        func leakage(_ mse: Double) -> Double { 1 - mse / classMeanMSE }
        let full = runs.filter { $0.attacker == attacker && $0.budget >= 1 }
        let mse = full.map(\.mse)
        let leakageSD = standardDeviation(full.map { Swift.max(0, leakage($0.mse)) })
        let own = Swift.max(0, leakage(best.mse))
        let upper = Swift.max(own, deeper.leakage)
        let adequate = best.mse < adequacyMSE
        let curve = budgetCurve(runs.filter { $0.attacker == attacker }, leakage: leakage)
        let rising = budgetRising(curve, runs: runs, classMeanMSE: classMeanMSE, seedSD: leakageSD)
        let learned = runs.filter { $0.converged != nil }
        let converged = Dictionary(grouping: learned.filter { $0.budget >= 1 }, by: \.attacker).values
            .allSatisfy { lastStage($0).allSatisfy { $0.converged == true } }
        var open: [OpenReason] = []
        if !adequate { open.append(.belowFloor) }
        if !converged { open.append(.notConverged) }
        if rising == true { open.append(.budgetRising) }
        if !learned.isEmpty && curve.count < 2 { open.append(.noLadder) }
        let measured = runs.compactMap(\.reidentifies)
        let reidentifies = measured.isEmpty ? nil : measured.contains(true)
        let reidentifiesUpper = reidentifies == true || deeper.reidentifies
        let bounded = upper <= threshold && !reidentifiesUpper
        return SplitLeakage(
            index: outcome.index, name: outcome.name, candidate: outcome.candidate, isLogits: outcome.isLogits,
            runs: outcome.runs, attacker: attacker, mse: mse, mseMean: mse.isEmpty ? best.mse : mean(mse),
            mseSD: standardDeviation(mse), leakage: own, leakageSD: leakageSD, leakageUpper: upper,
            adequate: adequate, weakerThanDeeper: own < deeper.leakage, converged: converged, budgetCurve: curve,
            budgetRising: rising, reidentifies: reidentifies, reidentifiesUpper: reidentifiesUpper,
            open: bounded ? open : [], protects: bounded && open.isEmpty, inconclusive: bounded && !open.isEmpty)
    }

    /// The runs of the last training stage: those trained under the largest epoch maximum.
    private static func lastStage(_ runs: [AttackRun]) -> [AttackRun] {
        guard let top = runs.map(\.epochs).max() else { return [] }
        return runs.filter { $0.epochs == top }
    }

    /// One point per budget from one attacker's learned runs of the last training stage, the lowest seed at each.
    private static func budgetCurve(_ runs: [AttackRun], leakage: (Double) -> Double) -> [BudgetPoint] {
        let stage = lastStage(runs.filter { $0.converged != nil })
        return Dictionary(grouping: stage, by: \.budget).sorted { $0.key < $1.key }.map { budget, group in
            let run = group.min { $0.seed < $1.seed }!
            return BudgetPoint(budget: budget, seed: run.seed, mse: run.mse, leakage: leakage(run.mse))
        }
    }

    /// Whether the last step of the curve raised L by more than its uncertainty u = max(SE_L, sd_seeds), where
    /// SE_L = SE(MSE) / MSE_class-mean is the standard error of the last point's L over the evaluated images and
    /// sd_seeds the spread of L over the attacker's full-budget seeds. Nil with fewer than two points.
    private static func budgetRising(_ curve: [BudgetPoint], runs: [AttackRun], classMeanMSE: Double,
                                     seedSD: Double?) -> Bool? {
        guard curve.count >= 2 else { return nil }
        let last = curve[curve.count - 1], previous = curve[curve.count - 2]
        let error = runs.first { $0.budget == last.budget && $0.seed == last.seed && $0.mse == last.mse }?.mseError ?? 0
        let uncertainty = Swift.max(error / classMeanMSE, seedSD ?? 0)
        return last.leakage - previous.leakage > uncertainty
    }

    /// The position in `candidates` from which every candidate `protects`; nil when the deepest does not.
    static func firstOfProtectingTail(_ candidates: [SplitLeakage], protects: (SplitLeakage) -> Bool) -> Int? {
        candidates.indices.reversed().prefix { protects(candidates[$0]) }.last
    }

    static func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }

    /// The sample standard deviation (n − 1); nil for fewer than two values.
    static func standardDeviation(_ values: [Double]) -> Double? {
        guard values.count > 1 else { return nil }
        let m = mean(values)
        return (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count - 1)).squareRoot()
    }

    /// The splits decoder-seed replicates must settle: every attacked split one seed does not settle as leaking
    /// (`settledByOneSeed`). Each of them protects or is inconclusive after one seed, and any of them could flip
    /// with the next seed (a better decoder), which would move the boundary: the boundary, every split after it
    /// and the logits, and, without a boundary, every split that could still become one.
    ///
    /// - Parameter leakage: the first seed's leakage at every attacked split.
    public static func replicateSplits(_ leakage: [SplitLeakage], threshold: Double) -> [Int] {
        leakage.filter { !settledByOneSeed($0, threshold: threshold) }.map(\.index)
    }

    /// Whether the first seed alone settles a split as leaking: a split is judged by its best decoder and by
    /// every deeper split's, so more seeds can only raise L_upper; once one seed puts it above τ, further seeds
    /// could not make the split protect and are not run.
    public static func settledByOneSeed(_ split: SplitLeakage, threshold: Double) -> Bool {
        split.leakageUpper > threshold || split.reidentifiesUpper
    }
}
