import GPZTensor

/// Stochastic gradient descent with optional momentum, dampening, L2 weight decay and Nesterov momentum, as
/// `torch.optim.SGD`. For each parameter θ with gradient g, at step t:
///
///     g ← g + λ·θ                                  (weight decay λ ≠ 0)
///     b ← g                                        (momentum μ ≠ 0, first step)
///     b ← μ·b + (1 − τ)·g                          (momentum μ ≠ 0, later steps; dampening τ)
///     g ← g + μ·b  (Nesterov)   or   g ← b          (momentum μ ≠ 0)
///     θ ← θ − γ·g                                  (learning rate γ)
public final class SGD: Optimizer {
    public let parameters: [Tensor]
    public var learningRate: Double
    public private(set) var momentum: Double
    public private(set) var dampening: Double
    public private(set) var weightDecay: Double
    public private(set) var nesterov: Bool
    /// Momentum buffer per parameter index; nil until that parameter's first step with momentum.
    private var momentumBuffers: [Tensor?]

    public init(parameters: [Tensor], lr: Double, momentum: Double = 0, dampening: Double = 0,
                weightDecay: Double = 0, nesterov: Bool = false) throws {
        try Self.validate(lr: lr, momentum: momentum, dampening: dampening, weightDecay: weightDecay,
                          nesterov: nesterov)
        self.parameters = parameters
        self.learningRate = lr
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.nesterov = nesterov
        self.momentumBuffers = Array(repeating: nil, count: parameters.count)
    }

    private static func validate(lr: Double, momentum: Double, dampening: Double, weightDecay: Double,
                                 nesterov: Bool) throws {
        try OptimizerError.check(lr >= 0, "SGD", "learning rate", lr, expected: ">= 0")
        try OptimizerError.check(momentum >= 0, "SGD", "momentum", momentum, expected: ">= 0")
        try OptimizerError.check(weightDecay >= 0, "SGD", "weight decay", weightDecay, expected: ">= 0")
        if nesterov && (momentum <= 0 || dampening != 0) {
            throw OptimizerError("SGD: Nesterov momentum requires momentum > 0 and dampening 0 "
                + "(got momentum \(momentum), dampening \(dampening))")
        }
    }

    public func step() throws {
        try withNoGrad {
            for (index, parameter) in parameters.enumerated() {
                guard let gradient = parameter.grad else { continue }
                var direction = weightDecay != 0 ? try gradient.adding(parameter, alpha: weightDecay) : gradient
                if momentum != 0 {
                    let buffer: Tensor
                    if let existing = momentumBuffers[index] {
                        try existing.scaleInPlace(momentum)
                        try existing.addInPlace(direction, alpha: 1 - dampening)
                        buffer = existing
                    } else {
                        buffer = try direction.clone()
                        momentumBuffers[index] = buffer
                    }
                    direction = nesterov ? try direction.adding(buffer, alpha: momentum) : buffer
                }
                try parameter.addInPlace(direction, alpha: -learningRate)
            }
        }
    }

    /// Entries `lr`, `momentum`, `dampening`, `weight_decay`, `nesterov` and `state.<i>.momentum_buffer`.
    public func stateDict() throws -> [(name: String, tensor: Tensor)] {
        var writer = StateDictWriter()
        try writer.add("lr", learningRate)
        try writer.add("momentum", momentum)
        try writer.add("dampening", dampening)
        try writer.add("weight_decay", weightDecay)
        try writer.add("nesterov", nesterov)
        for (index, buffer) in momentumBuffers.enumerated() {
            try writer.add("state.\(index).momentum_buffer", buffer)
        }
        return writer.entries
    }

    public func loadStateDict(_ state: [String: Tensor]) throws {
        var reader = StateDictReader(owner: "SGD", entries: state)
        let lr = try reader.double("lr"), momentum = try reader.double("momentum")
        let dampening = try reader.double("dampening"), weightDecay = try reader.double("weight_decay")
        let nesterov = try reader.bool("nesterov")
        try Self.validate(lr: lr, momentum: momentum, dampening: dampening, weightDecay: weightDecay,
                          nesterov: nesterov)
        let buffers = try parameters.enumerated().map { index, parameter in
            let name = "state.\(index).momentum_buffer"
            return reader.contains(name) ? try reader.buffer(name, like: parameter) : nil
        }
        try reader.finish()
        (learningRate, self.momentum, self.dampening, self.weightDecay, self.nesterov) =
            (lr, momentum, dampening, weightDecay, nesterov)
        momentumBuffers = buffers
    }
}
