import Foundation
import GPZAnalysis
import GPZData
import GPZTraining

/// One study of `gpz scan`: a target to train (or reuse), the analysis at every split, the attack at the chosen
/// splits, and the privacy threshold of the recommendation. Every field has a default, so a configuration file
/// names only what it changes; unknown fields are errors. The field names are those of the YAML/JSON file
/// (documented in docs/scan.md).
public struct ScanConfig: Codable, Equatable, Sendable {
    /// The study's name: the run directory's name when a plan has several studies.
    public var name: String
    /// Data set: `fashion-mnist`, `mnist-5k`, or `KIND:PATH`.
    public var data: String
    /// Images are resized to this side (28, 32, 64, …); nil keeps the data set's size.
    public var imageSize: Int?
    /// Recommendation: a split protects when its reconstruction MSE is at least this (also the post-hoc
    /// zone's threshold).
    public var privacyThreshold: Double
    public var target: TargetSection
    public var analysis: AnalysisSection
    public var attack: AttackSection

    public init(name: String = "scan", data: String = "fashion-mnist", imageSize: Int? = 32,
                privacyThreshold: Double = PostHocLocator.defaultThreshold, target: TargetSection = .init(),
                analysis: AnalysisSection = .init(), attack: AttackSection = .init()) {
        self.name = name
        self.data = data
        self.imageSize = imageSize
        self.privacyThreshold = privacyThreshold
        self.target = target
        self.analysis = analysis
        self.attack = attack
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, data, imageSize = "image_size", privacyThreshold = "privacy_threshold", target, analysis, attack
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try c.rejectUnknownKeys(CodingKeys.self, decoder: decoder)
        let d = ScanConfig()
        name = try c.decodeIfPresent(String.self, forKey: .name) ?? d.name
        data = try c.decodeIfPresent(String.self, forKey: .data) ?? d.data
        imageSize = c.contains(.imageSize) ? try c.decodeIfPresent(Int.self, forKey: .imageSize) : d.imageSize
        privacyThreshold = try c.decodeIfPresent(Double.self, forKey: .privacyThreshold) ?? d.privacyThreshold
        target = try c.decodeIfPresent(TargetSection.self, forKey: .target) ?? d.target
        analysis = try c.decodeIfPresent(AnalysisSection.self, forKey: .analysis) ?? d.analysis
        attack = try c.decodeIfPresent(AttackSection.self, forKey: .attack) ?? d.attack
    }

    /// The target: architecture, labels and training settings.
    public struct TargetSection: Codable, Equatable, Sendable {
        public var model = "cnn4"
        /// `onehot`, `ls:0.3` (LS+), `ls:-0.05` (LS−).
        public var labels = "onehot"
        public var epochs = 10
        /// cnn4's first-block width (the paper's ndf).
        public var width = 64
        public var patchSize = 4
        public var optimizer = OptimizerChoice.adam
        public var lr = 1e-3
        public var batch = 128
        public var seed: UInt64 = 0
        public var flip = 0.5
        /// The attacker's share held out of target training.
        public var aux = "sub:0.2"
        public var `private` = PrivateSource.test
        /// Train on a class-stratified subset of this many of the training images (nil: all).
        public var trainLimit: Int?

        public init() {}

        enum CodingKeys: String, CodingKey, CaseIterable {
            case model, labels, epochs, width, patchSize = "patch_size", optimizer, lr, batch, seed, flip, aux
            case `private`, trainLimit = "train_limit"
        }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            try c.rejectUnknownKeys(CodingKeys.self, decoder: decoder)
            model = try c.decodeIfPresent(String.self, forKey: .model) ?? model
            labels = try c.decodeIfPresent(String.self, forKey: .labels) ?? labels
            epochs = try c.decodeIfPresent(Int.self, forKey: .epochs) ?? epochs
            width = try c.decodeIfPresent(Int.self, forKey: .width) ?? width
            patchSize = try c.decodeIfPresent(Int.self, forKey: .patchSize) ?? patchSize
            optimizer = try c.decodeIfPresent(OptimizerChoice.self, forKey: .optimizer) ?? optimizer
            lr = try c.decodeIfPresent(Double.self, forKey: .lr) ?? lr
            batch = try c.decodeIfPresent(Int.self, forKey: .batch) ?? batch
            seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? seed
            flip = try c.decodeIfPresent(Double.self, forKey: .flip) ?? flip
            aux = try c.decodeIfPresent(String.self, forKey: .aux) ?? aux
            `private` = try c.decodeIfPresent(PrivateSource.self, forKey: .private) ?? `private`
            trainLimit = try c.decodeIfPresent(Int.self, forKey: .trainLimit)
        }
    }

    /// Feature statistics at every split.
    public struct AnalysisSection: Codable, Equatable, Sendable {
        /// Class-stratified sample of the target's training images (nil: all of them).
        public var sample: Int? = 5_000
        /// `truth` or `predicted` class labels.
        public var labels = LabelSource.truth
        /// Also record mean R_c² at every split after every training epoch (the Neural Vortex curves).
        public var perEpoch = false
        /// Images analysed after each epoch when `perEpoch` is on.
        public var perEpochSample = 1_000

        public init() {}

        enum CodingKeys: String, CodingKey, CaseIterable {
            case sample, labels, perEpoch = "per_epoch", perEpochSample = "per_epoch_sample"
        }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            try c.rejectUnknownKeys(CodingKeys.self, decoder: decoder)
            sample = c.contains(.sample) ? try c.decodeIfPresent(Int.self, forKey: .sample) : sample
            labels = try c.decodeIfPresent(LabelSource.self, forKey: .labels) ?? labels
            perEpoch = try c.decodeIfPresent(Bool.self, forKey: .perEpoch) ?? perEpoch
            perEpochSample = try c.decodeIfPresent(Int.self, forKey: .perEpochSample) ?? perEpochSample
        }
    }

    /// The attack at the chosen splits.
    public struct AttackSection: Codable, Equatable, Sendable {
        /// `all`, or comma-separated split indices or names.
        public var splits = "all"
        /// `sub` (the fraction held out of target training) or `cross:DATASET`.
        public var aux = "sub"
        public var attacker = AttackerKind.decoder
        public var defense = DefenseKind.none
        public var epochs = 10
        public var lr = 0.01
        public var batch = 128
        /// `private` or `train`.
        public var evaluateOn = "private"
        /// Evaluate on the first this-many class-interleaved images (nil: all).
        public var evaluateLimit: Int?
        /// Train the decoders on a class-stratified subset of this many aux images (nil: all).
        public var auxLimit: Int?
        public var rmleImages = 16
        public var rmleIterations = 300
        public var seed: UInt64 = 0

        public init() {}

        enum CodingKeys: String, CodingKey, CaseIterable {
            case splits, aux, attacker, defense, epochs, lr, batch, evaluateOn = "evaluate_on"
            case evaluateLimit = "evaluate_limit", auxLimit = "aux_limit", rmleImages = "rmle_images"
            case rmleIterations = "rmle_iterations", seed
        }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            try c.rejectUnknownKeys(CodingKeys.self, decoder: decoder)
            splits = try c.decodeIfPresent(String.self, forKey: .splits) ?? splits
            aux = try c.decodeIfPresent(String.self, forKey: .aux) ?? aux
            attacker = try c.decodeIfPresent(AttackerKind.self, forKey: .attacker) ?? attacker
            defense = try c.decodeIfPresent(DefenseKind.self, forKey: .defense) ?? defense
            epochs = try c.decodeIfPresent(Int.self, forKey: .epochs) ?? epochs
            lr = try c.decodeIfPresent(Double.self, forKey: .lr) ?? lr
            batch = try c.decodeIfPresent(Int.self, forKey: .batch) ?? batch
            evaluateOn = try c.decodeIfPresent(String.self, forKey: .evaluateOn) ?? evaluateOn
            evaluateLimit = try c.decodeIfPresent(Int.self, forKey: .evaluateLimit)
            auxLimit = try c.decodeIfPresent(Int.self, forKey: .auxLimit)
            rmleImages = try c.decodeIfPresent(Int.self, forKey: .rmleImages) ?? rmleImages
            rmleIterations = try c.decodeIfPresent(Int.self, forKey: .rmleIterations) ?? rmleIterations
            seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? seed
        }
    }
}

extension ScanConfig {
    /// The target-training configuration (its hash names the checkpoint a scan trains or reuses).
    public var training: TrainingConfig {
        var config = TrainingConfig(architecture: target.model, dataset: data, imageSize: imageSize,
                                    labels: target.labels, epochs: target.epochs, optimizer: target.optimizer,
                                    learningRate: target.lr, batchSize: target.batch, seed: target.seed,
                                    aux: target.aux, privateSource: target.private, flipProbability: target.flip,
                                    cnn4Width: target.width, patchSize: target.patchSize)
        config.trainLimit = target.trainLimit
        return config
    }

    /// The attack configuration of `AttackStudy`.
    public var attackConfig: AttackConfig {
        var config = AttackConfig(splits: attack.splits, aux: attack.aux, attacker: attack.attacker,
                                  defense: attack.defense, epochs: attack.epochs, learningRate: attack.lr,
                                  batchSize: attack.batch, evaluateOn: attack.evaluateOn, rmleImages: attack.rmleImages,
                                  rmleIterations: attack.rmleIterations, seed: attack.seed)
        config.evaluateLimit = attack.evaluateLimit
        config.auxLimit = attack.auxLimit
        return config
    }

    /// Checks every field that can be checked without data, naming the first bad one by its path in the file.
    public func validate() throws {
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.+".contains($0) }) else {
            throw ScanConfigError(field: "name", "'\(name)': expected letters, digits, - _ . + only")
        }
        guard privacyThreshold > 0, privacyThreshold.isFinite else {
            throw ScanConfigError(field: "privacy_threshold", "expected a number > 0, got \(privacyThreshold)")
        }
        do {
            try training.validate()
        } catch let error as TrainingError {
            throw ScanConfigError(prefixing: "target", error.message)
        } catch let error as DataError {
            throw ScanConfigError(field: "target.aux", error.description)
        }
        if let limit = target.trainLimit, limit < 1 {
            throw ScanConfigError(field: "target.train_limit", "expected at least 1, got \(limit)")
        }
        if let sample = analysis.sample, sample < 1 {
            throw ScanConfigError(field: "analysis.sample", "expected at least 1, got \(sample)")
        }
        guard analysis.perEpochSample >= 1 else {
            throw ScanConfigError(field: "analysis.per_epoch_sample", "expected at least 1, got \(analysis.perEpochSample)")
        }
        do {
            try AttackStudy(config: attackConfig).validate()
        } catch let error as TrainingError {
            throw ScanConfigError(prefixing: "attack", error.message)
        }
        for (field, value) in [("attack.evaluate_limit", attack.evaluateLimit), ("attack.aux_limit", attack.auxLimit)] {
            if let value, value < 1 { throw ScanConfigError(field: field, "expected at least 1, got \(value)") }
        }
        if attack.aux != "sub" {
            do { _ = try AuxMode.parse(attack.aux) } catch {
                throw ScanConfigError(field: "attack.aux", "'\(attack.aux)': expected sub or cross:DATASET")
            }
        }
    }

    /// SHA-256 of the canonical JSON of `value` (keys sorted).
    static func hash<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Digest.sha256Hex([UInt8]((try? encoder.encode(value)) ?? Data()))
    }

    /// The whole study's hash.
    public var hash: String { Self.hash(self.withoutName) }

    /// What the analysis units depend on: the trained target (its hash and epochs) and the analysis settings.
    public var analysisHash: String {
        Self.hash(["target": training.hash, "epochs": String(target.epochs), "analysis": Self.hash(analysis)])
    }

    /// What the attack units depend on: the trained target and the attack settings.
    public var attackHash: String {
        Self.hash(["target": training.hash, "epochs": String(target.epochs), "attack": Self.hash(attack)])
    }

    /// What the per-epoch statistics depend on: the training run and the per-epoch sample.
    public var epochAnalysisHash: String {
        Self.hash(["target": training.hash, "sample": String(analysis.perEpochSample)])
    }

    private var withoutName: ScanConfig {
        var copy = self
        copy.name = ""
        return copy
    }
}

/// A bad scan configuration: the field's path in the file and what was expected.
public struct ScanConfigError: Error, CustomStringConvertible, Equatable {
    public let field: String
    public let message: String

    public init(field: String, _ message: String) {
        self.field = field
        self.message = message
    }

    /// Turns a training/attack error "epochs: expected …" into "target.epochs: expected …".
    init(prefixing section: String, _ message: String) {
        if let colon = message.firstIndex(of: ":"), !message[..<colon].contains(" ") {
            self.init(field: "\(section).\(message[..<colon])", String(message[message.index(after: colon)...])
                .trimmingCharacters(in: .whitespaces))
        } else {
            self.init(field: section, message)
        }
    }

    public var description: String { "\(field): \(message)" }
}

/// Any string key, to list the keys a configuration section actually has.
struct AnyCodingKey: CodingKey {
    let stringValue: String
    let intValue: Int? = nil
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension KeyedDecodingContainer {
    /// Throws for a key the section does not know, naming it and the known ones (a typo would otherwise be
    /// silently ignored).
    func rejectUnknownKeys<Known: CodingKey & CaseIterable>(_ known: Known.Type, decoder: Decoder) throws {
        let all = try decoder.container(keyedBy: AnyCodingKey.self).allKeys.map(\.stringValue)
        let names = Set(Known.allCases.map(\.stringValue))
        if let unknown = all.first(where: { !names.contains($0) }) {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath + [AnyCodingKey(stringValue: unknown)],
                debugDescription: "unknown field; expected one of \(Known.allCases.map(\.stringValue).joined(separator: ", "))"))
        }
    }
}
