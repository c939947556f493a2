import GPZData
import GPZModels
import GPZTensor

extension FeatureNoise {
    /// Target-training images the spread is measured on.
    public static let calibrationImages = 2_000

    /// The defender's noise σ at each of `splits`, with each feature's spread measured on raw Z over the first
    /// `calibrationImages` class-interleaved images of `images` (the target's training images): one calibration
    /// for the scan's attackers and accounting and for `gpz edge --noise`. Empty at σ = 0.
    public static func calibrated(sigma: Double, model: any SplittableModel, splits: [Int], images: ImageSet,
                                  normalization: Normalization) throws -> [Int: FeatureNoise] {
        guard sigma > 0 else { return [:] }
        let sample = images.classInterleaved()
        let measured = sample.subset(Array(0..<Swift.min(calibrationImages, sample.count)))
        var accumulators: [Int: SpreadAccumulator] = [:]
        try Evaluation.evaluating(model, on: measured, batchSize: 250) { batch in
            for (index, z) in try model.features(try normalization.apply(batch.images), at: splits).features {
                try accumulators[index, default: SpreadAccumulator()].add(z)
            }
        }
        return try accumulators.mapValues { try FeatureNoise(sigma: sigma, spread: try $0.spread()) }
    }
}
