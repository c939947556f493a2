import GPZTensor

/// Parameter initialisers, as `torch.nn.init`. Each one overwrites a tensor in place, without recording gradients,
/// and returns it.
///
/// Fans follow PyTorch: for a weight of shape [out, in, k₁, k₂, …] the receptive field is r = k₁·k₂·…,
/// fan_in = in·r and fan_out = out·r (for a transposed convolution's [in, out/groups, k, k] weight this makes
/// fan_in = (out/groups)·k·k, exactly as PyTorch computes it). A tensor with no elements is left as it is.
public enum Init {
    /// Which fan scales the variance in the Kaiming initialisers.
    public enum FanMode: Sendable {
        /// Preserves the variance of activations in the forward pass.
        case fanIn
        /// Preserves the variance of gradients in the backward pass.
        case fanOut
    }

    /// The nonlinearities `gain(_:param:)` knows, as `torch.nn.init.calculate_gain`.
    public enum Nonlinearity: Sendable {
        case linear, conv, sigmoid, tanh, relu, leakyRelu, selu
    }

    /// The recommended gain for a nonlinearity: 1 for linear, convolution and sigmoid, 5/3 for tanh, √2 for ReLU,
    /// √(2 / (1 + slope²)) for leaky ReLU (slope `param`, 0.01 when nil) and 3/4 for SELU.
    public static func gain(_ nonlinearity: Nonlinearity, param: Double? = nil) -> Double {
        switch nonlinearity {
        case .linear, .conv, .sigmoid: return 1
        case .tanh: return 5.0 / 3.0
        case .relu: return 2.0.squareRoot()
        case .leakyRelu:
            let slope = param ?? 0.01
            return (2 / (1 + slope * slope)).squareRoot()
        case .selu: return 0.75
        }
    }

    /// (fan_in, fan_out) of a weight with at least two dimensions.
    public static func fans(of tensor: Tensor) throws -> (fanIn: Int, fanOut: Int) {
        let shape = tensor.shape
        guard shape.count >= 2 else {
            throw TensorError(op: "init",
                              message: "fan in and fan out need at least 2 dimensions, tensor has shape \(shape)")
        }
        let receptiveField = shape.dropFirst(2).reduce(1, *)
        return (shape[1] * receptiveField, shape[0] * receptiveField)
    }

    /// Fills with samples of U(low, high).
    @discardableResult
    public static func uniform(_ tensor: Tensor, low: Double = 0, high: Double = 1) throws -> Tensor {
        try withNoGrad { try tensor.uniformInPlace(low, high) }
        return tensor
    }

    /// Fills with samples of N(mean, std²).
    @discardableResult
    public static func normal(_ tensor: Tensor, mean: Double = 0, std: Double = 1) throws -> Tensor {
        try withNoGrad { try tensor.normalInPlace(mean: mean, std: std) }
        return tensor
    }

    /// Fills with `value`.
    @discardableResult
    public static func constant(_ tensor: Tensor, _ value: Double) throws -> Tensor {
        try withNoGrad { try tensor.fill(value) }
        return tensor
    }

    @discardableResult
    public static func zeros(_ tensor: Tensor) throws -> Tensor { try constant(tensor, 0) }

    @discardableResult
    public static func ones(_ tensor: Tensor) throws -> Tensor { try constant(tensor, 1) }

    /// Glorot uniform: U(−a, a) with a = gain · √(6 / (fan_in + fan_out)).
    @discardableResult
    public static func xavierUniform(_ tensor: Tensor, gain: Double = 1) throws -> Tensor {
        let bound = 3.0.squareRoot() * (try xavierStd(tensor, gain: gain))
        return try uniform(tensor, low: -bound, high: bound)
    }

    /// Glorot normal: N(0, std²) with std = gain · √(2 / (fan_in + fan_out)).
    @discardableResult
    public static func xavierNormal(_ tensor: Tensor, gain: Double = 1) throws -> Tensor {
        try normal(tensor, std: try xavierStd(tensor, gain: gain))
    }

    /// He uniform: U(−b, b) with b = √3 · gain(nonlinearity, a) / √fan, fan chosen by `mode`.
    /// With the defaults and a = √5 this is PyTorch's default for linear and convolution weights, b = 1/√fan_in.
    @discardableResult
    public static func kaimingUniform(_ tensor: Tensor, a: Double = 0, mode: FanMode = .fanIn,
                                      nonlinearity: Nonlinearity = .leakyRelu) throws -> Tensor {
        let bound = 3.0.squareRoot() * (try kaimingStd(tensor, a: a, mode: mode, nonlinearity: nonlinearity))
        return try uniform(tensor, low: -bound, high: bound)
    }

    /// He normal: N(0, std²) with std = gain(nonlinearity, a) / √fan, fan chosen by `mode`.
    @discardableResult
    public static func kaimingNormal(_ tensor: Tensor, a: Double = 0, mode: FanMode = .fanIn,
                                     nonlinearity: Nonlinearity = .leakyRelu) throws -> Tensor {
        try normal(tensor, std: try kaimingStd(tensor, a: a, mode: mode, nonlinearity: nonlinearity))
    }

    private static func xavierStd(_ tensor: Tensor, gain: Double) throws -> Double {
        let (fanIn, fanOut) = try fans(of: tensor)
        guard fanIn + fanOut > 0 else { return 0 }
        return gain * (2 / Double(fanIn + fanOut)).squareRoot()
    }

    private static func kaimingStd(_ tensor: Tensor, a: Double, mode: FanMode,
                                   nonlinearity: Nonlinearity) throws -> Double {
        let (fanIn, fanOut) = try fans(of: tensor)
        let fan = mode == .fanIn ? fanIn : fanOut
        guard fan > 0 else { return 0 }
        return gain(nonlinearity, param: a) / Double(fan).squareRoot()
    }
}
