import GPZTensor

/// The input layouts a batch-normalisation layer accepts; `BatchNorm1d` and `BatchNorm2d` differ only in these.
public protocol BatchNormLayout {
    /// The layer's name in error messages.
    static var layerName: String { get }
    /// Accepted input ranks.
    static var ranks: [Int] { get }
    /// The accepted layouts, in words.
    static var layouts: String { get }
}

/// [N, C] or [N, C, L] inputs.
public enum BatchNormLayout1d: BatchNormLayout {
    public static var layerName: String { "BatchNorm1d" }
    public static var ranks: [Int] { [2, 3] }
    public static var layouts: String { "2-D (N, C) or 3-D (N, C, L)" }
}

/// [N, C, H, W] inputs.
public enum BatchNormLayout2d: BatchNormLayout {
    public static var layerName: String { "BatchNorm2d" }
    public static var ranks: [Int] { [4] }
    public static var layouts: String { "4-D (N, C, H, W)" }
}

/// Batch normalisation of [N, C] or [N, C, L] inputs, as `torch.nn.BatchNorm1d`.
public typealias BatchNorm1d = BatchNorm<BatchNormLayout1d>

/// Batch normalisation of [N, C, H, W] inputs, as `torch.nn.BatchNorm2d`.
public typealias BatchNorm2d = BatchNorm<BatchNormLayout2d>

/// Batch normalisation over dimension 1, as PyTorch's `_BatchNorm` (use `BatchNorm1d` or `BatchNorm2d`).
///
/// Per channel c: y = (x − μ_c) / √(σ²_c + ε) · γ_c + β_c. In training mode μ and σ² are the batch mean and the
/// biased batch variance over every dimension but 1, and the running estimates move towards the batch:
/// running ← (1 − m)·running + m·batch, with the *unbiased* batch variance for running_var, and
/// num_batches_tracked += 1. In evaluation mode the running estimates are used (the batch statistics when
/// `trackRunningStats` is off). With `momentum` nil, m = 1 / num_batches_tracked (a cumulative average).
///
/// Parameters weight (γ, ones) and bias (β, zeros), each [C]; buffers running_mean (zeros, [C]),
/// running_var (ones, [C]) and num_batches_tracked (int64 scalar).
public final class BatchNorm<Layout: BatchNormLayout>: Module {
    public let numFeatures: Int
    public let eps: Double
    public let momentum: Double?
    public let weight: Tensor?
    public let bias: Tensor?
    public let runningMean: Tensor?
    public let runningVar: Tensor?
    public let numBatchesTracked: Tensor?
    public var isTraining = true

    public init(_ numFeatures: Int, eps: Double = 1e-5, momentum: Double? = 0.1, affine: Bool = true,
                trackRunningStats: Bool = true, dtype: DType = .float32) throws {
        let layer = Layout.layerName
        try TensorError.check(numFeatures > 0, layer, "number of features must be positive, got \(numFeatures)")
        try TensorError.check(eps > 0, layer, "eps must be positive, got \(eps)")
        self.numFeatures = numFeatures
        self.eps = eps
        self.momentum = momentum
        weight = affine ? try Init.ones(makeParameter([numFeatures], dtype: dtype)) : nil
        bias = affine ? try makeParameter([numFeatures], dtype: dtype) : nil
        runningMean = trackRunningStats ? try Tensor.zeros([numFeatures], dtype: dtype) : nil
        runningVar = trackRunningStats ? try Tensor.ones([numFeatures], dtype: dtype) : nil
        numBatchesTracked = trackRunningStats ? try Tensor(scalar: 0, dtype: .int64) : nil
    }

    public var ownParameters: [(name: String, tensor: Tensor)] { namedTensors(("weight", weight), ("bias", bias)) }

    public var ownBuffers: [(name: String, tensor: Tensor)] {
        namedTensors(("running_mean", runningMean), ("running_var", runningVar),
                     ("num_batches_tracked", numBatchesTracked))
    }

    public func forward(_ input: Tensor) throws -> Tensor {
        let layer = Layout.layerName
        try checkRank(input, Layout.ranks, layer: layer, layouts: Layout.layouts)
        try checkChannels(input, numFeatures, layer: layer)
        let useBatchStatistics = isTraining || runningMean == nil
        if useBatchStatistics {
            try TensorError.check(input.count / numFeatures > 1, layer,
                                  "expected more than 1 value per channel when training, got input \(input.shape)")
        }
        var averagingFactor = momentum ?? 0
        if isTraining, let numBatchesTracked {
            let batchesTracked = try numBatchesTracked.item() + 1
            try numBatchesTracked.fill(batchesTracked)
            if momentum == nil { averagingFactor = 1 / batchesTracked }
        }
        return try input.batchNorm(weight: weight, bias: bias, runningMean: runningMean, runningVar: runningVar,
                                   training: useBatchStatistics, momentum: averagingFactor, eps: eps)
    }
}
