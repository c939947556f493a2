import GPZTensor

/// A 2-D convolution, as `torch.nn.Conv2d`:
/// y[n, o] = b[o] + Σ_{c in group(o)} Σ_{i,j} W[o, c, i, j] · x[n, c, s·h + d·i − p, s·w + d·j − p].
///
/// Input [N, in, H, W] → output [N, out, H′, W′] with H′ = ⌊(H + 2p − d·(k − 1) − 1) / s⌋ + 1 (likewise W′).
/// Weight [out, in/groups, kH, kW], bias [out]; both ~ U(−1/√fan_in, 1/√fan_in) with fan_in = (in/groups)·kH·kW.
public final class Conv2d: Module {
    public let inChannels: Int
    public let outChannels: Int
    public let kernelSize: IntPair
    public let stride: IntPair
    public let padding: IntPair
    public let dilation: IntPair
    public let groups: Int
    /// [out, in/groups, kH, kW]
    public let weight: Tensor
    /// [out], or nil without bias.
    public let bias: Tensor?
    public var isTraining = true

    public init(_ inChannels: Int, _ outChannels: Int, _ kernelSize: IntPair, stride: IntPair = 1,
                padding: IntPair = 0, dilation: IntPair = 1, groups: Int = 1, bias: Bool = true,
                dtype: DType = .float32) throws {
        try checkConvolutionArguments(layer: "Conv2d", inChannels: inChannels, outChannels: outChannels,
                                      kernelSize: kernelSize, stride: stride, dilation: dilation, groups: groups)
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
        let weightShape = [outChannels, inChannels / groups, kernelSize.height, kernelSize.width]
        weight = try makeParameter(weightShape, dtype: dtype)
        self.bias = bias ? try makeParameter([outChannels], dtype: dtype) : nil
        try resetAffineParameters(weight: weight, bias: self.bias)
    }

    public var ownParameters: [(name: String, tensor: Tensor)] { namedTensors(("weight", weight), ("bias", bias)) }

    public func forward(_ input: Tensor) throws -> Tensor {
        try input.conv2d(weight: weight, bias: bias, stride: stride.tuple, padding: padding.tuple,
                         dilation: dilation.tuple, groups: groups)
    }
}

/// The constructor checks PyTorch's convolution layers make: positive sizes, channels divisible by groups.
func checkConvolutionArguments(layer: String, inChannels: Int, outChannels: Int, kernelSize: IntPair, stride: IntPair,
                               dilation: IntPair, groups: Int) throws {
    try TensorError.check(inChannels > 0 && outChannels > 0, layer,
                          "channel counts must be positive, got in \(inChannels) and out \(outChannels)")
    try TensorError.check(groups > 0 && inChannels % groups == 0 && outChannels % groups == 0, layer,
                          "in \(inChannels) and out \(outChannels) channels must both be divisible by groups \(groups)")
    for (name, pair) in [("kernel size", kernelSize), ("stride", stride), ("dilation", dilation)] {
        try TensorError.check(pair.height > 0 && pair.width > 0, layer, "\(name) \(pair) must be positive")
    }
}
