import Foundation
import GPZAnalysis
import GPZAttacks
import GPZConfig
import GPZData
import GPZTensor
import GPZTraining

/// One study of `gpz scan`: a target to train (or reuse), the analysis at every split, the attack at the chosen
/// splits, and the privacy threshold of the recommendation. The sections are the library's own configuration
/// types, so every field has one key and one default; a file names only what it changes and unknown fields are
/// errors (`ConfigDecoder`). The keys are documented in docs/scan.md.
public struct ScanConfig: ConfigSection {
    /// The study's name: the run directory's name when a plan has several studies.
    public var name = "scan"
    /// Recommendation: a split protects when the leakage L = max(0, 1 − MSE/MSE_class-mean) of the best decoder
    /// any attacker made there, and at every deeper attacked split, is at most this, from an attack that beat the
    /// label-only floor (`LeakageBoundary`).
    public var leakageThreshold = LeakageBoundary.defaultThreshold
    /// The paper's high-fidelity threshold on its channel-summed MSE, reported as a comparison column.
    public var privacyThreshold = PostHocLocator.defaultThreshold
    /// The target and its training; scans resize images to 32 px unless told otherwise.
    public var target = TrainingConfig()
    public var analysis = AnalysisSettings()
    public var attack = AttackConfig()
    /// Where tensors live: cpu, cuda, cuda:N, or auto (the first CUDA device when there is one). Not part of the
    /// study's hash; the store records the device its units were computed on and refuses to mix devices.
    public var device = Device.auto

    public init() {
        target.imageSize = 32
    }

    /// The defaults, named `name`.
    public init(name: String) {
        self.init()
        self.name = name
    }

    enum CodingKeys: String, CodingKey {
        case name, leakageThreshold = "leakage_threshold", privacyThreshold = "privacy_threshold", target, analysis
        case attack, device
    }

    /// Checks every field that can be checked without data, naming the first bad one by its path in the file.
    public func validate() throws {
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.+".contains($0) }) else {
            throw ConfigError(field: "name", "'\(name)': expected letters, digits, - _ . + only")
        }
        try ConfigError.positive(privacyThreshold, "privacy_threshold")
        guard leakageThreshold >= 0, leakageThreshold < 1 else {
            throw ConfigError(field: "leakage_threshold", "expected 0 ≤ τ < 1, got \(leakageThreshold)")
        }
        try ConfigError.within("target") { try target.validate() }
        try ConfigError.within("analysis") { try analysis.validate() }
        try ConfigError.within("attack") { try attack.validate() }
    }

    /// The whole study's hash.
    public var hash: String {
        get throws {
            var copy = self
            copy.name = ""
            copy.device = .auto
            return try CanonicalJSON.hash(copy)
        }
    }

    /// What the analysis units depend on: the trained target (its hash and epochs) and the analysis settings.
    public var analysisHash: String {
        get throws {
            try CanonicalJSON.hash(["target": target.hash, "epochs": String(target.epochs),
                                    "analysis": CanonicalJSON.hash(analysis)])
        }
    }

    /// What the attack units of the first run depend on: the trained target and the attack settings.
    public var attackHash: String {
        get throws { try attackHash(of: attack) }
    }

    /// The attack units of one run with `settings` (its seed, budget and epoch maximum; what decides which runs a
    /// scan makes is left out — the seed count, the ladder, the escalation's epochs — and so is the feature bank's
    /// size: more seeds or rungs keep the units already attacked, and banking does not change results).
    public func attackHash(of run: AttackConfig) throws -> String {
        var settings = run
        let defaults = AttackConfig()
        settings.seeds = 1
        settings.ladder = defaults.ladder
        settings.escalationEpochs = defaults.escalationEpochs
        settings.featureBankMiB = AttackConfig().featureBankMiB
        return try CanonicalJSON.hash(["target": target.hash, "epochs": String(target.epochs),
                                       "attack": CanonicalJSON.hash(settings)])
    }

    /// What the per-epoch statistics depend on: the training run and the per-epoch sample.
    public var epochAnalysisHash: String {
        get throws { try CanonicalJSON.hash(["target": target.hash, "sample": String(analysis.perEpochSample)]) }
    }
}
