import GPZModels
import GPZNN
import GPZTensor

/// The prior attacker's map from the features Z of one split to the prior's latent w (FIA-Flow's feature-to-latent
/// mapping, at the scale of a small prior):
///
///     w = b · tanh((W₂ · LeakyReLU₀.₂(W₁ · LN(flatten(P(Z))) + b₁) + b₂) / b),   W₁: d′ → 512,  W₂: 512 → d
///
/// with P an average pool of a spatial map to at most 4 × 4 (identity for vectors and tokens), d′ the pooled size,
/// LN a layer norm without affine parameters (each sample's d′ values to mean 0 and variance 1) and d the latent
/// size, and b = `latentBound` (3). The layer norm makes the mapping indifferent to the scale of Z (the post-ReLU
/// maps of shallow splits are large, the logits small), and the soft bound keeps every latent within 3 of the
/// prior's mean, where N(0, I) has its mass: without the two, the first steps at some splits (the demo's block1–3,
/// VGG-16-BN's conv4_3 and conv5_1) threw the latents far outside the prior, the generator's Sigmoid saturated to a
/// black image with no gradient, and the attack stalled at the MSE of an all-black image. The pool keeps the mapping small at shallow, wide splits: the prior attacker is built
/// for deep splits, where a direct decoder regresses to the class mean; at shallow ones the decoders already
/// reconstruct, and a scan judges each split by its strongest attacker.
public enum LatentMapping {
    public static let hiddenWidth = 512
    public static let pooledSide = 4

    public static func layers(for split: SplitPoint, latent: Int) throws -> [any Module] {
        var layers: [any Module] = []
        var features = split.elementCount
        if split.kind == .spatial, split.shape.count == 3, split.shape[1] > pooledSide || split.shape[2] > pooledSide {
            let height = Swift.min(split.shape[1], pooledSide), width = Swift.min(split.shape[2], pooledSide)
            layers.append(AdaptiveAvgPool2d(IntPair(height, width)))
            features = split.shape[0] * height * width
        }
        return layers + [Flatten(), try LayerNorm([features], elementwiseAffine: false), try Linear(features, hiddenWidth),
                         LeakyReLU(0.2), try Linear(hiddenWidth, latent), LatentBound(latentBound)]
    }

    /// b: the mapping's latents stay within ±b of the prior's mean in every dimension.
    public static let latentBound = 3.0
}

/// x ↦ b · tanh(x / b): the identity near 0, smoothly bounded to (−b, b).
public final class LatentBound: Module {
    public let bound: Double
    public var isTraining = true

    public init(_ bound: Double) { self.bound = bound }

    public func forward(_ input: Tensor) throws -> Tensor { try (input / bound).tanh() * bound }
}
