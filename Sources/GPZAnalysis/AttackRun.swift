/// One attack run at one split, as the verdict reads it: which attacker, which decoder seed, how much of the
/// attacker's data it trained on, how long it was allowed to train, and what it achieved.
public struct AttackRun: Codable, Equatable, Sendable {
    public var attacker: String
    public var seed: UInt64
    /// The share of the attacker's aux images the run trained on: 1 for all of them, less on the budget ladder.
    public var budget: Double
    /// The epoch maximum the run trained under (0 for attacks that are not trained, such as rMLE).
    public var epochs: Int
    /// Mean per-element MSE over the evaluated images, and its standard error over them (sd/√n).
    public var mse: Double
    public var mseError: Double
    /// Whether training stopped on a validation plateau; nil for an attack that is not trained.
    public var converged: Bool?
    /// Whether its reconstructions pick their own original out of K same-class private images more often than
    /// chance (the Wilson interval lies above 1/K); nil when not measured.
    public var reidentifies: Bool?

    public init(attacker: String, seed: UInt64 = 0, budget: Double = 1, epochs: Int = 0, mse: Double,
                mseError: Double = 0, converged: Bool? = nil, reidentifies: Bool? = nil) {
        self.attacker = attacker
        self.seed = seed
        self.budget = budget
        self.epochs = epochs
        self.mse = mse
        self.mseError = mseError
        self.converged = converged
        self.reidentifies = reidentifies
    }

    enum CodingKeys: String, CodingKey {
        case attacker, seed, budget, epochs, mse, converged, reidentifies
        case mseError = "mse_error"
    }
}

/// Leakage of one attacker at one budget of the ladder: L = 1 − MSE / MSE_class-mean, not clamped at 0, so that a
/// curve below the class-mean image still shows its trend.
public struct BudgetPoint: Codable, Equatable, Sendable {
    public let budget: Double
    public let seed: UInt64
    public let mse: Double
    public let leakage: Double
}

/// Why a split whose leakage is at most τ is still not called protected.
public enum OpenReason: String, Codable, CaseIterable, Sendable {
    /// No attack beat the attainable label-only floor here: the attack failed and proves nothing.
    case belowFloor = "below-floor"
    /// A learned attacker's run stopped at its epoch maximum, still improving.
    case notConverged = "not-converged"
    /// The last doubling of the attacker's data raised leakage by more than its uncertainty.
    case budgetRising = "budget-rising"
    /// A learned attacker ran at one budget only, so saturation was not checked.
    case noLadder = "no-ladder"

    /// The reason in words, for reports and terminals.
    public var text: String {
        switch self {
        case .belowFloor: return "no attack beat the label-only floor"
        case .notConverged: return "an attacker had not converged"
        case .budgetRising: return "leakage still rose with the attacker's data"
        case .noLadder: return "the attacker's budget was not varied"
        }
    }
}
