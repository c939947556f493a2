import Foundation

/// One split's attack outcome as the verdict reads it: the best decoder an attacker made here (the lowest MSE over
/// every attacker and decoder seed: an attacker keeps its best decoder), turned into the leakage score
/// L = max(0, 1 − MSE / MSE_class-mean), and judged with every deeper attacked split, since the cloud computes
/// their features from this one's.
public struct SplitLeakage: Codable, Equatable, Sendable {
    public let index: Int
    public let name: String
    /// Whether the split is a block-level candidate (a real partition); the classifier output is not.
    public let candidate: Bool
    public let isLogits: Bool
    /// The attacker whose best decoder has the lowest MSE here (the worst case for the defender).
    public let attacker: String
    /// Its per-seed MSEs, their mean and sample standard deviation (nil with one seed).
    public let mse: [Double]
    public let mseMean: Double
    public let mseSD: Double?
    /// L of the best decoder (the worst case over seeds), and the sample standard deviation of L over the
    /// attacker's seeds (nil with one seed).
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
    /// L_upper ≤ τ from an adequate attack: no attacker we ran beat the label-only floor by more than τ here.
    public let protects: Bool
    /// L_upper ≤ τ but the attack here failed (no better than the label-only floor): nothing is known.
    public let inconclusive: Bool

    enum CodingKeys: String, CodingKey {
        case index, name, candidate, attacker, mse, leakage, protects, adequate, inconclusive
        case isLogits = "is_logits"
        case mseMean = "mse_mean"
        case mseSD = "mse_sd"
        case leakageSD = "leakage_sd"
        case leakageUpper = "leakage_upper"
        case weakerThanDeeper = "weaker_than_deeper"
    }
}

/// The post-hoc boundary from leakage scores: the worst case over attackers and decoder seeds, the monotone
/// envelope over deeper splits, and the adequacy of each attack.
///
/// A split *protects* when no attacker we ran beat the label-only floor by more than τ there or at any deeper
/// attacked split (L_upper ≤ τ, L of each split's best decoder), and the attack at the split itself beat that floor
/// (adequate: its best MSE is below the attainable label-only floor, what the class the cloud predicts gives an
/// attacker). Where L_upper ≤ τ but the attack failed, the split is *inconclusive*: a decoder no better than a
/// label-only guess proves nothing. The boundary is the first block-level candidate from which every deeper
/// candidate protects; the classifier output is judged separately, since cutting there is no partition.
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

    /// `outcomes[split][attacker]` are the per-seed MSEs of each attacker at each attacked split (index, name,
    /// whether a candidate, whether the logits).
    public typealias Outcome = (index: Int, name: String, candidate: Bool, isLogits: Bool, mse: [String: [Double]])

    /// `adequacyMSE` (default: `classMeanMSE`) is the label-only floor an attack must beat to count.
    public init(outcomes: [Outcome], classMeanMSE: Double, adequacyMSE: Double? = nil,
                threshold: Double = defaultThreshold) throws {
        try AnalysisError.check(classMeanMSE > 0 && classMeanMSE.isFinite,
                                "the class-mean MSE must be a positive number, got \(classMeanMSE)")
        try AnalysisError.check(threshold >= 0 && threshold < 1, "the leakage threshold must be in [0, 1), got \(threshold)")
        self.threshold = threshold
        self.classMeanMSE = classMeanMSE
        self.adequacyMSE = adequacyMSE ?? classMeanMSE
        let own = try outcomes.sorted { $0.index < $1.index }.map { outcome -> (Outcome, String, Double) in
            let best = outcome.mse.filter { !$0.value.isEmpty }.mapValues { $0.min()! }
            guard let worst = best.sorted(by: { ($0.value, $0.key) < ($1.value, $1.key) }).first else {
                throw AnalysisError("split \(outcome.index) (\(outcome.name)) has no attack outcome")
            }
            return (outcome, worst.key, worst.value)
        }
        var deeper = 0.0
        var judged: [SplitLeakage] = []
        for (outcome, attacker, best) in own.reversed() {
            let mse = outcome.mse[attacker]!
            let leakage = Swift.max(0, 1 - best / classMeanMSE)
            let upper = Swift.max(leakage, deeper)
            let adequate = best < self.adequacyMSE
            judged.append(SplitLeakage(
                index: outcome.index, name: outcome.name, candidate: outcome.candidate, isLogits: outcome.isLogits,
                attacker: attacker, mse: mse, mseMean: Self.mean(mse), mseSD: Self.standardDeviation(mse),
                leakage: leakage, leakageSD: Self.standardDeviation(mse.map { Swift.max(0, 1 - $0 / classMeanMSE) }),
                leakageUpper: upper, adequate: adequate, weakerThanDeeper: leakage < deeper,
                protects: upper <= threshold && adequate, inconclusive: upper <= threshold && !adequate))
            deeper = upper
        }
        splits = judged.reversed()
        let candidates = splits.filter(\.candidate)
        let firstOfTail = Self.firstOfProtectingTail(candidates) { $0.protects }
        boundary = firstOfTail.map { candidates[$0].index }
        lastLeaking = firstOfTail.flatMap { $0 > 0 ? candidates[$0 - 1].index : nil }
        logitsProtect = splits.first(where: \.isLogits)?.protects
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
        split.leakageUpper > threshold
    }
}
