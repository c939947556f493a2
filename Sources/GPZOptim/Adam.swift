import Foundation
import GPZTensor

/// Adam, as `torch.optim.Adam`. For each parameter θ with gradient g, at step t (counted per parameter from 1),
/// with learning rate γ, betas β₁ β₂, epsilon ε and weight decay λ:
///
///     g ← g + λ·θ                                  (L2 weight decay, λ ≠ 0; `AdamW` decays θ instead)
///     m ← β₁·m + (1 − β₁)·g
///     v ← β₂·v + (1 − β₂)·g²
///     v̂ ← max(v̂, v)                                (AMSGrad; then v̂ replaces v below)
///     θ ← θ − (γ / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
public class Adam: Optimizer {
    public let parameters: [Tensor]
    public var learningRate: Double
    public private(set) var betas: (Double, Double)
    public private(set) var eps: Double
    public private(set) var weightDecay: Double
    public private(set) var amsgrad: Bool
    /// Whether weight decay shrinks the parameters directly (AdamW) instead of being added to the gradient.
    let decoupledWeightDecay: Bool
    /// Per parameter index; nil until that parameter's first step.
    private var states: [MomentState?]

    private var name: String { decoupledWeightDecay ? "AdamW" : "Adam" }

    /// Step count and moment estimates of one parameter.
    private struct MomentState {
        var step: Int
        let expAvg: Tensor
        let expAvgSq: Tensor
        let maxExpAvgSq: Tensor?
    }

    public convenience init(parameters: [Tensor], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
                            eps: Double = 1e-8, weightDecay: Double = 0, amsgrad: Bool = false) throws {
        try self.init(parameters: parameters, lr: lr, betas: betas, eps: eps, weightDecay: weightDecay,
                      amsgrad: amsgrad, decoupledWeightDecay: false)
    }

    init(parameters: [Tensor], lr: Double, betas: (Double, Double), eps: Double, weightDecay: Double,
         amsgrad: Bool, decoupledWeightDecay: Bool) throws {
        self.parameters = parameters
        self.learningRate = lr
        self.betas = betas
        self.eps = eps
        self.weightDecay = weightDecay
        self.amsgrad = amsgrad
        self.decoupledWeightDecay = decoupledWeightDecay
        self.states = Array(repeating: nil, count: parameters.count)
        try validate(lr: lr, betas: betas, eps: eps, weightDecay: weightDecay)
    }

    private func validate(lr: Double, betas: (Double, Double), eps: Double, weightDecay: Double) throws {
        try OptimizerError.check(lr >= 0, name, "learning rate", lr, expected: ">= 0")
        try OptimizerError.check(eps >= 0, name, "epsilon", eps, expected: ">= 0")
        try OptimizerError.check((0..<1).contains(betas.0), name, "beta1", betas.0, expected: "0 <= beta1 < 1")
        try OptimizerError.check((0..<1).contains(betas.1), name, "beta2", betas.1, expected: "0 <= beta2 < 1")
        try OptimizerError.check(weightDecay >= 0, name, "weight decay", weightDecay, expected: ">= 0")
    }

    public func step() throws {
        try withNoGrad {
            for (index, parameter) in parameters.enumerated() {
                guard var gradient = parameter.grad else { continue }
                var state = try states[index] ?? MomentState(
                    step: 0,
                    expAvg: Tensor.zeros(parameter.shape, dtype: parameter.dtype),
                    expAvgSq: Tensor.zeros(parameter.shape, dtype: parameter.dtype),
                    maxExpAvgSq: amsgrad ? Tensor.zeros(parameter.shape, dtype: parameter.dtype) : nil)
                state.step += 1
                states[index] = state

                if decoupledWeightDecay {
                    try parameter.scaleInPlace(1 - learningRate * weightDecay)
                } else if weightDecay != 0 {
                    gradient = try gradient.adding(parameter, alpha: weightDecay)
                }
                try state.expAvg.scaleInPlace(betas.0)
                try state.expAvg.addInPlace(gradient, alpha: 1 - betas.0)
                try state.expAvgSq.scaleInPlace(betas.1)
                try state.expAvgSq.addProductInPlace(gradient, gradient, value: 1 - betas.1)

                let step = Double(state.step)
                let biasCorrection1 = 1 - pow(betas.0, step)
                let biasCorrection2Sqrt = (1 - pow(betas.1, step)).squareRoot()
                var secondMoment = state.expAvgSq
                if amsgrad {
                    guard let maxExpAvgSq = state.maxExpAvgSq else {
                        throw OptimizerError("\(name): parameter \(index) has no max_exp_avg_sq for AMSGrad")
                    }
                    try maxExpAvgSq.assign(maxExpAvgSq.maximum(state.expAvgSq))
                    secondMoment = maxExpAvgSq
                }
                let denominator = try secondMoment.sqrt() / biasCorrection2Sqrt + eps
                try parameter.addQuotientInPlace(state.expAvg, denominator, value: -(learningRate / biasCorrection1))
            }
        }
    }

    /// Entries `lr`, `beta1`, `beta2`, `eps`, `weight_decay`, `amsgrad` and, per parameter that has taken a step,
    /// `state.<i>.step`, `state.<i>.exp_avg`, `state.<i>.exp_avg_sq` (and `state.<i>.max_exp_avg_sq` with AMSGrad).
    public func stateDict() throws -> [(name: String, tensor: Tensor)] {
        var writer = StateDictWriter()
        try writer.add("lr", learningRate)
        try writer.add("beta1", betas.0)
        try writer.add("beta2", betas.1)
        try writer.add("eps", eps)
        try writer.add("weight_decay", weightDecay)
        try writer.add("amsgrad", amsgrad)
        for (index, state) in states.enumerated() {
            guard let state else { continue }
            try writer.add("state.\(index).step", state.step)
            try writer.add("state.\(index).exp_avg", state.expAvg)
            try writer.add("state.\(index).exp_avg_sq", state.expAvgSq)
            try writer.add("state.\(index).max_exp_avg_sq", state.maxExpAvgSq)
        }
        return writer.entries
    }

    public func loadStateDict(_ state: [String: Tensor]) throws {
        var reader = StateDictReader(owner: name, entries: state)
        let lr = try reader.double("lr"), betas = (try reader.double("beta1"), try reader.double("beta2"))
        let eps = try reader.double("eps"), weightDecay = try reader.double("weight_decay")
        let amsgrad = try reader.bool("amsgrad")
        try validate(lr: lr, betas: betas, eps: eps, weightDecay: weightDecay)
        let states = try parameters.enumerated().map { index, parameter -> MomentState? in
            let prefix = "state.\(index)."
            guard reader.contains(prefix + "step") else { return nil }
            return MomentState(
                step: try reader.int(prefix + "step"),
                expAvg: try reader.buffer(prefix + "exp_avg", like: parameter),
                expAvgSq: try reader.buffer(prefix + "exp_avg_sq", like: parameter),
                maxExpAvgSq: amsgrad ? try reader.buffer(prefix + "max_exp_avg_sq", like: parameter) : nil)
        }
        try reader.finish()
        (learningRate, self.betas, self.eps, self.weightDecay, self.amsgrad) = (lr, betas, eps, weightDecay, amsgrad)
        self.states = states
    }
}

/// Adam with decoupled weight decay, as `torch.optim.AdamW`: before the Adam update of step t each parameter is
/// shrunk, θ ← θ·(1 − γ·λ), and the gradient itself is left undecayed. Default weight decay λ = 0.01.
public final class AdamW: Adam {
    public init(parameters: [Tensor], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8,
                weightDecay: Double = 0.01, amsgrad: Bool = false) throws {
        try super.init(parameters: parameters, lr: lr, betas: betas, eps: eps, weightDecay: weightDecay,
                       amsgrad: amsgrad, decoupledWeightDecay: true)
    }
}
