import GPZModels
import GPZTensor

/// Per-channel standardisation of the features (the paper code's `FeatureNormalizer`):
///
///     Z′ = (Z − μ) / (σ + 1e−8)
///
/// with one μ and σ per entry of the feature axis: per channel of a map (statistics over N, H, W), per feature
/// of tokens (over N, T) and of vectors (over N). σ is the unbiased standard deviation, as `torch.std`. μ and σ
/// are estimated on data (`Estimator`, `fit`). It is invertible, so the cloud runs on Z′ · (σ + 1e−8) + μ, which
/// is Z up to rounding and leaves the accuracy unchanged.
public final class FeatureNormalization: FeatureEnhancement {
    public static let epsilon = 1e-8
    /// μ, shaped to broadcast over a batch: [1, C, 1, 1], [1, 1, D] or [1, D].
    public let mean: Tensor
    /// σ + 1e−8, shaped like `mean`.
    public let scale: Tensor

    public var name: String { "normalize" }

    /// From per-feature means and standard deviations, each [F], for features of batch rank `rank` (2, 3 or 4).
    public init(mean: Tensor, std: Tensor, rank: Int) throws {
        try AttackError.check((2...4).contains(rank) && mean.rank == 1 && std.shape == mean.shape,
                              "FeatureNormalization: mean \(mean.shape) and std \(std.shape) must be equal 1-D "
                              + "shapes, for features of rank 2, 3 or 4 (got \(rank))")
        let broadcast: [Int]
        switch rank {
        case 4: broadcast = [1, mean.size(0), 1, 1]
        case 3: broadcast = [1, 1, mean.size(0)]
        default: broadcast = [1, mean.size(0)]
        }
        self.mean = try mean.detached().to(.float32).reshaped(broadcast)
        scale = try (std.detached().to(.float32) + Self.epsilon).reshaped(broadcast)
    }

    public func enhancedShape(for shape: [Int]) throws -> [Int] { shape }

    public func apply(_ features: Tensor) throws -> Tensor {
        try checkRank(features)
        return try (features - mean) / scale
    }

    public func cloudInput(_ enhanced: Tensor) throws -> Tensor {
        try checkRank(enhanced)
        return try enhanced * scale + mean
    }

    private func checkRank(_ features: Tensor) throws {
        try AttackError.check(features.rank == mean.rank && features.size(try featureAxis(of: features)) == mean.count,
                              "FeatureNormalization: features \(features.shape) do not match statistics "
                              + "\(mean.shape)")
    }

    /// Accumulates Σz and Σz² per feature in float64 over batches of features.
    public struct Estimator {
        private var sum: Tensor?
        private var sumOfSquares: Tensor?
        private var rank = 0
        public private(set) var count = 0

        public init() {}

        public mutating func add(_ features: Tensor) throws {
            let axis = try featureAxis(of: features)
            let dims = (0..<features.rank).filter { $0 != axis }
            let values = try features.detached().to(.float64)
            let batchSum = try values.sum(dims: dims)
            let batchSquares = try values.square().sum(dims: dims)
            if let sum, let sumOfSquares {
                try AttackError.check(features.rank == rank && sum.shape == batchSum.shape,
                                      "FeatureNormalization: features \(features.shape) differ from earlier batches")
                self.sum = try sum + batchSum
                self.sumOfSquares = try sumOfSquares + batchSquares
            } else {
                sum = batchSum
                sumOfSquares = batchSquares
                rank = features.rank
            }
            count += features.count / batchSum.count
        }

        /// μ = Σz / n and σ = √((Σz² − n·μ²) / (n − 1)) per feature.
        public func finish() throws -> FeatureNormalization {
            guard let sum, let sumOfSquares, count >= 2 else {
                throw AttackError("FeatureNormalization: at least two values per feature are needed, got \(count)")
            }
            let n = Double(count)
            let mean = try sum / n
            let variance = try ((sumOfSquares - mean.square() * n) / (n - 1)).clamped(min: 0)
            return try FeatureNormalization(mean: mean, std: variance.sqrt(), rank: rank)
        }
    }

    /// One normalisation per split of `splits`, with statistics of `target`'s features on `images`, all splits
    /// from one forward pass per batch (`normalizeInput` is the target's input normalisation).
    public static func fit(target: any SplittableModel, splits: [SplitPoint], images: ImageBatchStream,
                           normalizeInput: (Tensor) throws -> Tensor = { $0 }) throws -> [Int: FeatureNormalization] {
        target.eval()
        var estimators = Dictionary(uniqueKeysWithValues: splits.map { ($0.index, Estimator()) })
        try images.forEachBatch { batch in
            let features = try withNoGrad { try target.features(normalizeInput(batch), at: splits.map(\.index)).features }
            for split in splits {
                guard let z = features[split.index] else { continue }
                try estimators[split.index]?.add(z)
            }
        }
        return try estimators.mapValues { try $0.finish() }
    }
}
