import GPZTensor

/// Streaming first and second moments of one split's features, per class, in float64.
///
/// For each class c it keeps the count N_c, the running mean μ_c (a [K, d] float64 tensor) and the sum of squared
/// deviations M2_c = Σ_{i: y_i = c} ‖z_i − μ_c‖². Memory is O(K·d) whatever the number of samples.
///
/// A batch is first reduced exactly (two passes over the batch: its class means m_c, then
/// M2_c^batch = Σ_{i ∈ batch, y_i = c} ‖z_i − m_c‖²) and then merged into the running values with the pairwise
/// update of Chan, Golub & LeVeque (1979), which never subtracts two large sums of squares:
///
///     n = n_a + n_b,  δ = m_b − μ_a,  μ = μ_a + δ·n_b/n,  M2 = M2_a + M2_b + ‖δ‖²·n_a·n_b/n.
///
/// The textbook shortcut R_c² = E‖z‖² − ‖μ_c‖² can lose every significant digit when the class spread is small next
/// to the class mean, which is exactly the regime the GPZ criterion looks for; the merge above does not.
final class ClassConditionalMoments {
    let classes: Int
    let dimension: Int
    /// N_c.
    private(set) var counts: [Int]
    /// μ_c, one row per class (zero for a class with no samples yet).
    private(set) var means: Tensor
    /// M2_c = Σ_{i: y_i = c} ‖z_i − μ_c‖².
    private(set) var squaredDeviations: [Double]

    init(classes: Int, dimension: Int) throws {
        self.classes = classes
        self.dimension = dimension
        counts = Array(repeating: 0, count: classes)
        means = try Tensor.zeros([classes, dimension], dtype: .float64)
        squaredDeviations = Array(repeating: 0, count: classes)
    }

    var sampleCount: Int { counts.reduce(0, +) }

    /// One batch reduced exactly: its class counts, class means m_c and M2_c^batch.
    struct Batch {
        let counts: [Int]
        let means: Tensor
        let squaredDeviations: [Double]
    }

    /// Reduces a batch `z` [B, d] (float64) whose labels are `labels`, given as a [B, K] float64 one-hot matrix
    /// and its transpose; nil when `z` holds NaN or ±∞ (any such value makes its row's squared deviation
    /// non-finite, since x − m is NaN or ±∞ whenever x is).
    func reduce(_ z: Tensor, labels: [Int], oneHot: Tensor, oneHotTransposed: Tensor) throws -> Batch? {
        var batchCounts = Array(repeating: 0, count: classes)
        for label in labels { batchCounts[label] += 1 }
        let inverseCounts = batchCounts.map { $0 > 0 ? 1 / Double($0) : 0 }
        let batchMeans = try oneHotTransposed.matmul(z) * Tensor(inverseCounts, shape: [classes, 1])
        let deviations = try z - oneHot.matmul(batchMeans)
        let perSample = try (deviations * deviations).sum(dims: [1]).toDoubles()
        guard perSample.allSatisfy(\.isFinite) else { return nil }
        var batchSquaredDeviations = Array(repeating: 0.0, count: classes)
        for (label, value) in zip(labels, perSample) { batchSquaredDeviations[label] += value }
        return Batch(counts: batchCounts, means: batchMeans, squaredDeviations: batchSquaredDeviations)
    }

    /// Merges a reduced batch into the running values (Chan et al.'s pairwise update above).
    func merge(_ batch: Batch) throws {
        let delta = try batch.means - means
        let deltaNorms = try (delta * delta).sum(dims: [1]).toDoubles()
        var weights = Array(repeating: 0.0, count: classes)
        for c in 0..<classes where batch.counts[c] > 0 {
            let before = Double(counts[c]), added = Double(batch.counts[c]), total = before + added
            weights[c] = added / total
            squaredDeviations[c] += batch.squaredDeviations[c] + deltaNorms[c] * before * added / total
            counts[c] += batch.counts[c]
        }
        means = try means + delta * Tensor(weights, shape: [classes, 1])
    }

    /// R_c² = M2_c / N_c = (1/N_c) Σ_{i: y_i = c} ‖z_i − μ_c‖², nil for a class without samples.
    var radii: [Double?] {
        zip(counts, squaredDeviations).map { count, m2 in count > 0 ? m2 / Double(count) : nil }
    }

    /// The population total variance tr Σ = (1/N) Σ_i ‖z_i − μ‖², from the law of total variance:
    ///
    ///     tr Σ = Σ_c π_c R_c² + Σ_c π_c ‖μ_c − μ‖²,   π_c = N_c / N,   μ = Σ_c π_c μ_c,
    ///
    /// the within-class part plus the between-class part, so no separate global accumulator is needed.
    func totalVariance() throws -> Double {
        let n = Double(sampleCount)
        let priors = counts.map { Double($0) / n }
        let globalMean = try Tensor(priors, shape: [1, classes]).matmul(means)
        let offsets = try means - globalMean
        let between = try (offsets * offsets).sum(dims: [1]).toDoubles()
        return zip(priors, between).reduce(withinClassVariance) { $0 + $1.0 * $1.1 }
    }

    /// Σ_c π_c R_c² = (1/N) Σ_c M2_c, the within-class part of tr Σ.
    var withinClassVariance: Double {
        squaredDeviations.reduce(0, +) / Double(sampleCount)
    }
}
