import GPZNN
import GPZTensor

/// One step of a model's forward pass. A model is an ordered list of stages; the output of every stage marked
/// as a split point can be transmitted from the edge to the cloud.
public struct Stage {
    /// Readable name; for a split point, the split's name.
    public let name: String
    /// The stage's child name in state dicts (`features.3`, `layer2.1`, `fc`).
    public let key: String
    public let module: any Module
    public let isSplitPoint: Bool

    public init(name: String, key: String? = nil, module: any Module, isSplitPoint: Bool = true) {
        self.name = name
        self.key = key ?? name
        self.module = module
        self.isSplitPoint = isSplitPoint
    }
}

/// A classifier that can be cut at any of its split points into an edge half and a cloud half.
///
/// The forward pass runs `stages` in order. Split point k (1-based) is the output of the k-th stage marked as a
/// split point: `edge(x, upTo: k)` runs the stages up to and including that one, `cloud(z, from: k)` runs the
/// rest, so `cloud(edge(x, upTo: k), from: k)` is `forward(x)` operation for operation.
public protocol SplittableModel: Module {
    var config: ModelConfig { get }
    var stages: [Stage] { get }
    /// The split points in order, with per-sample shapes for `config`'s input.
    var splitPoints: [SplitPoint] { get }
}

extension SplittableModel {
    /// The children are the stages, under their keys.
    public var children: [(name: String, module: any Module)] { stages.map { ($0.key, $0.module) } }

    /// The logits for `input` [N, channels, imageSize, imageSize].
    public func forward(_ input: Tensor) throws -> Tensor {
        try checkInput(input)
        return try run(stages[...], on: input)
    }

    /// The split point with 1-based `index`, or an error giving the valid range.
    public func split(at index: Int) throws -> SplitPoint {
        guard splitPoints.indices.contains(index - 1) else {
            throw ModelError("\(config.architecture) has no split \(index); valid indices are 1…\(splitPoints.count)")
        }
        return splitPoints[index - 1]
    }

    /// The split point called `name`, or whose index `name` spells; an error listing the valid names otherwise.
    public func split(named name: String) throws -> SplitPoint {
        if let index = Int(name) { return try split(at: index) }
        if let point = splitPoints.first(where: { $0.name == name }) { return point }
        let names = splitPoints.map(\.name).joined(separator: ", ")
        throw ModelError("\(config.architecture) has no split '\(name)'; valid splits are 1…\(splitPoints.count) "
                         + "or one of: \(names)")
    }

    /// The features at each split of `indices` and the logits, all from one forward pass.
    public func features(_ input: Tensor, at indices: [Int]) throws -> (features: [Int: Tensor], logits: Tensor) {
        try checkInput(input)
        for index in indices { _ = try split(at: index) }
        let wanted = Set(indices)
        var features: [Int: Tensor] = [:]
        var current = input
        var splitIndex = 0
        for stage in stages {
            current = try stage.module(current)
            guard stage.isSplitPoint else { continue }
            splitIndex += 1
            if wanted.contains(splitIndex) { features[splitIndex] = current }
        }
        return (features, current)
    }

    /// The features the edge transmits when the model is cut at split `index`: stages 1 through that split.
    public func edge(_ input: Tensor, upTo index: Int) throws -> Tensor {
        try checkInput(input)
        return try run(stages[...(try stagePosition(ofSplit: index))], on: input)
    }

    /// The logits the cloud computes from the features `features` transmitted at split `index`.
    public func cloud(_ features: Tensor, from index: Int) throws -> Tensor {
        let point = try split(at: index)
        guard features.rank >= 1, Array(features.shape.dropFirst()) == point.shape else {
            throw ModelError("\(config.architecture) cloud from split \(index) (\(point.name)) expects features "
                             + "[N, \(point.shape.map(String.init).joined(separator: ", "))], got \(features.shape)")
        }
        return try run(stages[(try stagePosition(ofSplit: index) + 1)...], on: features)
    }

    /// Output shape (batch 1) and MACs of every stage, in order, for `config`'s input.
    public func stageAnalyses() throws -> [LayerAnalysis] {
        var shape = [1] + config.inputShape
        return try stages.map { stage in
            let analysis = try LayerAnalysis.of(stage.module, input: shape)
            shape = analysis.outputShape
            return analysis
        }
    }

    /// Position in `stages` of the stage whose output is split `index`.
    public func stagePosition(ofSplit index: Int) throws -> Int {
        _ = try split(at: index)
        var seen = 0
        for (position, stage) in stages.enumerated() where stage.isSplitPoint {
            seen += 1
            if seen == index { return position }
        }
        throw ModelError("\(config.architecture) declares \(splitPoints.count) splits but has \(seen) split stages")
    }

    private func run(_ slice: ArraySlice<Stage>, on input: Tensor) throws -> Tensor {
        try slice.reduce(input) { try $1.module($0) }
    }

    private func checkInput(_ input: Tensor) throws {
        guard input.rank == 4, Array(input.shape.dropFirst()) == config.inputShape else {
            let expected = config.inputShape.map(String.init).joined(separator: ", ")
            throw ModelError("\(config.architecture) expects input [N, \(expected)], got \(input.shape)")
        }
    }
}

/// A `SplittableModel` made of the stages an architecture builder lists.
public final class StagedModel: SplittableModel {
    public let config: ModelConfig
    public let stages: [Stage]
    public private(set) var splitPoints: [SplitPoint]
    public var isTraining = true

    /// Works out the split points' shapes from the layer definitions; throws when a stage cannot take its
    /// input or when two split points share a name.
    public init(config: ModelConfig, stages: [Stage]) throws {
        self.config = config
        self.stages = stages
        splitPoints = []
        let analyses = try stageAnalyses()
        var points: [SplitPoint] = []
        for (stage, analysis) in zip(stages, analyses) where stage.isSplitPoint {
            let shape = Array(analysis.outputShape.dropFirst())
            points.append(SplitPoint(index: points.count + 1, name: stage.name, shape: shape,
                                     kind: SplitKind(perSampleShape: shape)))
        }
        guard Set(points.map(\.name)).count == points.count else {
            throw ModelError("\(config.architecture): split names are not unique")
        }
        splitPoints = points
    }
}
