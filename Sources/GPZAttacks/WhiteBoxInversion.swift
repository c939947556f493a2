import Foundation
import GPZModels
import GPZNN
import GPZOptim
import GPZTensor

/// The white-box optimisation attack rMLE (regularised maximum-likelihood estimation, He et al. 2019): knowing
/// the edge's weights, find the image whose features match the observed ones,
///
///     x̂ = argmin_x  mean((f_edge(n(x)) − z)²) + λ · TV(x),   x ∈ [0, 1]^{C×S×S}
///
/// with n the target's input normalisation and TV the anisotropic total variation of `Loss.totalVariation`
/// (mean absolute difference of vertical neighbours plus that of horizontal ones). The feature term is the
/// mean over the batch's feature elements, so λ means the same at every split. x is kept in [0, 1] by
/// optimising an unconstrained u with x = σ(u) (a sigmoid, so no clamping and no dead gradients at the bounds);
/// u starts from N(0, 1) noise (`Start.noise`) or from logit(c) everywhere (`Start.constant(c)`), and Adam
/// updates it for `iterations` steps. The target's parameters are frozen during the attack.
public struct WhiteBoxInversion: Sendable {
    public enum Start: Equatable, Sendable {
        /// u ~ N(0, 1), i.e. x̂ = σ(u): noise around 0.5.
        case noise
        /// x̂ = c everywhere, 0 < c < 1.
        case constant(Double)
    }

    public var iterations: Int
    public var learningRate: Double
    /// λ, the weight of the total-variation prior.
    public var totalVariationWeight: Double
    public var start: Start

    public init(iterations: Int = 500, learningRate: Double = 0.05, totalVariationWeight: Double = 0.05,
                start: Start = .noise) {
        self.iterations = iterations
        self.learningRate = learningRate
        self.totalVariationWeight = totalVariationWeight
        self.start = start
    }

    /// The result of inverting one batch of features.
    public struct Result {
        /// x̂ [N, C, S, S] in [0, 1].
        public let reconstructions: Tensor
        /// The objective before each step and after the last: `iterations + 1` values.
        public let objectiveTrace: [Double]
    }

    /// Reconstructs images from the features `features` [N] + split shape that `target` sends at split `index`.
    /// The target is switched to evaluation mode; `progress` gets (iterations done, total, objective).
    public func invert(features: Tensor, target: any SplittableModel, split index: Int,
                       normalizeInput: (Tensor) throws -> Tensor = { $0 },
                       progress: ((Int, Int, Double) -> Void)? = nil) throws -> Result {
        try Self.check(features: features, target: target, split: index, iterations: iterations, attacker: "rMLE")
        target.eval()
        let frozen = try Self.freeze(target.parameters())
        defer { Self.release(frozen) }

        let config = target.config
        let latent = try initialLatent([features.size(0), config.channels, config.imageSize, config.imageSize])
        let optimizer = try Adam(parameters: [latent], lr: learningRate)
        let observed = try features.detached()
        func objective() throws -> Tensor {
            let image = try latent.sigmoid()
            let mismatch = try Loss.mse(target.edge(normalizeInput(image), upTo: index), observed)
            return try mismatch + Loss.totalVariation(image) * totalVariationWeight
        }
        var trace: [Double] = []
        for iteration in 0..<iterations {
            let value = try objective()
            trace.append(try value.item())
            try optimizer.zeroGrad()
            try value.backward()
            try optimizer.step()
            progress?(iteration + 1, iterations, trace[iteration])
        }
        trace.append(try withNoGrad { try objective().item() })
        return Result(reconstructions: try withNoGrad { try latent.sigmoid() }, objectiveTrace: trace)
    }

    /// u for the chosen start, a leaf that requires gradients.
    private func initialLatent(_ shape: [Int]) throws -> Tensor {
        switch start {
        case .noise:
            return try Tensor.randn(shape).requiringGrad()
        case .constant(let value):
            try AttackError.check(value > 0 && value < 1, "rMLE: the constant start \(value) must lie in (0, 1)")
            return try Tensor.full(shape, log(value / (1 - value))).requiringGrad()
        }
    }
}

extension WhiteBoxInversion {
    /// The white-box attackers' checks (rMLE's and the prior's), naming `attacker`: the features have the split's
    /// per-sample shape, and there is at least one iteration.
    static func check(features: Tensor, target: any SplittableModel, split index: Int, iterations: Int,
                      attacker: String) throws {
        let split = try target.split(at: index)
        try AttackError.check(Array(features.shape.dropFirst()) == split.shape && features.rank >= 1,
                              "\(attacker): features \(features.shape) do not match split \(index) (\(split.name)) "
                              + "shape \(split.shape)")
        try AttackError.check(iterations >= 1, "\(attacker): iterations must be at least 1, got \(iterations)")
    }

    /// Excludes `parameters` from autograd for a white-box search, so they accumulate no gradients; returns those it
    /// changed, for `release`.
    static func freeze(_ parameters: [Tensor]) throws -> [Tensor] {
        let frozen = parameters.filter(\.requiresGrad)
        for parameter in frozen { try parameter.requiringGrad(false) }
        return frozen
    }

    /// Gives `freeze`'s parameters back to autograd.
    static func release(_ frozen: [Tensor]) {
        for parameter in frozen { _ = try? parameter.requiringGrad(true) }
    }
}
