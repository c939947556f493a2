import Foundation

/// One split's attack outcome as the verdict reads it: the strongest attacker's reconstruction MSE over its
/// decoder-seed replicates, turned into the leakage score L = max(0, 1 − MSE / MSE_class-mean).
public struct SplitLeakage: Codable, Equatable, Sendable {
    public let index: Int
    public let name: String
    /// Whether the split is a block-level candidate (a real partition); the classifier output is not.
    public let candidate: Bool
    public let isLogits: Bool
    /// The attacker whose mean MSE is lowest here (the worst case for the defender).
    public let attacker: String
    /// Its per-seed MSEs, their mean and sample standard deviation (nil with one seed).
    public let mse: [Double]
    public let mseMean: Double
    public let mseSD: Double?
    /// L per seed, mean and sample standard deviation.
    public let leakage: Double
    public let leakageSD: Double?
    /// L̄ + sd (L̄ alone with one seed): the value compared with the threshold.
    public let leakageUpper: Double
    public let protects: Bool

    enum CodingKeys: String, CodingKey {
        case index, name, candidate, attacker, mse, leakage, protects
        case isLogits = "is_logits"
        case mseMean = "mse_mean"
        case mseSD = "mse_sd"
        case leakageSD = "leakage_sd"
        case leakageUpper = "leakage_upper"
    }
}

/// The post-hoc boundary from leakage scores, with the decoder-seed uncertainty and the worst case over
/// attackers.
///
/// A split *protects* when L̄ + sd ≤ τ for the strongest attacker at that split (sd over decoder seeds; with a
/// single seed, L̄ ≤ τ): its reconstructions are, within the seed spread, no better than what the class label
/// alone gives. The boundary is the first block-level candidate from which every deeper candidate protects; the
/// classifier output is judged separately, since cutting there is no partition.
public struct LeakageBoundary: Codable, Equatable, Sendable {
    /// τ.
    public let threshold: Double
    /// The class-mean oracle MSE that L is relative to.
    public let classMeanMSE: Double
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
        case lastLeaking = "last_leaking"
        case logitsProtect = "logits_protect"
    }

    /// The default τ: a split protects when its attack recovers at most 10 % of the error the class-mean image
    /// leaves.
    public static let defaultThreshold = 0.1

    /// `outcomes[split][attacker]` are the per-seed MSEs of each attacker at each attacked split (index, name,
    /// whether a candidate, whether the logits).
    public init(outcomes: [(index: Int, name: String, candidate: Bool, isLogits: Bool, mse: [String: [Double]])],
                classMeanMSE: Double, threshold: Double = defaultThreshold) throws {
        try AnalysisError.check(classMeanMSE > 0 && classMeanMSE.isFinite,
                                "the class-mean MSE must be a positive number, got \(classMeanMSE)")
        try AnalysisError.check(threshold >= 0 && threshold < 1, "the leakage threshold must be in [0, 1), got \(threshold)")
        self.threshold = threshold
        self.classMeanMSE = classMeanMSE
        splits = try outcomes.sorted { $0.index < $1.index }.map { outcome in
            let means = outcome.mse.filter { !$0.value.isEmpty }.mapValues(Self.mean)
            guard let worst = means.sorted(by: { ($0.value, $0.key) < ($1.value, $1.key) }).first else {
                throw AnalysisError("split \(outcome.index) (\(outcome.name)) has no attack outcome")
            }
            let mse = outcome.mse[worst.key]!
            let leakage = mse.map { Swift.max(0, 1 - $0 / classMeanMSE) }
            let mean = Self.mean(leakage), sd = Self.standardDeviation(leakage)
            let upper = mean + (sd ?? 0)
            return SplitLeakage(index: outcome.index, name: outcome.name, candidate: outcome.candidate,
                                isLogits: outcome.isLogits, attacker: worst.key, mse: mse, mseMean: worst.value,
                                mseSD: Self.standardDeviation(mse), leakage: mean, leakageSD: sd,
                                leakageUpper: upper, protects: upper <= threshold)
        }
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

    /// The splits whose verdict decoder-seed replicates must settle: the boundary and the leaking candidate
    /// before it; without a boundary, the least-leaking candidate (the one that decides "every split leaks") and
    /// the classifier output (which decides whether only "no partition" protects) — less the splits one seed
    /// already settles (`settledByOneSeed`).
    ///
    /// - Parameter leakage: the first seed's leakage at every attacked split.
    public static func replicateSplits(_ leakage: [SplitLeakage], threshold: Double, seeds: Int) -> [Int] {
        let candidates = leakage.filter(\.candidate)
        let tail = firstOfProtectingTail(candidates) { $0.leakageUpper <= threshold }
        let deciding: [SplitLeakage]
        if let tail {
            deciding = (Swift.max(0, tail - 1)...tail).map { candidates[$0] }
        } else {
            let least = candidates.min { ($0.leakage, -$0.index) < ($1.leakage, -$1.index) }
            deciding = (least.map { [$0] } ?? []) + leakage.filter(\.isLogits)
        }
        return deciding.filter { !settledByOneSeed($0, threshold: threshold, seeds: seeds) }.map(\.index)
    }

    /// Whether the first seed alone settles a split as leaking: L ≥ 0 for every seed, so when the first seed's
    /// L₁ exceeds n·τ the mean over n seeds is at least L₁/n > τ whatever the other n − 1 give, and L̄ + sd > τ.
    /// Further seeds could not make the split protect; they are not run.
    public static func settledByOneSeed(_ split: SplitLeakage, threshold: Double, seeds: Int) -> Bool {
        split.leakage > Double(seeds) * threshold
    }
}
