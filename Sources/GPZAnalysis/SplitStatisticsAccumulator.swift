import GPZModels
import GPZTensor

/// Streams batches of (features at every analysed split, labels) and yields one `SplitStatistics` per split.
///
/// Everything is accumulated in float64 with memory independent of the number of samples: per split a [K, d]
/// class-mean matrix plus K sums of squared deviations (see `ClassConditionalMoments`), and a reservoir sample of
/// at most `Options.effectiveDimensionRows` rows for the effective dimension. Feeding the same samples in any
/// batch sizes gives the same result up to float64 rounding.
///
/// ```swift
/// let accumulator = try SplitStatisticsAccumulator(model: model)      // every split, true labels
/// for (images, labels) in batches { try accumulator.add(input: images, labels: labels, model: model) }
/// let statistics = try accumulator.statistics()
/// ```
public final class SplitStatisticsAccumulator {
    public struct Options: Sendable {
        public var labelSource: LabelSource
        /// M, the most rows sampled per split for the effective dimension.
        public var effectiveDimensionRows: Int
        /// The most float32 values all reservoirs may hold together (2²⁸ = 1 GiB by default). When
        /// M·Σ_splits d exceeds it, every split samples the same smaller number of rows, so the effective
        /// dimensions of different splits stay comparable.
        public var reservoirBudget: Int
        /// Seeds the reservoir sampling.
        public var seed: UInt64
        /// Bootstrap replicates of the share and R_c² at some splits (none by default).
        public var bootstrap: BootstrapOptions?

        public init(labelSource: LabelSource = .truth, effectiveDimensionRows: Int = 1_000,
                    reservoirBudget: Int = 1 << 28, seed: UInt64 = 0, bootstrap: BootstrapOptions? = nil) {
            self.labelSource = labelSource
            self.effectiveDimensionRows = effectiveDimensionRows
            self.reservoirBudget = reservoirBudget
            self.seed = seed
            self.bootstrap = bootstrap
        }
    }

    /// Which splits to replicate, how many times, and the seed of the Poisson weights.
    public struct BootstrapOptions: Sendable, Equatable {
        public var splits: [Int]
        public var replicates: Int
        public var seed: UInt64

        public init(splits: [Int], replicates: Int, seed: UInt64) {
            self.splits = splits
            self.replicates = replicates
            self.seed = seed
        }
    }

    /// The analysed splits, in the order given.
    public let splits: [SplitPoint]
    /// K, the number of class labels.
    public let classes: Int
    public let options: Options
    /// Rows each split's reservoir keeps: min(M, budget / Σ d).
    public let reservoirRows: Int
    private let moments: [ClassConditionalMoments]
    private let reservoirs: [FeatureReservoir]
    /// The bootstrap of `options.bootstrap`, and the positions in `splits` of its splits.
    private let bootstrap: BootstrapMoments?
    private let bootstrapPositions: [Int]

    public init(splits: [SplitPoint], classes: Int, options: Options = Options()) throws {
        try AnalysisError.check(!splits.isEmpty, "no splits to analyse")
        try AnalysisError.check(classes > 0, "the number of classes must be positive, got \(classes)")
        try AnalysisError.check(Set(splits.map(\.index)).count == splits.count, "splits are listed more than once")
        try AnalysisError.check(options.effectiveDimensionRows >= 0 && options.reservoirBudget >= 0,
                                "reservoir rows and budget must not be negative")
        self.splits = splits
        self.classes = classes
        self.options = options
        let totalDimension = splits.reduce(0) { $0 + $1.elementCount }
        let rows = Swift.min(options.effectiveDimensionRows, options.reservoirBudget / totalDimension)
        reservoirRows = rows
        moments = try splits.map { try ClassConditionalMoments(classes: classes, dimension: $0.elementCount) }
        reservoirs = splits.map {
            FeatureReservoir(capacity: rows, dimension: $0.elementCount,
                             seed: options.seed &+ UInt64($0.index) &* 0x9E37_79B9_7F4A_7C15)
        }
        if let plan = options.bootstrap {
            let positions = try plan.splits.map { index -> Int in
                guard let position = splits.firstIndex(where: { $0.index == index }) else {
                    throw AnalysisError("bootstrap split \(index) is not among the analysed splits")
                }
                return position
            }
            bootstrapPositions = positions
            bootstrap = try BootstrapMoments(splits: positions.map { splits[$0] }, classes: classes,
                                             replicates: plan.replicates, seed: plan.seed)
        } else {
            bootstrapPositions = []
            bootstrap = nil
        }
    }

    /// Analyses the splits of `model` with the given indices (all of them by default), with the model's classes.
    public convenience init(model: some SplittableModel, splits indices: [Int]? = nil,
                            options: Options = Options()) throws {
        let points = try (indices ?? model.splitPoints.map(\.index)).map { try model.split(at: $0) }
        try self.init(splits: points, classes: model.config.classes, options: options)
    }

    /// Samples accumulated so far.
    public var sampleCount: Int { moments[0].sampleCount }

    /// Adds one batch: `features[index]` is split `index`'s output [B, …] for every analysed split (extra
    /// entries are ignored), `labels` the B true labels, `logits` [B, K] the model's output (required with
    /// predicted labels). Nothing is added when any check fails.
    public func add(features: [Int: Tensor], labels: [Int], logits: Tensor? = nil) throws {
        let classLabels = try labelsToUse(trueLabels: labels, logits: logits)
        for label in classLabels where !(0..<classes).contains(label) {
            throw AnalysisError("label \(label) is out of range 0..<\(classes)")
        }
        let flattened = try splits.map { point -> Tensor in
            guard let z = features[point.index] else {
                throw AnalysisError("no features for split \(point.index) (\(point.name)) in this batch")
            }
            try AnalysisError.check(z.rank >= 1 && z.count == labels.count * point.elementCount
                                        && z.size(0) == labels.count,
                                    "split \(point.index) (\(point.name)): features \(z.shape) do not match "
                                        + "\(labels.count) labels of \(point.elementCount) values each")
            return try z.reshaped([labels.count, point.elementCount])
        }
        guard !labels.isEmpty else { return }
        var hot = Array(repeating: 0.0, count: labels.count * classes)
        for (row, label) in classLabels.enumerated() { hot[row * classes + label] = 1 }
        let oneHot = try Tensor(hot, shape: [labels.count, classes])
        let oneHotTransposed = try oneHot.transposed(0, 1).contiguous()
        let wide = try flattened.map { try $0.to(.float64) }
        let batches = try splits.indices.map { position -> ClassConditionalMoments.Batch in
            guard let batch = try moments[position].reduce(wide[position], labels: classLabels,
                                                           oneHot: oneHot, oneHotTransposed: oneHotTransposed) else {
                let point = splits[position]
                throw AnalysisError("split \(point.index) (\(point.name)): features contain NaN or Inf")
            }
            return batch
        }
        try bootstrap?.add(flattened: bootstrapPositions.map { wide[$0] }, labels: classLabels)
        for position in splits.indices {
            try moments[position].merge(batches[position])
            try reservoirs[position].add(flattened[position])
        }
    }

    /// Runs `input` through `model` once (without recording gradients) and adds the features at every analysed
    /// split. Put the model in evaluation mode first.
    public func add(input: Tensor, labels: [Int], model: some SplittableModel) throws {
        let (features, logits) = try withNoGrad { try model.features(input, at: splits.map(\.index)) }
        try add(features: features, labels: labels, logits: logits)
    }

    /// The statistics of every split, in the order of `splits`; an error for a split that received no samples.
    public func statistics() throws -> [SplitStatistics] {
        try splits.indices.map {
            try SplitStatistics(point: splits[$0], moments: moments[$0], reservoir: reservoirs[$0])
        }
    }

    /// The bootstrap replicates of `options.bootstrap`'s splits (empty without a bootstrap).
    public func bootstrapReplicates() throws -> [BootstrapReplicates] {
        try bootstrap?.replicateStatistics() ?? []
    }

    private func labelsToUse(trueLabels: [Int], logits: Tensor?) throws -> [Int] {
        guard options.labelSource == .predicted else { return trueLabels }
        guard let logits else { throw AnalysisError("predicted labels need the logits of every batch") }
        try AnalysisError.check(logits.rank == 2 && logits.size(0) == trueLabels.count && logits.size(1) == classes,
                                "logits \(logits.shape) do not match \(trueLabels.count) samples of \(classes) classes")
        return try logits.argmax(dim: 1).toInts()
    }
}
