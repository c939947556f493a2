import GPZModels
import GPZNN

/// The prior attacker's map from the features Z of one split to the prior's latent w (FIA-Flow's feature-to-latent
/// mapping, at the scale of a small prior):
///
///     w = W₂ · LeakyReLU₀.₂(W₁ · LN(flatten(P(Z))) + b₁) + b₂,   W₁: d′ → 512,  W₂: 512 → d
///
/// with P an average pool of a spatial map to at most 4 × 4 (identity for vectors and tokens), d′ the pooled size,
/// LN a layer norm without affine parameters (each sample's d′ values to mean 0 and variance 1) and d the latent
/// size. The layer norm makes the mapping indifferent to the scale of Z: the post-ReLU maps of shallow splits are
/// large and the logits small, and without it the first steps at a shallow split threw the latents (and the
/// fine-tuned generator) far outside the prior, where the attack stalled at an MSE above the global mean's. The pool keeps the mapping small at shallow, wide splits: the prior attacker is built
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
                         LeakyReLU(0.2), try Linear(hiddenWidth, latent)]
    }
}
