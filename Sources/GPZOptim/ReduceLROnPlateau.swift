import GPZTensor

/// Multiplies the learning rate by `factor` when a metric has stopped improving, as
/// `torch.optim.lr_scheduler.ReduceLROnPlateau`.
///
/// After each epoch call `step(metric:)`. A metric improves on the best so far when, in `.min` mode with relative
/// threshold τ, metric < best·(1 − τ) (`.max`: metric > best·(1 + τ); absolute threshold: best ∓ τ). After more than
/// `patience` epochs in a row without improvement the rate becomes max(γ·factor, minLR) — unless that changes it
/// by `eps` or less — and the next `cooldown` epochs count no bad epochs.
public final class ReduceLROnPlateau: LRScheduler {
    public enum Mode: Sendable { case min, max }
    public enum ThresholdMode: Sendable { case relative, absolute }

    public let optimizer: any Optimizer
    public let mode: Mode
    public let factor: Double
    public let patience: Int
    public let threshold: Double
    public let thresholdMode: ThresholdMode
    public let cooldown: Int
    public let minLearningRate: Double
    public let eps: Double

    public private(set) var lastEpoch = 0
    /// The best metric seen so far (+∞ in `.min` mode, −∞ in `.max` mode before the first step).
    public private(set) var best: Double
    public private(set) var badEpochs = 0
    public private(set) var cooldownCounter = 0

    public init(optimizer: any Optimizer, mode: Mode = .min, factor: Double = 0.1, patience: Int = 10,
                threshold: Double = 1e-4, thresholdMode: ThresholdMode = .relative, cooldown: Int = 0,
                minLearningRate: Double = 0, eps: Double = 1e-8) throws {
        let owner = "ReduceLROnPlateau"
        try OptimizerError.check(factor < 1, owner, "factor", factor, expected: "< 1")
        try OptimizerError.check(factor >= 0, owner, "factor", factor, expected: ">= 0")
        try OptimizerError.check(patience >= 0, owner, "patience", patience, expected: ">= 0")
        try OptimizerError.check(threshold >= 0, owner, "threshold", threshold, expected: ">= 0")
        try OptimizerError.check(cooldown >= 0, owner, "cooldown", cooldown, expected: ">= 0")
        try OptimizerError.check(minLearningRate >= 0, owner, "minimum learning rate", minLearningRate,
                                 expected: ">= 0")
        self.optimizer = optimizer
        self.mode = mode
        self.factor = factor
        self.patience = patience
        self.threshold = threshold
        self.thresholdMode = thresholdMode
        self.cooldown = cooldown
        self.minLearningRate = minLearningRate
        self.eps = eps
        self.best = mode == .min ? .infinity : -.infinity
    }

    /// Records one epoch's `metric` and reduces the learning rate when it has plateaued.
    public func step(metric: Double) {
        lastEpoch += 1
        if isBetter(metric) {
            best = metric
            badEpochs = 0
        } else {
            badEpochs += 1
        }
        if cooldownCounter > 0 {
            cooldownCounter -= 1
            badEpochs = 0
        }
        if badEpochs > patience {
            let old = optimizer.learningRate
            let new = Swift.max(old * factor, minLearningRate)
            if old - new > eps { optimizer.learningRate = new }
            cooldownCounter = cooldown
            badEpochs = 0
        }
    }

    private func isBetter(_ metric: Double) -> Bool {
        switch (mode, thresholdMode) {
        case (.min, .relative): return metric < best * (1 - threshold)
        case (.min, .absolute): return metric < best - threshold
        case (.max, .relative): return metric > best * (threshold + 1)
        case (.max, .absolute): return metric > best + threshold
        }
    }

    /// Entries `last_epoch`, `best`, `num_bad_epochs` and `cooldown_counter`.
    public func stateDict() throws -> [(name: String, tensor: Tensor)] {
        var writer = StateDictWriter()
        try writer.add("last_epoch", lastEpoch)
        try writer.add("best", best)
        try writer.add("num_bad_epochs", badEpochs)
        try writer.add("cooldown_counter", cooldownCounter)
        return writer.entries
    }

    public func loadStateDict(_ state: [String: Tensor]) throws {
        var reader = StateDictReader(owner: "ReduceLROnPlateau", entries: state)
        let lastEpoch = try reader.int("last_epoch"), best = try reader.double("best")
        let badEpochs = try reader.int("num_bad_epochs"), cooldownCounter = try reader.int("cooldown_counter")
        try reader.finish()
        (self.lastEpoch, self.best) = (lastEpoch, best)
        (self.badEpochs, self.cooldownCounter) = (badEpochs, cooldownCounter)
    }
}
