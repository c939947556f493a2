/// When to stop training an attacker: after `patience` validation checks in a row without a relative
/// improvement of more than `minRelativeImprovement` on the best loss so far, or at `maxChecks` checks, whichever
/// comes first. Only a stop on a plateau counts as converged: a run cut by the maximum, or whose loss went
/// non-finite, did not converge, and the attack it made is no evidence of protection.
///
/// A check improves when loss < best · (1 − δ) (δ = `minRelativeImprovement`); the first finite loss always does.
public struct EarlyStopping: Codable, Equatable, Sendable {
    /// Why training stopped.
    public enum Stop: String, Codable, Sendable {
        /// `patience` checks without improvement: converged.
        case plateau
        /// The most checks allowed, still improving: not converged.
        case maximum
        /// A NaN or infinite validation loss: not converged.
        case diverged
    }

    public let patience: Int
    public let minRelativeImprovement: Double
    public let maxChecks: Int
    /// Every validation loss seen, in order.
    public private(set) var history: [Double] = []
    /// The best loss and the check (0-based) that gave it.
    public private(set) var best = Double.infinity
    public private(set) var bestCheck: Int?
    public private(set) var stop: Stop?

    public init(patience: Int = 3, minRelativeImprovement: Double = 0.005, maxChecks: Int = 100) throws {
        try OptimizerError.check(patience >= 1, "EarlyStopping", "patience", patience, expected: ">= 1")
        try OptimizerError.check(minRelativeImprovement >= 0 && minRelativeImprovement < 1, "EarlyStopping",
                                 "minimum relative improvement", minRelativeImprovement, expected: "in [0, 1)")
        try OptimizerError.check(maxChecks >= 1, "EarlyStopping", "maximum checks", maxChecks, expected: ">= 1")
        self.patience = patience
        self.minRelativeImprovement = minRelativeImprovement
        self.maxChecks = maxChecks
    }

    /// Whether the run stopped on a plateau.
    public var converged: Bool { stop == .plateau }

    /// Records a validation loss; returns whether to stop now.
    public mutating func observe(_ loss: Double) -> Bool {
        guard stop == nil else { return true }
        history.append(loss)
        let check = history.count - 1
        if !loss.isFinite {
            stop = .diverged
        } else if loss < best * (1 - minRelativeImprovement) || bestCheck == nil {
            best = loss
            bestCheck = check
        }
        if stop == nil, let bestCheck, check - bestCheck >= patience { stop = .plateau }
        if stop == nil, history.count >= maxChecks { stop = .maximum }
        return stop != nil
    }
}
