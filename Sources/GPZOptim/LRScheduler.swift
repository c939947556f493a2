import Foundation
import GPZTensor

/// Changes an optimiser's learning rate as training progresses, as `torch.optim.lr_scheduler`.
///
/// A scheduler is created after its optimiser (the optimiser's current learning rate becomes the base rate) and
/// stepped once per epoch after the optimiser's steps. Its state holds only the progress (epoch counters, base
/// rate, best metric); hyper-parameters come from the initialiser. To resume, restore the optimiser's state (which
/// carries the current learning rate), create the scheduler the same way and load its state.
public protocol LRScheduler: AnyObject {
    var optimizer: any Optimizer { get }
    /// Number of `step` calls so far (PyTorch's `last_epoch`).
    var lastEpoch: Int { get }

    func stateDict() throws -> [(name: String, tensor: Tensor)]
    func loadStateDict(_ state: [String: Tensor]) throws
}

/// Decays the learning rate by `gamma` every `stepSize` epochs, as `torch.optim.lr_scheduler.StepLR`:
/// γₑ = γ₀ · gammaᶠˡᵒᵒʳ⁽ᵉ ᐟ ˢᵗᵉᵖˢⁱᶻᵉ⁾, applied (like PyTorch) by multiplying the current rate at each multiple of
/// `stepSize`.
public final class StepLR: LRScheduler {
    public let optimizer: any Optimizer
    public let stepSize: Int
    public let gamma: Double
    public private(set) var lastEpoch = 0

    public init(optimizer: any Optimizer, stepSize: Int, gamma: Double = 0.1) throws {
        try OptimizerError.check(stepSize >= 1, "StepLR", "step size", stepSize, expected: ">= 1")
        try OptimizerError.check(gamma > 0, "StepLR", "gamma", gamma, expected: "> 0")
        self.optimizer = optimizer
        self.stepSize = stepSize
        self.gamma = gamma
    }

    public func step() {
        lastEpoch += 1
        if lastEpoch % stepSize == 0 { optimizer.learningRate *= gamma }
    }

    /// Entry `last_epoch`.
    public func stateDict() throws -> [(name: String, tensor: Tensor)] {
        var writer = StateDictWriter()
        try writer.add("last_epoch", lastEpoch)
        return writer.entries
    }

    public func loadStateDict(_ state: [String: Tensor]) throws {
        var reader = StateDictReader(owner: "StepLR", entries: state)
        let lastEpoch = try reader.int("last_epoch")
        try reader.finish()
        self.lastEpoch = lastEpoch
    }
}

/// Cosine annealing from the base rate γ₀ down to `etaMin` over `tMax` epochs (then back up, periodically), as
/// `torch.optim.lr_scheduler.CosineAnnealingLR`: γₑ = η_min + (γ₀ − η_min)·(1 + cos(π·e / T_max)) / 2.
/// Like PyTorch it applies the recursive form to the current rate,
///
///     γₑ = η_min + (γₑ₋₁ − η_min) · (1 + cos(π·e / T_max)) / (1 + cos(π·(e − 1) / T_max)),
///
/// and, where that ratio is 0/0 (e − 1 − T_max a multiple of 2·T_max),
/// γₑ = γₑ₋₁ + (γ₀ − η_min)·(1 − cos(π / T_max)) / 2.
public final class CosineAnnealingLR: LRScheduler {
    public let optimizer: any Optimizer
    public let tMax: Int
    public let etaMin: Double
    public private(set) var baseLearningRate: Double
    public private(set) var lastEpoch = 0

    public init(optimizer: any Optimizer, tMax: Int, etaMin: Double = 0) throws {
        try OptimizerError.check(tMax >= 1, "CosineAnnealingLR", "T_max", tMax, expected: ">= 1")
        try OptimizerError.check(etaMin >= 0, "CosineAnnealingLR", "eta_min", etaMin, expected: ">= 0")
        self.optimizer = optimizer
        self.tMax = tMax
        self.etaMin = etaMin
        self.baseLearningRate = optimizer.learningRate
    }

    public func step() {
        lastEpoch += 1
        let epoch = Double(lastEpoch), period = Double(tMax)
        let current = optimizer.learningRate
        if (lastEpoch - 1 - tMax) % (2 * tMax) == 0 {
            optimizer.learningRate = current + (baseLearningRate - etaMin) * (1 - cos(Double.pi / period)) / 2
        } else {
            optimizer.learningRate = (1 + cos(Double.pi * epoch / period)) / (1 + cos(Double.pi * (epoch - 1) / period))
                * (current - etaMin) + etaMin
        }
    }

    /// Entries `last_epoch` and `base_lr`.
    public func stateDict() throws -> [(name: String, tensor: Tensor)] {
        var writer = StateDictWriter()
        try writer.add("last_epoch", lastEpoch)
        try writer.add("base_lr", baseLearningRate)
        return writer.entries
    }

    public func loadStateDict(_ state: [String: Tensor]) throws {
        var reader = StateDictReader(owner: "CosineAnnealingLR", entries: state)
        let lastEpoch = try reader.int("last_epoch"), baseLearningRate = try reader.double("base_lr")
        try reader.finish()
        (self.lastEpoch, self.baseLearningRate) = (lastEpoch, baseLearningRate)
    }
}
