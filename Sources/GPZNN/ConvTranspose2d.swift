import GPZTensor

/// A 2-D transposed convolution (the input-gradient of a `Conv2d`), as `torch.nn.ConvTranspose2d`:
/// y[n, o, s·h + d·i − p, s·w + d·j − p] += W[c, o, i, j] · x[n, c, h, w], plus b[o].
///
/// Input [N, in, H, W] → output [N, out, H′, W′] with H′ = (H − 1)·s − 2p + d·(k − 1) + outputPadding + 1.
/// Weight [in, out/groups, kH, kW], bias [out]; both ~ U(−1/√fan_in, 1/√fan_in) where, as in PyTorch,
/// fan_in = weight.size(1)·kH·kW = (out/groups)·kH·kW.
public final class ConvTranspose2d: Module {
    public let inChannels: Int
    public let outChannels: Int
    public let kernelSize: IntPair
    public let stride: IntPair
    public let padding: IntPair
    public let outputPadding: IntPair
    public let groups: Int
    public let dilation: IntPair
    /// [in, out/groups, kH, kW]
    public let weight: Tensor
    /// [out], or nil without bias.
    public let bias: Tensor?
    public var isTraining = true

    public init(_ inChannels: Int, _ outChannels: Int, _ kernelSize: IntPair, stride: IntPair = 1,
                padding: IntPair = 0, outputPadding: IntPair = 0, groups: Int = 1, bias: Bool = true,
                dilation: IntPair = 1, dtype: DType = .float32) throws {
        try checkConvolutionArguments(layer: "ConvTranspose2d", inChannels: inChannels, outChannels: outChannels,
                                      kernelSize: kernelSize, stride: stride, dilation: dilation, groups: groups)
        try TensorError.check(outputPadding.height < Swift.max(stride.height, dilation.height)
                              && outputPadding.width < Swift.max(stride.width, dilation.width)
                              && outputPadding.height >= 0 && outputPadding.width >= 0,
                              "ConvTranspose2d",
                              "output padding \(outputPadding) must be smaller than stride \(stride) "
                                  + "or dilation \(dilation)")
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        self.outputPadding = outputPadding
        self.groups = groups
        self.dilation = dilation
        let weightShape = [inChannels, outChannels / groups, kernelSize.height, kernelSize.width]
        weight = try makeParameter(weightShape, dtype: dtype)
        self.bias = bias ? try makeParameter([outChannels], dtype: dtype) : nil
        try resetAffineParameters(weight: weight, bias: self.bias)
    }

    public var ownParameters: [(name: String, tensor: Tensor)] { namedTensors(("weight", weight), ("bias", bias)) }

    public func forward(_ input: Tensor) throws -> Tensor {
        try input.convTranspose2d(weight: weight, bias: bias, stride: stride.tuple, padding: padding.tuple,
                                  outputPadding: outputPadding.tuple, dilation: dilation.tuple, groups: groups)
    }
}
