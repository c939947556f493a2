import GPZNN
import GPZTensor

/// A residual block that keeps the shape, mirroring the stride-1 IR bottleneck that the paper's inversion
/// models reverse (`bottleneck_IR_reverse`), on x [N, C, H, W]:
///
///     r = BN(Conv3×3(PReLU(BN(Conv3×3(x))))),  y = PReLU(x + r)
///
/// A 3 × 3, stride-1, padding-1 transposed convolution is a 3 × 3 convolution with a flipped kernel, so plain
/// convolutions are used.
public final class InverseResidualBlock: Module {
    public let residual: Sequential
    public let activation: PReLU
    public var isTraining = true

    public init(channels: Int) throws {
        residual = Sequential(try Conv2d(channels, channels, 3, padding: 1, bias: false), try BatchNorm2d(channels),
                              try PReLU(numParameters: channels),
                              try Conv2d(channels, channels, 3, padding: 1, bias: false), try BatchNorm2d(channels))
        activation = try PReLU(numParameters: channels)
    }

    public var children: [(name: String, module: any Module)] { [("residual", residual), ("activation", activation)] }

    public func forward(_ input: Tensor) throws -> Tensor {
        try activation(input + residual(input))
    }
}
