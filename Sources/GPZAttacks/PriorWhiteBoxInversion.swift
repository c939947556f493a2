import GPZModels
import GPZNN
import GPZOptim
import GPZTensor

/// The white-box prior attacker (`prior-whitebox`): knowing the edge's weights, search the prior's latent space
/// for the image whose features match the observed ones (GAN-prior model inversion, Zhang et al. 2020, with the
/// prior's generator G in place of a GAN's),
///
///     ŵ = argmin_w  mean((f_edge(n(G(w))) − z)²) + λ · ½ mean_j(w_j²),    x̂ = G(ŵ)
///
/// with n the target's input normalisation and ½ mean(w²) the prior's own regulariser (the negative log-density of
/// w ~ N(0, I) per dimension, up to a constant). The feature term is the mean over the batch's feature elements,
/// as rMLE's, so λ means the same at every split. The search starts from the black-box attacker's estimate
/// w₀ = M(z) (`LatentMapping`), so it can only improve on that attacker's match to z, and Adam updates w for
/// `iterations` steps. The target and the generator are frozen, in evaluation mode.
public struct PriorWhiteBoxInversion: Sendable {
    public var iterations: Int
    public var learningRate: Double
    /// λ, the weight of the prior's regulariser.
    public var priorWeight: Double

    public init(iterations: Int = 300, learningRate: Double = 0.05, priorWeight: Double = 0.01) {
        self.iterations = iterations
        self.learningRate = learningRate
        self.priorWeight = priorWeight
    }

    public struct Result {
        /// x̂ = G(ŵ) [N, C, S, S] in [0, 1].
        public let reconstructions: Tensor
        /// The objective before each step and after the last: `iterations + 1` values.
        public let objectiveTrace: [Double]
        /// The feature term alone, at the start (the black-box estimate) and at the end.
        public let featureLoss: (start: Double, end: Double)
    }

    /// The objective at latent `latent` [N, d]: the feature mismatch plus λ times the prior term, and the mismatch.
    public func objective(latent: Tensor, generator: any Module, observed: Tensor, target: any SplittableModel,
                          split index: Int,
                          normalizeInput: (Tensor) throws -> Tensor) throws -> (total: Tensor, features: Tensor) {
        let mismatch = try Loss.mse(target.edge(normalizeInput(generator(latent)), upTo: index), observed)
        return (try mismatch + latent.square().mean() * (0.5 * priorWeight), mismatch)
    }

    /// Reconstructs images from the features `features` [N] + split shape that `target` sends at split `index`,
    /// through `decoder`, a trained prior decoder (`DecoderArchitecture.prior`); `progress` gets (iterations done,
    /// total, objective).
    public func invert(features: Tensor, decoder: InversionDecoder, target: any SplittableModel, split index: Int,
                       normalizeInput: (Tensor) throws -> Tensor = { $0 },
                       progress: ((Int, Int, Double) -> Void)? = nil) throws -> Result {
        try WhiteBoxInversion.check(features: features, target: target, split: index, iterations: iterations,
                                    attacker: "prior-whitebox")
        guard let mapping = decoder.latentMapping, let generator = decoder.generator else {
            throw AttackError("prior-whitebox: the decoder of split \(index) is not a prior decoder")
        }
        target.eval()
        decoder.eval()
        let frozen = try WhiteBoxInversion.freeze(target.parameters() + generator.parameters())
        defer { WhiteBoxInversion.release(frozen) }

        let observed = try features.detached()
        let latent = try withNoGrad { try mapping(observed) }.detached().requiringGrad()
        let optimizer = try Adam(parameters: [latent], lr: learningRate)
        func evaluate() throws -> (total: Tensor, features: Tensor) {
            try objective(latent: latent, generator: generator, observed: observed, target: target, split: index,
                          normalizeInput: normalizeInput)
        }
        var trace: [Double] = []
        var start = Double.nan
        for iteration in 0..<iterations {
            let (value, mismatch) = try evaluate()
            trace.append(try value.item())
            if iteration == 0 { start = try mismatch.item() }
            try optimizer.zeroGrad()
            try value.backward()
            try optimizer.step()
            progress?(iteration + 1, iterations, trace[iteration])
        }
        let end = try withNoGrad { () throws -> (Double, Double) in
            let (value, mismatch) = try evaluate()
            return (try value.item(), try mismatch.item())
        }
        trace.append(end.0)
        return Result(reconstructions: try withNoGrad { try generator(latent) }, objectiveTrace: trace,
                      featureLoss: (start, end.1))
    }
}
