import Foundation
import GPZTensor

extension ReconstructionMetrics {
    /// SSIM per image (Wang et al. 2004), averaged over channels; images must be at least 11 × 11.
    ///
    /// With a Gaussian window w (11 × 11, σ = 1.5, weights summing to 1), per channel and window position:
    ///
    ///     μx = w ∗ x,  μy = w ∗ y,  σx² = w ∗ x² − μx²,  σy² = w ∗ y² − μy²,  σxy = w ∗ (x·y) − μx·μy
    ///     SSIM = (2·μx·μy + C1)(2·σxy + C2) / ((μx² + μy² + C1)(σx² + σy² + C2)),  C1 = (K1·L)², C2 = (K2·L)²
    ///
    /// with K1 = 0.01, K2 = 0.03 and data range L = 1. The map is averaged over the 'valid' window positions
    /// (those where the whole window lies inside the image: (H − 10) × (W − 10) of them), then over channels.
    /// This is scikit-image's `structural_similarity(x̂, x, data_range=1, gaussian_weights=True, sigma=1.5,
    /// use_sample_covariance=False, channel_axis=…)`: it filters with reflected borders and then discards a
    /// 5-pixel border, which leaves the same valid positions. The local moments are population (weighted)
    /// moments, not sample covariances. The filtering is one depthwise convolution over the planes x̂, x, x̂²,
    /// x², x̂·x of every channel, run in float32 (float64 convolutions are about a hundred times slower on the
    /// CPU backend); the moments are then combined in float64. On [0, 1] images this agrees with
    /// scikit-image's all-float64 result to within 2e−7 (the reference test allows 1e−6).
    public static func structuralSimilarity(_ reconstruction: Tensor, _ original: Tensor) throws -> [Double] {
        let (x̂, x) = try prepared(reconstruction, original)
        return try structuralSimilarities(x̂, x)
    }

    /// The normalised 11 × 11 Gaussian window, [11, 11] float64: w[i, j] = g[i]·g[j],
    /// g[k] = exp(−(k − 5)² / (2σ²)) / Σ_k exp(−(k − 5)² / (2σ²)).
    public static func ssimWindow() throws -> Tensor {
        let radius = ssimWindowSize / 2
        let taps = (0..<ssimWindowSize).map { exp(-Double(($0 - radius) * ($0 - radius)) / (2 * ssimSigma * ssimSigma)) }
        let total = taps.reduce(0, +)
        let g = taps.map { $0 / total }
        return try Tensor(g.flatMap { a in g.map { a * $0 } }, shape: [ssimWindowSize, ssimWindowSize])
    }

    /// SSIM of float64 batches of equal shape.
    static func structuralSimilarities(_ x̂: Tensor, _ x: Tensor) throws -> [Double] {
        let (channels, height, width) = (x.size(1), x.size(2), x.size(3))
        try AttackError.check(height >= ssimWindowSize && width >= ssimWindowSize,
                              "SSIM: images \(x.shape) are smaller than the \(ssimWindowSize)×\(ssimWindowSize) window")
        let planes = 5 * channels
        let window = try ssimWindow().to(.float32).reshaped([1, 1, ssimWindowSize, ssimWindowSize])
            .expanded([planes, 1, ssimWindowSize, ssimWindowSize]).contiguous()
        let stacked = try Tensor.cat([x̂, x, x̂ * x̂, x * x, x̂ * x], dim: 1).to(.float32)
        let moments = try stacked.conv2d(weight: window, groups: planes).to(.float64)
        func part(_ k: Int) throws -> Tensor { try moments.slice(dim: 1, start: k * channels, end: (k + 1) * channels) }
        let (μx, μy) = (try part(0), try part(1))
        let μxμy = try μx * μy
        let μx2 = try μx.square(), μy2 = try μy.square()
        let σx2 = try part(2) - μx2, σy2 = try part(3) - μy2, σxy = try part(4) - μxμy
        let c1 = ssimK1 * ssimK1, c2 = ssimK2 * ssimK2
        let numerator = try (2 * μxμy + c1) * (2 * σxy + c2)
        let denominator = try (μx2 + μy2 + c1) * (σx2 + σy2 + c2)
        return try (numerator / denominator).mean(dims: [1, 2, 3]).toDoubles()
    }
}
