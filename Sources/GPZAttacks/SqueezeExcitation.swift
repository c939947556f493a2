import GPZNN
import GPZTensor

/// Squeeze-and-excitation channel attention (Hu et al. 2018) on x [N, C, H, W]:
///
///     s = σ(W₂ · ReLU(W₁ · GAP(x) + b₁) + b₂),  y = x ⊙ s   (one gate per channel)
///
/// W₁: C → max(C / 16, 4), W₂ back to C, both 1 × 1 convolutions.
public final class SqueezeExcitation: Module {
    public let reduce: Conv2d
    public let expand: Conv2d
    public var isTraining = true

    public init(channels: Int, reduction: Int = 16) throws {
        let hidden = Swift.max(channels / reduction, 4)
        reduce = try Conv2d(channels, hidden, 1)
        expand = try Conv2d(hidden, channels, 1)
    }

    public var children: [(name: String, module: any Module)] { [("reduce", reduce), ("expand", expand)] }

    public func forward(_ input: Tensor) throws -> Tensor {
        let pooled = try input.mean(dims: [2, 3], keepDim: true)
        let gate = try expand(reduce(pooled).relu()).sigmoid()
        return try input * gate
    }
}
