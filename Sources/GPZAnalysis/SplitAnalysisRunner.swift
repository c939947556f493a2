import GPZData
import GPZModels
import GPZTensor

/// Streams an image set through a model once and accumulates the statistics of every requested split.
public enum SplitAnalysisRunner {
    /// Analyses `splits` (all by default) of `model` over `images`: a class-stratified sample of `sampleCount`
    /// images (seeded), or all of them when `sampleCount` is nil. The model runs in evaluation mode without
    /// gradients; `normalization` is applied at its input. `onBatch(done, total)` reports progress in images.
    public static func run(model: some SplittableModel, images: ImageSet, normalization: Normalization,
                           splits: [Int]? = nil, sampleCount: Int? = StratifiedSampler.defaultCount,
                           options: SplitStatisticsAccumulator.Options = .init(), batchSize: Int = 250,
                           onBatch: (Int, Int) -> Void = { _, _ in }) throws -> [SplitStatistics] {
        try measure(model: model, images: images, normalization: normalization, splits: splits,
                    sampleCount: sampleCount, options: options, batchSize: batchSize, onBatch: onBatch).statistics
    }

    /// As `run`, and also the bootstrap replicates of `options.bootstrap` from the same pass.
    public static func measure(model: some SplittableModel, images: ImageSet, normalization: Normalization,
                               splits: [Int]? = nil, sampleCount: Int? = StratifiedSampler.defaultCount,
                               options: SplitStatisticsAccumulator.Options = .init(), batchSize: Int = 250,
                               onBatch: (Int, Int) -> Void = { _, _ in }) throws
        -> (statistics: [SplitStatistics], bootstrap: [BootstrapReplicates]) {
        let chosen = try sampleCount.map { try StratifiedSampler.indices(labels: images.labels, count: $0,
                                                                         seed: options.seed) }
        let set = chosen.map { images.subset($0) } ?? images
        let accumulator = try SplitStatisticsAccumulator(model: model, splits: splits, options: options)
        let wasTraining = model.isTraining
        model.eval()
        defer { model.train(wasTraining) }
        let batches = BatchLoader(set, batchSize: batchSize, shuffle: false).epoch(0)
        var done = 0
        while let batch = try batches.next() {
            let labels = try batch.labels.toInts()
            try accumulator.add(input: try normalization.apply(batch.images), labels: labels, model: model)
            done += labels.count
            onBatch(done, set.count)
        }
        return (try accumulator.statistics(), try accumulator.bootstrapReplicates())
    }
}
