import GPZData
import GPZTensor

/// `ImageBatchStream`s over the data layer's image sets.
public enum ImageStreams {
    /// Shuffled batches, a new seeded order on every pass (for training an attacker), with their images' indices
    /// in `set` (no augmentation), so a trainer can bank the target's features.
    public static func shuffled(_ set: ImageSet, batchSize: Int, seed: UInt64) -> ImageBatchStream {
        let loader = BatchLoader(set, batchSize: batchSize, shuffle: true, seed: seed)
        var pass = 0
        return ImageBatchStream(batchesPerPass: loader.batchesPerEpoch, sampleCount: set.count) {
            let batches = loader.epoch(pass)
            pass += 1
            return { try batches.next().map { ($0.images, $0.indices) } }
        }
    }

    /// The set's images in order, the same batches on every pass (for evaluation).
    public static func ordered(_ set: ImageSet, batchSize: Int) -> ImageBatchStream {
        let loader = BatchLoader(set, batchSize: batchSize, shuffle: false)
        return ImageBatchStream(batchesPerPass: loader.batchesPerEpoch) {
            let batches = loader.epoch(0)
            return { try batches.next()?.images }
        }
    }
}
