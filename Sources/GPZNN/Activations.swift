import GPZTensor

/// ReLU(x) = max(0, x), as `torch.nn.ReLU`.
public final class ReLU: Module {
    public var isTraining = true

    public init() {}

    public func forward(_ input: Tensor) throws -> Tensor { try input.relu() }
}

/// LeakyReLU(x) = max(0, x) + slope · min(0, x), as `torch.nn.LeakyReLU`.
public final class LeakyReLU: Module {
    public let negativeSlope: Double
    public var isTraining = true

    public init(_ negativeSlope: Double = 0.01) {
        self.negativeSlope = negativeSlope
    }

    public func forward(_ input: Tensor) throws -> Tensor { try input.leakyRelu(slope: negativeSlope) }
}

/// PReLU(x) = max(0, x) + a · min(0, x) with a learnt slope a, as `torch.nn.PReLU`: one slope shared by all
/// channels (`numParameters` 1) or one per channel (dimension 1 of the input). Parameter weight
/// [numParameters], initialised to `initialValue` (0.25).
public final class PReLU: Module {
    public let numParameters: Int
    /// [numParameters]
    public let weight: Tensor
    public var isTraining = true

    public init(numParameters: Int = 1, initialValue: Double = 0.25, dtype: DType = .float32) throws {
        try TensorError.check(numParameters > 0, "PReLU", "number of parameters must be positive, got \(numParameters)")
        self.numParameters = numParameters
        weight = try Init.constant(makeParameter([numParameters], dtype: dtype), initialValue)
    }

    public var ownParameters: [(name: String, tensor: Tensor)] { [("weight", weight)] }

    public func forward(_ input: Tensor) throws -> Tensor {
        if numParameters > 1 { try checkChannels(input, numParameters, layer: "PReLU") }
        return try input.prelu(weight: weight)
    }
}

/// GELU(x) = x · Φ(x), Φ the standard normal CDF, as `torch.nn.GELU`; with the tanh approximation
/// 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³))).
public final class GELU: Module {
    /// PyTorch's `approximate` argument: "none" (`exact`) or "tanh".
    public enum Approximation: Sendable {
        case exact, tanh
    }

    public let approximate: Approximation
    public var isTraining = true

    public init(approximate: Approximation = .exact) {
        self.approximate = approximate
    }

    public func forward(_ input: Tensor) throws -> Tensor { try input.gelu(tanhApproximation: approximate == .tanh) }
}

/// tanh(x), as `torch.nn.Tanh`.
public final class Tanh: Module {
    public var isTraining = true

    public init() {}

    public func forward(_ input: Tensor) throws -> Tensor { try input.tanh() }
}

/// σ(x) = 1 / (1 + e^(−x)), as `torch.nn.Sigmoid`.
public final class Sigmoid: Module {
    public var isTraining = true

    public init() {}

    public func forward(_ input: Tensor) throws -> Tensor { try input.sigmoid() }
}
