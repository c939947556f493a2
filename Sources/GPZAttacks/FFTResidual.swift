import GPZTensor

/// The FFT energy residual (the paper code's `DecoderWithAugmentation.augment_features`), added to the features:
///
///     F = FFT2(Z) over the two trailing map axes, per channel, orthonormal (1/√(HW))
///     E = log(1 + |Re F| + |Im F|)                       (an L1 of the parts, not the complex modulus)
///     Ê = (E − mean(E)) / (std(E) + 1e−6)                per sample, over all its values; std unbiased
///     Z′ = Z + Ê
///
/// Maps [N, C, H, W] are transformed over (H, W); tokens [N, T, D] over (T, D) as one map; vectors [N, D] as a
/// 1 × D map (a 1-D FFT). The shape is unchanged. The residual is not inverted: the cloud half runs on Z′
/// as sent, and the accuracy it then reaches is measured rather than assumed.
public final class FFTResidual: FeatureEnhancement {
    public static let epsilon = 1e-6

    public var name: String { "fft" }

    public init() {}

    public func enhancedShape(for shape: [Int]) throws -> [Int] { shape }

    public func apply(_ features: Tensor) throws -> Tensor {
        _ = try featureAxis(of: features)
        let map = features.rank == 2 ? try features.unsqueezed(1) : features
        let (real, imaginary) = try map.fft2(norm: .ortho)
        let energy = try (real.abs() + imaginary.abs()).log1p().reshaped(features.shape)
        let dims = Array(1..<features.rank)
        let centred = try energy - energy.mean(dims: dims, keepDim: true)
        let deviation = try energy.variance(dims: dims, correction: 1, keepDim: true).sqrt()
        return try features + centred / (deviation + Self.epsilon)
    }

    public func cloudInput(_ enhanced: Tensor) throws -> Tensor { enhanced }
}
