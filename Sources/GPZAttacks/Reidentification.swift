import Foundation
import GPZData
import GPZTensor

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

        public init(candidates: Int, trials: Int, hits: Double, rate: Double, lower: Double, upper: Double,
                    chance: Double) {
            (self.candidates, self.trials, self.hits, self.rate) = (candidates, trials, hits, rate)
            (self.lower, self.upper, self.chance) = (lower, upper, chance)
        }

        /// Whether the interval covers chance: re-identification indistinguishable from guessing within the class.
        public var indistinguishableFromChance: Bool { lower <= chance && chance <= upper }
    }

    /// Both similarities' results for one set of reconstructions.
    public struct Measured: Codable, Equatable, Sendable {
        /// In the attacker's PCA embedding (`ReidentificationEmbedding`).
        public var embedding: Result
        /// By SSIM.
        public var ssim: Result

        public init(embedding: Result, ssim: Result) {
            self.embedding = embedding
            self.ssim = ssim
        }

        /// The higher of the two rates: the worst case for the defender.
        public var worst: Result { ssim.rate > embedding.rate ? ssim : embedding }

        /// Whether both intervals cover chance.
        public var indistinguishableFromChance: Bool {
            embedding.indistinguishableFromChance && ssim.indistinguishableFromChance
        }
    }

    /// Re-identification of `reconstructions` [N, C, H, W] of `originals` (same shape, [0, 1]; `labels[i]` the
    /// class of original i) in `embedding` (negative squared distance) and by SSIM, on the same seeded trials.
    /// SSIM is computed only for the N·K pairs the trials compare, in batches of about 2²⁰ values a side.
    public static func measure(reconstructions: Tensor, originals: Tensor, labels: [Int],
                               embedding: ReidentificationEmbedding, candidates k: Int = 10,
                               seed: UInt64 = 0) throws -> Measured {
        try AttackError.check(reconstructions.shape == originals.shape && originals.rank == 4
                              && originals.size(0) == labels.count,
                              "re-identification: reconstructions \(reconstructions.shape), originals "
                              + "\(originals.shape) and \(labels.count) labels; expected equal [N, C, H, W] shapes "
                              + "and one label per image")
        let trials = try self.trials(labels: labels, candidates: k, seed: seed)
        let inEmbedding = try evaluate(reconstructions: embedding.embed(reconstructions),
                                       originals: embedding.embed(originals), labels: labels, candidates: k, seed: seed)
        let ssim = try withNoGrad {
            try pairedSSIM(trials: trials, reconstructions: reconstructions.to(.cpu), originals: originals.to(.cpu))
        }
        let bySSIM = try score(trials: trials) { i, j in ssim[i][j]! }
        return Measured(embedding: inEmbedding, ssim: bySSIM)
    }

    /// SSIM(r_i, x_j) for every candidate j of every trial i, as one lookup per trial.
    private static func pairedSSIM(trials: [[Int]], reconstructions: Tensor,
                                   originals: Tensor) throws -> [[Int: Double]] {
        let pairs = trials.enumerated().flatMap { i, trial in trial.map { (i, $0) } }
        let chunk = Swift.max(1, (1 << 20) / Swift.max(1, originals.count / originals.size(0)))
        var ssim = [[Int: Double]](repeating: [:], count: trials.count)
        for start in stride(from: 0, to: pairs.count, by: chunk) {
            let part = pairs[start..<Swift.min(start + chunk, pairs.count)]
            let values = try ReconstructionMetrics.structuralSimilarity(
                reconstructions.indexSelect(dim: 0, part.map(\.0)), originals.indexSelect(dim: 0, part.map(\.1)))
            for ((i, j), value) in zip(part, values) { ssim[i][j] = value }
        }
        return ssim
    }

    /// Re-identification with `similarity(i, j)`: how alike reconstruction i and original j are (higher is more
    /// alike); `labels[j]` is original j's class. Every class needs at least `candidates` originals.
    public static func evaluate(labels: [Int], candidates k: Int = 10, seed: UInt64 = 0, z: Double = 1.96,
                                similarity: (Int, Int) throws -> Double) throws -> Result {
        try score(trials: try trials(labels: labels, candidates: k, seed: seed), z: z, similarity: similarity)
    }

    /// Trial i's candidates: i first, then K − 1 other images of its class, drawn seeded without replacement.
    static func trials(labels: [Int], candidates k: Int, seed: UInt64) throws -> [[Int]] {
        try AttackError.check(k >= 2, "re-identification: expected at least 2 candidates, got \(k)")
        try AttackError.check(!labels.isEmpty, "re-identification: no images")
        var members: [Int: [Int]] = [:]
        for (index, label) in labels.enumerated() { members[label, default: []].append(index) }
        if let small = members.sorted(by: { $0.key < $1.key }).first(where: { $0.value.count < k }) {
            throw AttackError("re-identification: class \(small.key) has \(small.value.count) images, fewer than the "
                              + "\(k) candidates of a trial")
        }
        var generator = SeededRandom(seed: seed, stream: "re-identification")
        return labels.indices.map { i in
            [i] + members[labels[i]]!.filter { $0 != i }.shuffled(using: &generator).prefix(k - 1)
        }
    }

    /// Scores trials (each [original, others…]): 1 when the original is the most similar, 1/m when it ties with
    /// m − 1 others at the top, else 0.
    static func score(trials: [[Int]], z: Double = 1.96, similarity: (Int, Int) throws -> Double) throws -> Result {
        var hits = 0.0
        for (i, trial) in trials.enumerated() {
            let own = try similarity(i, trial[0])
            let scores = try trial.dropFirst().map { try similarity(i, $0) }
            guard !scores.contains(where: { $0 > own }) else { continue }
            hits += 1 / Double(1 + scores.filter { $0 == own }.count)
        }
        let (lower, upper) = wilson(successes: hits, trials: trials.count, z: z)
        return Result(candidates: trials.first?.count ?? 0, trials: trials.count, hits: hits,
                      rate: hits / Double(trials.count), lower: lower, upper: upper,
                      chance: 1 / Double(trials.first?.count ?? 1))
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
