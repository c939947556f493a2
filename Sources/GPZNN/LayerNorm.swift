import GPZTensor

/// Layer normalisation over the trailing `normalizedShape` dimensions, as `torch.nn.LayerNorm`:
/// y = (x − E[x]) / √(Var[x] + ε) · γ + β, with the mean and the biased variance taken over those dimensions
/// of each sample. Parameters weight (γ, ones) and bias (β, zeros), both of shape `normalizedShape`.
public final class LayerNorm: Module {
    public let normalizedShape: [Int]
    public let eps: Double
    /// `normalizedShape`, or nil without elementwise affine.
    public let weight: Tensor?
    /// `normalizedShape`, or nil without elementwise affine or without bias.
    public let bias: Tensor?
    public var isTraining = true

    public init(_ normalizedShape: [Int], eps: Double = 1e-5, elementwiseAffine: Bool = true, bias: Bool = true,
                dtype: DType = .float32) throws {
        try TensorError.check(!normalizedShape.isEmpty && normalizedShape.allSatisfy { $0 > 0 }, "LayerNorm",
                              "normalized shape \(normalizedShape) must be non-empty with positive sizes")
        self.normalizedShape = normalizedShape
        self.eps = eps
        weight = elementwiseAffine ? try Init.ones(makeParameter(normalizedShape, dtype: dtype)) : nil
        self.bias = elementwiseAffine && bias ? try makeParameter(normalizedShape, dtype: dtype) : nil
    }

    /// Normalisation over the last dimension, of size `features`.
    public convenience init(_ features: Int, eps: Double = 1e-5, elementwiseAffine: Bool = true, bias: Bool = true,
                            dtype: DType = .float32) throws {
        try self.init([features], eps: eps, elementwiseAffine: elementwiseAffine, bias: bias, dtype: dtype)
    }

    public var ownParameters: [(name: String, tensor: Tensor)] { namedTensors(("weight", weight), ("bias", bias)) }

    public func forward(_ input: Tensor) throws -> Tensor {
        try TensorError.check(Array(input.shape.suffix(normalizedShape.count)) == normalizedShape, "LayerNorm",
                              "input \(input.shape) does not end with the normalized shape \(normalizedShape)")
        return try input.layerNorm(normalizedShape: normalizedShape, weight: weight, bias: bias, eps: eps)
    }
}
