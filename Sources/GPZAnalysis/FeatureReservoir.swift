import GPZData
import GPZTensor

/// A uniform sample of at most `capacity` feature rows of one split, kept while the set streams past
/// (reservoir sampling, Vitter's Algorithm R), and the effective dimension estimated from it.
///
/// Row t (0-based, counted over all batches) fills slot t while t < capacity; afterwards it replaces slot j for a
/// seeded uniform j ∈ 0…t when j < capacity. The draws depend only on t, so the sample is the same however the
/// set is cut into batches. Rows are stored as float32, capacity × d values at most.
final class FeatureReservoir {
    let capacity: Int
    let dimension: Int
    private var rows: Tensor?
    private(set) var filled = 0
    private var seen = 0
    private var generator: SeededRandom

    init(capacity: Int, dimension: Int, seed: UInt64) {
        self.capacity = capacity
        self.dimension = dimension
        generator = SeededRandom(seed: seed)
    }

    /// Offers the rows of `z` [B, d].
    func add(_ z: Tensor) throws {
        guard capacity > 0 else { return }
        let batch = z.size(0)
        let buffer = try rows ?? Tensor.zeros([capacity, dimension])
        rows = buffer
        let direct = Swift.min(batch, capacity - filled)
        if direct > 0 {
            try buffer.slice(dim: 0, start: filled, end: filled + direct).assign(z.slice(dim: 0, start: 0, end: direct))
            filled += direct
        }
        var replacements: [Int: Int] = [:]
        for row in direct..<batch {
            let slot = generator.below(seen + row + 1)
            if slot < capacity { replacements[slot] = row }
        }
        for (slot, row) in replacements {
            try buffer.slice(dim: 0, start: slot, end: slot + 1).assign(z.slice(dim: 0, start: row, end: row + 1))
        }
        seen += batch
    }

    /// The participation ratio d_eff = (tr Σ)² / tr Σ² of the sampled rows, nil with fewer than two rows.
    ///
    /// With the n sampled rows centred (X_c, n × d), Σ = X_cᵀX_c/n shares its non-zero eigenvalues with the Gram
    /// matrix G = X_c X_cᵀ/n, so tr Σ = tr G and tr Σ² = ‖G‖_F² = ‖X_c X_cᵀ‖_F²/n²: an n × n computation even
    /// when d is large. G is summed over blocks of columns in float64. d_eff is 1 for a single direction and k
    /// for k equal-variance directions; it is 0 when all rows are equal. From n rows it is at most n − 1 and, for
    /// k equal directions, about k/(1 + k/n): read it as a sample estimate.
    func participationRatio(columnBlock: Int = 8_192) throws -> Double? {
        guard filled >= 2, let rows else { return nil }
        let sample = try rows.slice(dim: 0, start: 0, end: filled)
        var gram = try Tensor.zeros([filled, filled], dtype: .float64)
        for start in stride(from: 0, to: dimension, by: columnBlock) {
            let block = try sample.slice(dim: 1, start: start, end: Swift.min(start + columnBlock, dimension))
                .to(.float64)
            let centred = try block - block.mean(dims: [0], keepDim: true)
            gram = try gram + centred.matmul(centred.transposed(0, 1))
        }
        let entries = try gram.toDoubles()
        let trace = stride(from: 0, to: entries.count, by: filled + 1).reduce(0.0) { $0 + entries[$1] }
        let frobeniusSquared = entries.reduce(0.0) { $0 + $1 * $1 }
        return frobeniusSquared > 0 ? trace * trace / frobeniusSquared : 0
    }
}
