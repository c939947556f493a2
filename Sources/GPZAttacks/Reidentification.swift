import Foundation
import GPZData

/// Instance re-identification: does a reconstruction tell *which* private image it came from, beyond its class?
///
/// For the reconstruction r_i of original x_i (class c_i), draw K − 1 other private images of class c_i (seeded,
/// without replacement) and rank the K candidates {x_i} ∪ others by their similarity s(r_i, ·) in a space that is
/// not the target's own (an embedding trained on the attacker's data, or SSIM). Trial i scores 1 when x_i is the
/// most similar, 1/m when it ties with m − 1 others at the top, else 0; the top-1 rate is the mean score over the
/// n trials, with a Wilson score interval (95 % by default). Chance is 1/K: the class-mean image, the same for
/// every member of a class, scores chance on average over the draws, because each of the K candidates is then
/// equally likely to be the nearest.
public enum Reidentification {
    /// Top-1 re-identification of n reconstructions among K same-class candidates.
    public struct Result: Codable, Equatable, Sendable {
        /// Candidates per trial, the original included.
        public var candidates: Int
        public var trials: Int
        /// Sum of the trials' scores (ties share the hit).
        public var hits: Double
        public var rate: Double
        /// The Wilson interval of `rate`.
        public var lower: Double
        public var upper: Double
        /// 1/K.
        public var chance: Double

        /// Whether the interval covers chance: re-identification indistinguishable from guessing within the class.
        public var indistinguishableFromChance: Bool { lower <= chance && chance <= upper }
    }

    /// Re-identification with `similarity(i, j)`: how alike reconstruction i and original j are (higher is more
    /// alike); `labels[j]` is original j's class. Every class needs at least `candidates` originals.
    public static func evaluate(labels: [Int], candidates k: Int = 10, seed: UInt64 = 0, z: Double = 1.96,
                                similarity: (Int, Int) throws -> Double) throws -> Result {
        try AttackError.check(k >= 2, "re-identification: expected at least 2 candidates, got \(k)")
        try AttackError.check(!labels.isEmpty, "re-identification: no images")
        var members: [Int: [Int]] = [:]
        for (index, label) in labels.enumerated() { members[label, default: []].append(index) }
        if let small = members.first(where: { $0.value.count < k }) {
            throw AttackError("re-identification: class \(small.key) has \(small.value.count) images, fewer than the "
                              + "\(k) candidates of a trial")
        }
        var generator = SeededRandom(seed: seed, stream: "re-identification")
        var hits = 0.0
        for i in labels.indices {
            let others = members[labels[i]]!.filter { $0 != i }.shuffled(using: &generator).prefix(k - 1)
            let own = try similarity(i, i)
            let scores = try others.map { try similarity(i, $0) }
            guard !scores.contains(where: { $0 > own }) else { continue }
            hits += 1 / Double(1 + scores.filter { $0 == own }.count)
        }
        let (lower, upper) = wilson(successes: hits, trials: labels.count, z: z)
        return Result(candidates: k, trials: labels.count, hits: hits, rate: hits / Double(labels.count),
                      lower: lower, upper: upper, chance: 1 / Double(k))
    }

    /// `evaluate` in an embedding: similarity is the negative squared Euclidean distance between the
    /// reconstruction's and the original's embeddings (each a vector of equal length).
    public static func evaluate(reconstructions: [[Double]], originals: [[Double]], labels: [Int], candidates k: Int = 10,
                                seed: UInt64 = 0) throws -> Result {
        try AttackError.check(reconstructions.count == originals.count && originals.count == labels.count,
                              "re-identification: \(reconstructions.count) reconstructions, \(originals.count) "
                              + "originals and \(labels.count) labels; expected one of each per image")
        return try evaluate(labels: labels, candidates: k, seed: seed) { i, j in
            -zip(reconstructions[i], originals[j]).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        }
    }

    /// The Wilson score interval of a proportion: with p = s/n,
    ///
    ///     centre = (p + z²/2n) / (1 + z²/n),  half = z·√(p(1 − p)/n + z²/4n²) / (1 + z²/n)
    ///
    /// clamped to [0, 1]. It stays inside [0, 1] and keeps its coverage near 0 and 1, where the normal interval
    /// does not.
    public static func wilson(successes: Double, trials n: Int, z: Double = 1.96) -> (lower: Double, upper: Double) {
        guard n > 0 else { return (0, 1) }
        let count = Double(n), p = successes / count, z2 = z * z
        let denominator = 1 + z2 / count
        let centre = (p + z2 / (2 * count)) / denominator
        let half = z * (p * (1 - p) / count + z2 / (4 * count * count)).squareRoot() / denominator
        return (Swift.max(0, centre - half), Swift.min(1, centre + half))
    }
}
