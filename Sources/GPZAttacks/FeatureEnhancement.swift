import GPZModels
import GPZTensor

/// A defence applied by the edge to the features Z of a batch before sending them: the attacker then observes
/// (and trains on) the enhanced features, while the cloud half runs on `cloudInput(apply(Z))`.
///
/// Features are batches in a split's layout: [N, C, H, W] (spatial), [N, T, D] (tokens) or [N, D] (vectors).
/// Their *feature axis* is the channel axis C of a map and the last axis D of tokens and vectors.
public protocol FeatureEnhancement: AnyObject {
    /// Short name: `normalize`, `fft` or `dropout-concat`.
    var name: String { get }
    /// Per-sample shape of the enhanced features, for features of per-sample shape `shape`.
    func enhancedShape(for shape: [Int]) throws -> [Int]
    /// Z → the enhanced features that are sent.
    func apply(_ features: Tensor) throws -> Tensor
    /// Enhanced features → the features of the original shape that the cloud half runs on.
    func cloudInput(_ enhanced: Tensor) throws -> Tensor
}

extension FeatureEnhancement {
    /// `split` with the per-sample shape of its enhanced features: what an attacker's decoder takes.
    public func enhancedSplit(_ split: SplitPoint) throws -> SplitPoint {
        SplitPoint(index: split.index, name: split.name, shape: try enhancedShape(for: split.shape), kind: split.kind)
    }

    /// The logits of `model` cut at split `index` when the edge sends enhanced features:
    /// cloud(cloudInput(apply(edge(x)))). `input` must already be in the model's input normalisation.
    public func logits(of model: any SplittableModel, input: Tensor, split index: Int) throws -> Tensor {
        try model.cloud(cloudInput(apply(model.edge(input, upTo: index))), from: index)
    }
}

/// The feature axis of a batch of features (1 for maps and vectors, 2 for tokens).
func featureAxis(of features: Tensor) throws -> Int {
    try AttackError.check((2...4).contains(features.rank),
                          "features \(features.shape) must be [N, C, H, W], [N, T, D] or [N, D]")
    return features.rank == 3 ? 2 : 1
}
