import GPZTensor

/// Pooling layers take [N, C, H, W] or unbatched [C, H, W] inputs.
private func checkPoolingInput(_ input: Tensor, layer: String) throws {
    try checkRank(input, [3, 4], layer: layer, layouts: "3-D (C, H, W) or 4-D (N, C, H, W)")
}

/// Max pooling, as `torch.nn.MaxPool2d`: y[n, c, h, w] = max over the window
/// x[n, c, s·h + d·i − p, s·w + d·j − p], 0 ≤ i < kH, 0 ≤ j < kW (padding counts as −∞).
/// The stride defaults to the kernel size.
public final class MaxPool2d: Module {
    public let kernelSize: IntPair
    public let stride: IntPair
    public let padding: IntPair
    public let dilation: IntPair
    public let ceilMode: Bool
    public var isTraining = true

    public init(_ kernelSize: IntPair, stride: IntPair? = nil, padding: IntPair = 0, dilation: IntPair = 1,
                ceilMode: Bool = false) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
        self.dilation = dilation
        self.ceilMode = ceilMode
    }

    public func forward(_ input: Tensor) throws -> Tensor {
        try checkPoolingInput(input, layer: "MaxPool2d")
        return try input.maxPool2d(kernel: kernelSize.tuple, stride: stride.tuple, padding: padding.tuple,
                                   dilation: dilation.tuple, ceilMode: ceilMode)
    }
}

/// Average pooling, as `torch.nn.AvgPool2d`: y[n, c, h, w] = (1 / |window|) Σ over the window
/// x[n, c, s·h + i − p, s·w + j − p]; with `countIncludePad` the zero padding counts in |window|.
/// The stride defaults to the kernel size.
public final class AvgPool2d: Module {
    public let kernelSize: IntPair
    public let stride: IntPair
    public let padding: IntPair
    public let ceilMode: Bool
    public let countIncludePad: Bool
    public var isTraining = true

    public init(_ kernelSize: IntPair, stride: IntPair? = nil, padding: IntPair = 0, ceilMode: Bool = false,
                countIncludePad: Bool = true) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
        self.ceilMode = ceilMode
        self.countIncludePad = countIncludePad
    }

    public func forward(_ input: Tensor) throws -> Tensor {
        try checkPoolingInput(input, layer: "AvgPool2d")
        return try input.avgPool2d(kernel: kernelSize.tuple, stride: stride.tuple, padding: padding.tuple,
                                   ceilMode: ceilMode, countIncludePad: countIncludePad)
    }
}

/// Adaptive average pooling to a fixed output size, as `torch.nn.AdaptiveAvgPool2d`: output cell (h, w) averages
/// input rows ⌊h·H/oH⌋ ..< ⌈(h+1)·H/oH⌉ and columns ⌊w·W/oW⌋ ..< ⌈(w+1)·W/oW⌉.
public final class AdaptiveAvgPool2d: Module {
    public let outputSize: IntPair
    public var isTraining = true

    public init(_ outputSize: IntPair) {
        self.outputSize = outputSize
    }

    public func forward(_ input: Tensor) throws -> Tensor {
        try checkPoolingInput(input, layer: "AdaptiveAvgPool2d")
        return try input.adaptiveAvgPool2d(outputSize.tuple)
    }
}
