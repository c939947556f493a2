import GPZTensor

/// Streaming mean and standard deviation of a sequence of values (Welford's algorithm):
///
///     n ← n + 1,  δ = v − mean,  mean ← mean + δ / n,  M2 ← M2 + δ · (v − mean)
///
/// `standardDeviation` is the population value √(M2 / n) (NumPy's default `ddof=0`), 0 for fewer than two values.
public struct RunningStatistic: Equatable, Sendable {
    public private(set) var count = 0
    public private(set) var mean = 0.0
    private var m2 = 0.0

    public init() {}

    public mutating func add(_ value: Double) {
        count += 1
        let delta = value - mean
        mean += delta / Double(count)
        m2 += delta * (value - mean)
    }

    public mutating func add<S: Sequence>(contentsOf values: S) where S.Element == Double {
        for value in values { add(value) }
    }

    public var standardDeviation: Double { count > 1 ? (m2 / Double(count)).squareRoot() : 0 }

    /// The mean and standard deviation as a value to report.
    public var summary: MeanAndDeviation { MeanAndDeviation(mean: mean, std: standardDeviation) }
}

/// A metric's mean and population standard deviation over a set of images.
public struct MeanAndDeviation: Codable, Equatable, Sendable {
    public let mean: Double
    public let std: Double

    public init(mean: Double, std: Double) {
        self.mean = mean
        self.std = std
    }
}

/// Reconstruction quality over a set of images: each metric's mean and standard deviation over the images
/// (see `ReconstructionMetrics` for the definitions).
public struct ReconstructionSummary: Codable, Equatable, Sendable {
    /// Number of images.
    public let count: Int
    /// Per-element MSE on [0, 1] (averaged over channels): the primary value.
    public let mse: MeanAndDeviation
    /// The paper code's channel-summed MSE, C × `mse` (a compatibility value).
    public let mseSumChannels: MeanAndDeviation
    public let psnr: MeanAndDeviation
    public let ssim: MeanAndDeviation
    public let cosine: MeanAndDeviation

    enum CodingKeys: String, CodingKey {
        case count, mse, mseSumChannels = "mse_sum_channels", psnr, ssim, cosine
    }
}

/// Accumulates per-image metrics batch by batch and summarises them over the whole set.
public struct ReconstructionMetricsAccumulator: Sendable {
    private var mse = RunningStatistic()
    private var mseSumChannels = RunningStatistic()
    private var psnr = RunningStatistic()
    private var ssim = RunningStatistic()
    private var cosine = RunningStatistic()

    public init() {}

    public var count: Int { mse.count }

    /// Adds every image of a batch of reconstructions and their originals, [N, C, H, W] in [0, 1].
    public mutating func add(_ reconstruction: Tensor, _ original: Tensor) throws {
        add(try ReconstructionMetrics.perImage(reconstruction, original))
    }

    public mutating func add(_ metrics: PerImageMetrics) {
        mse.add(contentsOf: metrics.mse)
        mseSumChannels.add(contentsOf: metrics.mseSumChannels)
        psnr.add(contentsOf: metrics.psnr)
        ssim.add(contentsOf: metrics.ssim)
        cosine.add(contentsOf: metrics.cosine)
    }

    public var summary: ReconstructionSummary {
        ReconstructionSummary(count: count, mse: mse.summary, mseSumChannels: mseSumChannels.summary,
                              psnr: psnr.summary, ssim: ssim.summary, cosine: cosine.summary)
    }
}
