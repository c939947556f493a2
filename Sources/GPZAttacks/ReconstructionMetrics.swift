import Foundation
import GPZTensor

/// The quality of each reconstruction in a batch, one value per image.
public struct PerImageMetrics: Equatable, Sendable {
    /// Image channels C, needed for the channel-summed MSE.
    public let channels: Int
    /// Mean squared error per element, mse_i = (1 / CHW) Σ_{c,h,w} (x̂ − x)².
    public let mse: [Double]
    /// 10 · log10(1 / mse_i) in dB, at most `ReconstructionMetrics.psnrCap`.
    public let psnr: [Double]
    /// Structural similarity, averaged over channels (see `ReconstructionMetrics.structuralSimilarity`).
    public let ssim: [Double]
    /// Cosine similarity of the flattened images.
    public let cosine: [Double]

    public init(channels: Int, mse: [Double], psnr: [Double], ssim: [Double], cosine: [Double]) {
        self.channels = channels
        self.mse = mse
        self.psnr = psnr
        self.ssim = ssim
        self.cosine = cosine
    }

    /// The paper code's MSE, summed over channels and averaged over pixels: C · mse_i.
    public var mseSumChannels: [Double] { mse.map { Double(channels) * $0 } }

    public var count: Int { mse.count }
}

/// How well reconstructions x̂ match the originals x, both [N, C, H, W] with values in [0, 1] (data range L = 1).
/// Every metric is computed per image, in float64 (SSIM filters in float32); `ReconstructionMetricsAccumulator`
/// then takes the mean and standard deviation over a whole set.
///
/// - MSE (primary): mse_i = (1 / CHW) Σ (x̂ − x)², the per-element mean, i.e. averaged over channels.
///   The paper's code reports Σ (x̂ − x)² / (N·H·W) instead, which is C · mse for C channels; it is kept as the
///   labelled compatibility value `mseSumChannels` (equal to mse for grayscale, 3 × mse for RGB).
/// - PSNR per image: psnr_i = 10 · log10(L² / mse_i), then averaged over images (the paper's code averages
///   batch-level PSNRs instead). Identical images (mse_i = 0) would give +∞; mse_i is floored at 1e−10, so PSNR
///   is capped at `psnrCap` = 100 dB and a set's mean stays finite.
/// - SSIM per image: see `structuralSimilarity(_:_:)`.
/// - Cosine similarity per image: cos_i = ⟨x̂_i, x_i⟩ / max(‖x̂_i‖ · ‖x_i‖, 1e−8) over the flattened C·H·W values,
///   as `torch.nn.functional.cosine_similarity`; it is 0 when either image is all zeros.
public enum ReconstructionMetrics {
    /// The highest PSNR reported, in dB, reached when mse_i ≤ 1e−10 (identical images included).
    public static let psnrCap = 100.0
    /// Gaussian SSIM window: 11 × 11 taps (radius ⌊3.5σ + 0.5⌋ = 5, as scikit-image's `truncate = 3.5`).
    public static let ssimWindowSize = 11
    public static let ssimSigma = 1.5
    public static let ssimK1 = 0.01
    public static let ssimK2 = 0.03

    /// All metrics for each image of a batch.
    public static func perImage(_ reconstruction: Tensor, _ original: Tensor) throws -> PerImageMetrics {
        let (x̂, x) = try prepared(reconstruction, original)
        let mse = try meanSquaredErrors(x̂, x)
        return PerImageMetrics(channels: x.size(1), mse: mse, psnr: peakSignalToNoiseRatios(mse: mse),
                               ssim: try structuralSimilarities(x̂, x), cosine: try cosineSimilarities(x̂, x))
    }

    /// psnr_i = 10 · log10(1 / max(mse_i, 1e−10)) in dB, so at most `psnrCap`.
    public static func peakSignalToNoiseRatios(mse: [Double]) -> [Double] {
        let floor = pow(10, -psnrCap / 10)
        return mse.map { -10 * log10(Swift.max($0, floor)) }
    }

    /// cos_i = ⟨x̂_i, x_i⟩ / max(‖x̂_i‖ · ‖x_i‖, 1e−8) over the flattened images.
    public static func cosineSimilarity(_ reconstruction: Tensor, _ original: Tensor) throws -> [Double] {
        let (x̂, x) = try prepared(reconstruction, original)
        return try cosineSimilarities(x̂, x)
    }

    /// Both images in float64, detached, after checking that they are batches of the same shape.
    static func prepared(_ reconstruction: Tensor, _ original: Tensor) throws -> (Tensor, Tensor) {
        try AttackError.check(original.rank == 4, "metrics: images \(original.shape) must be 4-D (N, C, H, W)")
        try AttackError.check(reconstruction.shape == original.shape,
                              "metrics: reconstruction \(reconstruction.shape) and original \(original.shape) "
                              + "must have the same shape")
        return (try reconstruction.detached().to(.float64), try original.detached().to(.float64))
    }

    /// mse_i = (1 / CHW) Σ_{c,h,w} (x̂ − x)² for each image.
    private static func meanSquaredErrors(_ x̂: Tensor, _ x: Tensor) throws -> [Double] {
        try (x̂ - x).square().mean(dims: [1, 2, 3]).toDoubles()
    }

    private static func cosineSimilarities(_ x̂: Tensor, _ x: Tensor) throws -> [Double] {
        let a = try x̂.flattened(from: 1), b = try x.flattened(from: 1)
        let dot = try (a * b).sum(dims: [1])
        let norms = try (a.square().sum(dims: [1]) * b.square().sum(dims: [1])).sqrt()
        return try (dot / norms.clamped(min: 1e-8)).toDoubles()
    }
}
