import GPZNN
import GPZTensor

/// Large-kernel spatial attention (the paper code's `LSK_Block`) on x [N, C, H, W]:
///
///     a = σ(Conv1×1(DWConv7×7(x))),  y = x ⊙ a   (one gate per channel and position)
public final class LargeKernelAttention: Module {
    public let depthwise: Conv2d
    public let pointwise: Conv2d
    public var isTraining = true

    public init(channels: Int, kernelSize: Int = 7) throws {
        depthwise = try Conv2d(channels, channels, IntPair(kernelSize), padding: IntPair(kernelSize / 2),
                               groups: channels)
        pointwise = try Conv2d(channels, channels, 1)
    }

    public var children: [(name: String, module: any Module)] { [("depthwise", depthwise), ("pointwise", pointwise)] }

    public func forward(_ input: Tensor) throws -> Tensor {
        try input * pointwise(depthwise(input)).sigmoid()
    }
}
