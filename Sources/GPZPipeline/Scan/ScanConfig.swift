import Foundation
import GPZAnalysis
import GPZData
import GPZTraining

/// One study of `gpz scan`: a target to train (or reuse), the analysis at every split, the attack at the chosen
/// splits, and the privacy threshold of the recommendation. The sections are the library's own configuration
/// types, so every field has one key and one default; a file names only what it changes and unknown fields are
/// errors (`ConfigDecoder`). The keys are documented in docs/scan.md.
public struct ScanConfig: ConfigSection {
    /// The study's name: the run directory's name when a plan has several studies.
    public var name = "scan"
    /// Recommendation: a split protects when its reconstruction MSE is at least this (also the post-hoc
    /// zone's threshold).
    public var privacyThreshold = PostHocLocator.defaultThreshold
    /// The target and its training; scans resize images to 32 px unless told otherwise.
    public var target = TrainingConfig()
    public var analysis = AnalysisSettings()
    public var attack = AttackConfig()

    public init() {
        target.imageSize = 32
    }

    /// The defaults, named `name`.
    public init(name: String) {
        self.init()
        self.name = name
    }

    enum CodingKeys: String, CodingKey {
        case name, privacyThreshold = "privacy_threshold", target, analysis, attack
    }

    /// Checks every field that can be checked without data, naming the first bad one by its path in the file.
    public func validate() throws {
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.+".contains($0) }) else {
            throw ConfigError(field: "name", "'\(name)': expected letters, digits, - _ . + only")
        }
        try ConfigError.positive(privacyThreshold, "privacy_threshold")
        try ConfigError.within("target") { try target.validate() }
        try ConfigError.within("analysis") { try analysis.validate() }
        try ConfigError.within("attack") { try attack.validate() }
    }

    /// The whole study's hash.
    public var hash: String {
        get throws {
            var copy = self
            copy.name = ""
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

    /// What the attack units depend on: the trained target and the attack settings.
    public var attackHash: String {
        get throws {
            try CanonicalJSON.hash(["target": target.hash, "epochs": String(target.epochs),
                                    "attack": CanonicalJSON.hash(attack)])
        }
    }

    /// What the per-epoch statistics depend on: the training run and the per-epoch sample.
    public var epochAnalysisHash: String {
        get throws { try CanonicalJSON.hash(["target": target.hash, "sample": String(analysis.perEpochSample)]) }
    }
}
