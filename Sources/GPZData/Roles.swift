import Foundation
import GPZConfig

/// Which images a model-inversion study gives to whom.
///
/// - `train`: the target model's training data;
/// - `private`: the data whose features are sent and attacked — the test split by default, or the target's own
///   training data on request;
/// - `aux`: the attacker's data. `sub:F` holds a disjoint, class-stratified, seeded fraction F of the training
///   split out of target training; `cross:NAME` takes another data set converted to the target's size and
///   channels; `given` takes the auxiliary split the files ship with (the paper's `.npz` files have one).
public enum PrivateSource: String, Sendable, Codable, CaseIterable { case test, train }

public enum AuxMode: Equatable, Sendable, CustomStringConvertible {
    case sub(Double)
    case cross(String)
    case given

    public static let defaultFraction = 0.2

    /// `sub`, `sub:0.3`, `cross:NAME`, `given`.
    public static func parse(_ text: String) throws -> AuxMode {
        if text == "sub" { return .sub(defaultFraction) }
        if text == "given" { return .given }
        if text.hasPrefix("sub:") {
            guard let f = Double(text.dropFirst(4)), f > 0, f < 1 else {
                throw DataError(.badOption, file: text, "expected sub:F with 0 < F < 1")
            }
            return .sub(f)
        }
        if text.hasPrefix("cross:"), text.count > 6 { return .cross(String(text.dropFirst(6))) }
        throw DataError(.badOption, file: text, "aux mode: expected sub, sub:F, cross:NAME or given")
    }

    public var description: String {
        switch self {
        case .sub(let f): return "sub:\(f)"
        case .cross(let name): return "cross:\(name)"
        case .given: return "given"
        }
    }
}

/// How to split a data set into roles, and to what image shape.
public struct SplitPlan: Sendable, Equatable {
    public var seed: UInt64
    public var privateSource: PrivateSource
    public var aux: AuxMode
    /// Resize every role's images to side×side (28, 32 or 64); nil keeps the data set's size.
    public var side: Int?
    /// Convert every role to 1 or 3 channels; nil keeps the data set's.
    public var channels: Int?
    /// Keep a class-stratified, seeded subset of this many target-training images (nil: all).
    public var trainLimit: Int?

    public init(seed: UInt64 = 0, privateSource: PrivateSource = .test, aux: AuxMode = .sub(AuxMode.defaultFraction),
                side: Int? = nil, channels: Int? = nil, trainLimit: Int? = nil) {
        self.seed = seed
        self.privateSource = privateSource
        self.aux = aux
        self.side = side
        self.channels = channels
        self.trainLimit = trainLimit
    }
}

/// The images of one role, which source split they came from, and a hash that proves the membership.
public struct RoleSet: Sendable {
    /// `train`, `private` or `aux`.
    public let role: String
    /// The data set and split the indices point into, e.g. `fashion-mnist/train`.
    public let source: String
    /// Indices into the source split, ascending.
    public let indices: [Int]
    /// The images, already resized / channel-converted to the plan's shape.
    public let images: ImageSet
    /// SHA-256 of `gpz-split-v1`, the source and the ascending indices (see `membershipHash(source:indices:)`).
    public let membershipHash: String

    public var count: Int { indices.count }

    /// A class-stratified, seeded subset of about `limit` of these images (all of them when `limit` is nil or
    /// not smaller), with its own membership hash.
    public func limited(to limit: Int?, seed: UInt64) -> RoleSet {
        guard let limit, limit >= 1, limit < count else { return self }
        let classes = (images.labels.max() ?? 0) + 1
        let kept = Roles.stratifiedHoldOut(labels: images.labels, classes: classes,
                                           fraction: Double(limit) / Double(count), seed: seed &+ 2).held
        let keptIndices = kept.map { indices[$0] }
        return RoleSet(role: role, source: source, indices: keptIndices, images: images.subset(kept),
                       membershipHash: RoleSet.membershipHash(source: source, indices: keptIndices))
    }

    /// The set split class-stratified into the rest and a held-out `fraction` (rounded per class), with a seed of
    /// its own, so every caller that holds out the same fraction of the same set holds out the same images.
    public func holdingOut(_ fraction: Double) -> (rest: RoleSet, held: RoleSet) {
        let classes = (images.labels.max() ?? 0) + 1
        let split = Roles.stratifiedHoldOut(labels: images.labels, classes: classes, fraction: fraction, seed: 0x7A11D)
        func part(_ positions: [Int], _ role: String) -> RoleSet {
            let kept = positions.map { indices[$0] }
            return RoleSet(role: role, source: source, indices: kept, images: images.subset(positions),
                           membershipHash: RoleSet.membershipHash(source: source, indices: kept))
        }
        return (part(split.keep, self.role), part(split.held, self.role + "-validation"))
    }

    /// SHA-256 (hex) of the text `gpz-split-v1\n<source>\n<i0>,<i1>,…` with the indices ascending: anyone with
    /// the index list can recompute it, and two runs with the same hash used the same images.
    public static func membershipHash(source: String, indices: [Int]) -> String {
        let text = "gpz-split-v1\n\(source)\n" + indices.sorted().map(String.init).joined(separator: ",")
        return Digest.sha256Hex(text)
    }
}

/// Train / private / aux sets of a study, with a manifest to record in a run's output.
public struct Roles: Sendable {
    public let dataset: String
    public let plan: SplitPlan
    public let classNames: [String]
    public let train: RoleSet
    public let privateSet: RoleSet
    public let aux: RoleSet

    /// Splits `dataset` by `plan`. `loadCross` loads the other data set of `cross:` mode.
    public static func make(_ dataset: Dataset, plan: SplitPlan = SplitPlan(),
                            loadCross: (String) throws -> Dataset = { try Catalog.load($0) }) throws -> Roles {
        let trainSource = "\(dataset.name)/train", testSource = "\(dataset.name)/test"
        let all = Array(0 ..< dataset.train.count)
        var targetTrain = all
        var auxIndices: [Int] = []
        var auxImages: ImageSet
        var auxSource: String
        switch plan.aux {
        case .sub(let fraction):
            guard fraction > 0 && fraction < 1 else {
                throw DataError(.badOption, file: dataset.name, "aux fraction \(fraction), expected 0 < F < 1")
            }
            (targetTrain, auxIndices) = stratifiedHoldOut(labels: dataset.train.labels, classes: dataset.classes,
                                                          fraction: fraction, seed: plan.seed)
            guard !targetTrain.isEmpty && !auxIndices.isEmpty else {
                throw DataError(.badOption, file: dataset.name,
                                "aux fraction \(fraction) of \(dataset.train.count) training images leaves \(targetTrain.count) for training and \(auxIndices.count) for the attacker")
            }
            auxImages = dataset.train.subset(auxIndices)
            auxSource = trainSource
        case .given:
            guard let given = dataset.auxiliary else {
                throw DataError(.noSplit, file: dataset.name, "ships no auxiliary split; use --aux sub:F or --aux cross:NAME")
            }
            auxIndices = Array(0 ..< given.count)
            auxImages = given
            auxSource = "\(dataset.name)/auxiliary"
        case .cross(let name):
            let other = try loadCross(name)
            let base = other.auxiliary ?? other.train
            auxIndices = Array(0 ..< base.count)
            auxImages = base
            auxSource = "\(other.name)/\(other.auxiliary == nil ? "train" : "auxiliary")"
        }
        if let limit = plan.trainLimit, limit < targetTrain.count {
            guard limit >= 1 else { throw DataError(.badOption, file: dataset.name, "train limit \(limit), expected ≥ 1") }
            let labels = targetTrain.map { dataset.train.labels[$0] }
            let fraction = Double(limit) / Double(targetTrain.count)
            let kept = stratifiedHoldOut(labels: labels, classes: dataset.classes, fraction: fraction,
                                         seed: plan.seed &+ 1).held
            targetTrain = kept.map { targetTrain[$0] }
        }
        let privateIndices: [Int], privateImages: ImageSet, privateSource: String
        switch plan.privateSource {
        case .test:
            guard !dataset.test.isEmpty else {
                throw DataError(.noSplit, file: dataset.name, "has no test split to attack; use --private train (PrivateSource.train)")
            }
            privateIndices = Array(0 ..< dataset.test.count)
            privateImages = dataset.test
            privateSource = testSource
        case .train:
            privateIndices = targetTrain
            privateImages = dataset.train.subset(targetTrain)
            privateSource = trainSource
        }
        if auxSource == trainSource {
            // The invariant the whole study rests on.
            guard Set(targetTrain).isDisjoint(with: auxIndices) else {
                throw DataError(.badOption, file: dataset.name,
                                "the attacker's data would share images with the target's training data; "
                                + "use --aux sub:F, or cross: with another data set")
            }
        }
        var shape = dataset.shape
        if let c = plan.channels { shape[0] = c }
        if let s = plan.side { shape[1] = s; shape[2] = s }
        try Budget.bytes([targetTrain.count + privateIndices.count + auxIndices.count] + shape,
                         "the roles' images at \(dims(shape))", file: dataset.name)
        func make(_ role: String, _ source: String, _ indices: [Int], _ images: ImageSet) -> RoleSet {
            RoleSet(role: role, source: source, indices: indices, images: Transforms.conformed(images, to: shape),
                    membershipHash: RoleSet.membershipHash(source: source, indices: indices))
        }
        let trainImages = dataset.train.subset(targetTrain)
        return Roles(dataset: dataset.name, plan: plan, classNames: dataset.classNames,
                     train: make("train", trainSource, targetTrain, trainImages),
                     privateSet: make("private", privateSource, privateIndices, privateImages),
                     aux: make("aux", auxSource, auxIndices, auxImages))
    }

    /// Per class, a seeded random `fraction` (rounded) of that class's images goes to the second list; both lists
    /// ascending. Stratifying keeps the attacker's class balance equal to the target's.
    public static func stratifiedHoldOut(labels: [Int], classes: Int, fraction: Double, seed: UInt64) -> (keep: [Int], held: [Int]) {
        var byClass = [[Int]](repeating: [], count: max(classes, (labels.max() ?? -1) + 1))
        for (i, l) in labels.enumerated() { byClass[l].append(i) }
        var rng = SeededRandom(seed: seed, stream: "aux-split")
        var keep: [Int] = [], held: [Int] = []
        for var members in byClass {
            rng.shuffle(&members)
            let n = Int((Double(members.count) * fraction).rounded())
            held += members.prefix(n)
            keep += members.dropFirst(n)
        }
        return (keep.sorted(), held.sorted())
    }

    /// What a run records: data set, plan, and per role the source, count, class histogram and membership hash.
    public var manifest: Manifest { manifest(includingIndices: false) }

    /// The manifest, optionally with each role's index list (so the hashes can be checked without re-splitting).
    public func manifest(includingIndices: Bool) -> Manifest {
        func entry(_ r: RoleSet) -> Manifest.Entry {
            Manifest.Entry(source: r.source, count: r.count, histogram: r.images.histogram(classes: classNames.count),
                           sha256: r.membershipHash, indices: includingIndices ? r.indices : nil)
        }
        return Manifest(dataset: dataset, seed: plan.seed, privateSource: plan.privateSource.rawValue,
                        auxMode: plan.aux.description, shape: train.images.shape, classes: classNames.count,
                        train: entry(train), private: entry(privateSet), aux: entry(aux))
    }

    public struct Manifest: Codable, Sendable, Equatable {
        public struct Entry: Codable, Sendable, Equatable {
            public var source: String
            public var count: Int
            public var histogram: [Int]
            public var sha256: String
            /// Ascending indices into `source`, when asked for.
            public var indices: [Int]?
        }
        public var dataset: String
        public var seed: UInt64
        public var privateSource: String
        public var auxMode: String
        public var shape: [Int]
        public var classes: Int
        public var train: Entry
        public var `private`: Entry
        public var aux: Entry

        enum CodingKeys: String, CodingKey {
            case dataset, seed, privateSource = "private_source", auxMode = "aux_mode", shape, classes, train, `private`, aux
        }

        public func json() -> String {
            let enc = JSONEncoder()
            enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return String(decoding: (try? enc.encode(self)) ?? Data("{}".utf8), as: UTF8.self)
        }
    }
}
