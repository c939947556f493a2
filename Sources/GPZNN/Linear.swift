import GPZTensor

/// A fully connected layer: y = x Wᵀ + b, with W of shape [out, in] and b of shape [out], as `torch.nn.Linear`.
///
/// Input [*, in] → output [*, out]. Initialised as PyTorch does: W and b ~ U(−1/√in, 1/√in).
public final class Linear: Module {
    public let inFeatures: Int
    public let outFeatures: Int
    /// [out, in]
    public let weight: Tensor
    /// [out], or nil without bias.
    public let bias: Tensor?
    public var isTraining = true

    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, dtype: DType = .float32) throws {
        try TensorError.check(inFeatures >= 0 && outFeatures >= 0, "Linear",
                              "feature counts must not be negative, got in \(inFeatures) and out \(outFeatures)")
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        weight = try makeParameter([outFeatures, inFeatures], dtype: dtype)
        self.bias = bias ? try makeParameter([outFeatures], dtype: dtype) : nil
        try resetAffineParameters(weight: weight, bias: self.bias)
    }

    public var ownParameters: [(name: String, tensor: Tensor)] { namedTensors(("weight", weight), ("bias", bias)) }

    public func forward(_ input: Tensor) throws -> Tensor {
        try input.linear(weight: weight, bias: bias)
    }
}
