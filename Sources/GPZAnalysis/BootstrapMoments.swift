import GPZData
import GPZModels
import GPZTensor

/// Bootstrap replicates of the width- and scale-free statistics of a set of splits, from the same single pass
/// over the images as the point estimates (a streaming "Poisson bootstrap").
///
/// Replicate b gives image i the weight w_bi ~ Poisson(1), drawn from a generator seeded by (seed, b, i), where
/// i is the image's position in the analysed set: the weights depend on neither batch sizes nor batch order,
/// and as N grows the scheme approaches resampling N images with replacement. Per replicate b, split and class c
/// it keeps, in float64,
///
///     N_bc = Σ_{i: y_i = c} w_bi,   S_bc = Σ_{i: y_i = c} w_bi z_i ∈ ℝ^d,   Q_bc = Σ_{i: y_i = c} w_bi ‖z_i‖²,
///
/// from which the weighted R_bc² = Q_bc/N_bc − ‖S_bc‖²/N_bc², tr Σ_b = Σ_c Q_bc/N_b − ‖Σ_c S_bc‖²/N_b² and the
/// share (Σ_c N_bc R_bc² / N_b) / tr Σ_b follow. Memory is B·K·d float64 values per split (one [B·K, d] matrix),
/// which is why only the candidate splits are replicated.
public final class BootstrapMoments {
    /// B, the number of replicates.
    public let replicates: Int
    public let classes: Int
    public let seed: UInt64
    public let splits: [SplitPoint]
    private var sums: [Tensor]
    private var squaredNorms: [[Double]]
    private var weights: [Double]
    private var seen = 0

    public init(splits: [SplitPoint], classes: Int, replicates: Int, seed: UInt64) throws {
        try AnalysisError.check(replicates >= 1, "bootstrap replicates must be at least 1, got \(replicates)")
        try AnalysisError.check(classes > 0, "the number of classes must be positive, got \(classes)")
        self.replicates = replicates
        self.classes = classes
        self.seed = seed
        self.splits = splits
        sums = try splits.map { try Tensor.zeros([replicates * classes, $0.elementCount], dtype: .float64) }
        squaredNorms = splits.map { _ in Array(repeating: 0, count: replicates * classes) }
        weights = Array(repeating: 0, count: replicates * classes)
    }

    /// The Poisson(1) weight of image `position` in replicate `replicate`.
    public static func weight(seed: UInt64, replicate: Int, position: Int) -> Int {
        var random = SeededRandom(seed: seed ^ (UInt64(replicate) &* 0xD1B5_4A32_D192_ED03)
                                      ^ (UInt64(position) &* 0x9E37_79B9_7F4A_7C15))
        _ = random.next()
        let u = Double(random.next() >> 11) * 0x1.0p-53
        var k = 0, probability = 0.36787944117144233, cumulative = probability
        while u >= cumulative && k < 20 {
            k += 1
            probability /= Double(k)
            cumulative += probability
        }
        return k
    }

    /// Adds one batch: `flattened[j]` is split j's features [n, d_j] (float64), `labels` the n class labels of
    /// images at positions `seen ..< seen + n` of the analysed set.
    func add(flattened: [Tensor], labels: [Int]) throws {
        let n = labels.count
        guard n > 0 else { return }
        let rows = replicates * classes
        var matrix = Array(repeating: 0.0, count: rows * n)
        for (offset, label) in labels.enumerated() {
            for b in 0..<replicates {
                let w = Double(Self.weight(seed: seed, replicate: b, position: seen + offset))
                guard w > 0 else { continue }
                matrix[(b * classes + label) * n + offset] = w
                weights[b * classes + label] += w
            }
        }
        let assignment = try Tensor(matrix, shape: [rows, n])
        for position in splits.indices {
            let z = flattened[position]
            sums[position] = try sums[position] + assignment.matmul(z)
            let norms = try (z * z).sum(dims: [1]).reshaped([n, 1])
            let added = try assignment.matmul(norms).toDoubles()
            for row in 0..<rows { squaredNorms[position][row] += added[row] }
        }
        seen += n
    }

    /// Per split (in the order of `splits`), the replicates' intra-class shares and class-averaged R_c².
    public func replicateStatistics() throws -> [BootstrapReplicates] {
        try splits.indices.map { position in
            let norms = try (sums[position] * sums[position]).sum(dims: [1]).toDoubles()
            let pooled = try sums[position].reshaped([replicates, classes, splits[position].elementCount])
                .sum(dims: [1])
            let pooledNorms = try (pooled * pooled).sum(dims: [1]).toDoubles()
            var shares: [Double] = [], radii: [Double] = []
            for b in 0..<replicates {
                var total = 0.0, squares = 0.0, within = 0.0, radiusSum = 0.0, present = 0
                for c in 0..<classes {
                    let row = b * classes + c, n = weights[row]
                    guard n > 0 else { continue }
                    let radius = Swift.max(0, squaredNorms[position][row] / n - norms[row] / (n * n))
                    total += n
                    squares += squaredNorms[position][row]
                    within += n * radius
                    radiusSum += radius
                    present += 1
                }
                let variance = total > 0 ? squares / total - pooledNorms[b] / (total * total) : 0
                shares.append(variance > 0 ? within / total / variance : 0)
                radii.append(present > 0 ? radiusSum / Double(present) : 0)
            }
            return BootstrapReplicates(index: splits[position].index, intraClassShare: shares, meanRadius: radii)
        }
    }
}

/// The bootstrap replicates of one split's statistics.
public struct BootstrapReplicates: Codable, Equatable, Sendable {
    public let index: Int
    /// (Σ_c π_c R_c²) / tr Σ of each replicate.
    public let intraClassShare: [Double]
    /// The unweighted class mean of R_c² of each replicate.
    public let meanRadius: [Double]

    public init(index: Int, intraClassShare: [Double], meanRadius: [Double]) {
        self.index = index
        self.intraClassShare = intraClassShare
        self.meanRadius = meanRadius
    }

    enum CodingKeys: String, CodingKey {
        case index
        case intraClassShare = "intra_share"
        case meanRadius = "r2c_mean"
    }

    /// The replicates of `criterion`.
    public func values(_ criterion: APrioriCriterion) -> [Double] {
        criterion == .meanRadius ? meanRadius : intraClassShare
    }
}
