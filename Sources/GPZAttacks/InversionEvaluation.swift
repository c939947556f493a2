import GPZModels
import GPZTensor

/// A decoder's reconstruction quality at one split, with a few examples for a grid.
public struct SplitEvaluation {
    public let split: SplitPoint
    public let summary: ReconstructionSummary
    /// The first kept images [k, C, S, S] and their reconstructions, both in [0, 1].
    public let originals: Tensor
    public let reconstructions: Tensor

    public init(split: SplitPoint, summary: ReconstructionSummary, originals: Tensor, reconstructions: Tensor) {
        self.split = split
        self.summary = summary
        self.originals = originals
        self.reconstructions = reconstructions
    }
}

extension InversionTrainer {
    /// Measures every split's decoder on `images` (the private set, or the target's training set): one target
    /// pass per batch serves all splits, the decoders run in evaluation mode, and each split's metrics are
    /// summarised over all images. The first `keep` images and their reconstructions are returned for grids.
    public func evaluate(on images: ImageBatchStream, keep: Int = 8,
                         progress: ((InversionProgress) -> Void)? = nil) throws -> [SplitEvaluation] {
        target.eval()
        for decoder in decoders { decoder.eval() }
        var accumulators = [ReconstructionMetricsAccumulator](repeating: .init(), count: splits.count)
        var keptOriginals: [Tensor] = []
        var keptReconstructions = [[Tensor]](repeating: [], count: splits.count)
        var kept = 0
        var batches = 0
        try images.forEachBatch { batch in
            let features = try observedFeatures(batch, at: Array(splits.indices))
            let wanted = Swift.min(keep - kept, batch.size(0))
            if wanted > 0 { keptOriginals.append(try batch.slice(dim: 0, start: 0, end: wanted)) }
            for (position, split) in splits.enumerated() {
                guard let z = features[split.index] else {
                    throw AttackError("InversionTrainer: no features for split \(split.index)")
                }
                let reconstruction = try withNoGrad { try decoders[position](z) }
                try accumulators[position].add(reconstruction, batch)
                if wanted > 0 {
                    keptReconstructions[position].append(try reconstruction.slice(dim: 0, start: 0, end: wanted))
                }
            }
            kept += Swift.max(wanted, 0)
            batches += 1
            progress?(InversionProgress(stage: .evaluation, splits: splits, epoch: 1, epochs: 1, done: batches,
                                        total: images.batchesPerPass, loss: nil))
        }
        try AttackError.check(batches > 0, "InversionTrainer: the evaluation images yielded no batches")
        let config = target.config
        let empty = [0, config.channels, config.imageSize, config.imageSize]
        return try splits.enumerated().map { position, split in
            SplitEvaluation(split: split, summary: accumulators[position].summary,
                            originals: keptOriginals.isEmpty ? try Tensor.zeros(empty) : try Tensor.cat(keptOriginals),
                            reconstructions: keptReconstructions[position].isEmpty
                                ? try Tensor.zeros(empty) : try Tensor.cat(keptReconstructions[position]))
        }
    }
}
