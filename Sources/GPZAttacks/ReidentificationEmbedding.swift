import Foundation
import GPZData
import GPZTensor

/// The embedding re-identification ranks in: principal components of the attacker's own aux images, never of the
/// target model or of the private images.
///
/// With the images flattened to rows x_n ∈ ℝ^D (D = C·H·W), the mean μ = (1/N) Σ_n x_n and the centred matrix
/// X_c ∈ ℝ^{N×D} with rows x_n − μ, the components Q ∈ ℝ^{D×k} approximate the top-k eigenvectors of the scatter
/// matrix X_cᵀX_c, k = min(`components`, D, N − 1). They come from subspace (block power) iteration from a seeded
/// Gaussian start Q₀:
///
///     Q_{t+1} = orth(X_cᵀ (X_c Q_t))
///
/// where orth is modified Gram–Schmidt on the columns (the tensor backend has no QR or SVD; the products run in
/// float32, the orthonormalisation in Double). Stopping rule: `iterations` steps, or earlier once no column moves
/// by more than 10⁻⁶ (‖q_{t+1} − q_t‖) in a step. Column j's error shrinks like (λ_{j+1}/λ_j)^t, so well-separated
/// leading directions converge within a few steps; trailing columns in a near-degenerate group may stay a mixture
/// of that group, which leaves distances in the embedding almost unchanged. The columns are then ordered by their
/// variance σ_j² = ‖X_c q_j‖² / (N − 1).
///
/// An image's embedding is its coordinates e(x) = Qᵀ(x − μ), and ‖e(r) − e(x)‖² is the eigenfaces distance: the
/// pixel distance within the attacker's principal subspace. The coordinates are not whitened (divided by σ_j):
/// whitening would amplify the low-variance directions, where reconstructions are noisiest, and let that noise
/// decide the ranking.
public struct ReidentificationEmbedding: Sendable {
    /// μ, D values.
    public let mean: [Double]
    /// Q's columns q_j, k of them, each D values, in decreasing order of variance.
    public let components: [[Double]]
    /// σ_j², the aux images' variance along each component.
    public let variances: [Double]

    /// D, the values per image.
    public var dimension: Int { mean.count }

    /// Fits k = min(`components`, D, N − 1) components to `images` [N, C, H, W] (in [0, 1]).
    public static func fit(images: Tensor, components: Int = 32, iterations: Int = 40,
                           seed: UInt64 = 0) throws -> ReidentificationEmbedding {
        try AttackError.check(images.rank == 4 && images.size(0) >= 2,
                              "re-identification embedding: expected at least 2 images [N, C, H, W], got "
                              + "\(images.shape)")
        try AttackError.check(components >= 1 && iterations >= 1,
                              "re-identification embedding: components (\(components)) and iterations (\(iterations)) "
                              + "must be at least 1")
        return try withNoGrad {
            let rows = try images.to(.cpu).to(.float32).flattened(from: 1)
            let (n, d) = (rows.size(0), rows.size(1))
            let mean = try rows.mean(dims: [0], keepDim: true)
            let centred = try rows - mean
            let k = Swift.min(components, d, n - 1)
            var generator = SeededRandom(seed: seed, stream: "re-identification embedding")
            var basis = orthonormalized((0..<k * d).map { _ in gaussian(&generator) }, count: k)
            for _ in 0..<iterations {
                let scattered = try centred.transposed(0, 1).matmul(centred.matmul(matrix(basis, count: k)))
                let next = orthonormalized(try scattered.transposed(0, 1).contiguous().toDoubles(), count: k)
                let moved = (0..<k).map { j in distance(next[j * d..<(j + 1) * d], basis[j * d..<(j + 1) * d]) }
                basis = next
                if moved.max() ?? 0 <= 1e-6 { break }
            }
            let spread = try centred.matmul(matrix(basis, count: k)).square().sum(dims: [0]).toDoubles()
            let order = spread.indices.sorted { spread[$0] > spread[$1] }
            return ReidentificationEmbedding(mean: try mean.toDoubles(),
                                             components: order.map { Array(basis[$0 * d..<($0 + 1) * d]) },
                                             variances: order.map { spread[$0] / Double(n - 1) })
        }
    }

    /// The coordinates Qᵀ(x − μ) of each of `images` [N, C, H, W]: N rows of k values.
    public func embed(_ images: Tensor) throws -> [[Double]] {
        let d = images.rank == 4 ? images.size(1) * images.size(2) * images.size(3) : -1
        try AttackError.check(d == dimension, "re-identification embedding: images \(images.shape) have \(d) values "
                              + "each, the embedding was fitted to \(dimension)")
        return try withNoGrad {
            let rows = try images.to(.cpu).to(.float64).flattened(from: 1) - Tensor(mean, shape: [1, dimension])
            let q = try Tensor(components.flatMap { $0 }, shape: [components.count, dimension]).transposed(0, 1)
            let coordinates = try rows.matmul(q).contiguous().toDoubles()
            let k = components.count
            return (0..<images.size(0)).map { Array(coordinates[$0 * k..<($0 + 1) * k]) }
        }
    }

    /// Modified Gram–Schmidt on the `count` rows of a row-major matrix: each row is made orthogonal to the
    /// ones before it, twice (once is not enough in floating point when a row is nearly in their span), then
    /// scaled to unit length. A row with (almost) nothing left is replaced by the first unit axis orthogonal to
    /// the others, so k stays k.
    static func orthonormalized(_ rows: [Double], count k: Int) -> [Double] {
        let d = rows.count / Swift.max(k, 1)
        var q = rows
        q.withUnsafeMutableBufferPointer { q in
            for j in 0..<k {
                let v = UnsafeMutableBufferPointer(rebasing: q[j * d..<(j + 1) * d])
                let before = norm(UnsafeBufferPointer(v))
                orthogonalize(v, against: q, count: j)
                var axis = 0
                while norm(UnsafeBufferPointer(v)) <= 1e-10 * before, axis < d {
                    for i in 0..<d { v[i] = i == axis ? 1 : 0 }
                    orthogonalize(v, against: q, count: j)
                    axis += 1
                }
                let length = norm(UnsafeBufferPointer(v))
                if length > 0 { for i in 0..<d { v[i] /= length } }
            }
        }
        return q
    }

    /// v less its projections on the first `count` (orthonormal) rows of q, in two passes.
    private static func orthogonalize(_ v: UnsafeMutableBufferPointer<Double>,
                                      against q: UnsafeMutableBufferPointer<Double>, count: Int) {
        let d = v.count
        for _ in 0..<2 {
            for b in 0..<count {
                var projection = 0.0
                for i in 0..<d { projection += v[i] * q[b * d + i] }
                for i in 0..<d { v[i] -= projection * q[b * d + i] }
            }
        }
    }

    private static func norm(_ v: UnsafeBufferPointer<Double>) -> Double {
        var total = 0.0
        for x in v { total += x * x }
        return total.squareRoot()
    }

    /// The D × k float32 matrix whose columns are the `count` rows of `basis`.
    private static func matrix(_ basis: [Double], count k: Int) throws -> Tensor {
        try Tensor(basis, shape: [k, basis.count / k]).to(.float32).transposed(0, 1).contiguous()
    }

    private static func distance(_ a: ArraySlice<Double>, _ b: ArraySlice<Double>) -> Double {
        zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
    }

    /// A standard normal draw (Box–Muller).
    private static func gaussian(_ generator: inout SeededRandom) -> Double {
        let u1 = (Double(generator.next() >> 11) + 1) / Double(1 << 53)
        let u2 = Double(generator.next() >> 11) / Double(1 << 53)
        return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
    }
}
