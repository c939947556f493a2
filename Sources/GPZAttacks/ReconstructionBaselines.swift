import GPZTensor

/// What an attacker gets without looking at Z: reference reconstructions of an evaluated set, in the units of
/// `ReconstructionMetrics` (per-element MSE, averaged over images).
///
/// - global mean image: x̂_i = x̄ = (1/N) Σ_j x_j for every image — what knowing the data set alone gives;
/// - class-mean oracle: x̂_i = x̄_{y_i}, the mean of the evaluated images of i's class — the best per-element MSE
///   any reconstruction that depends on the label alone can reach on this set (the class mean minimises the
///   squared error within each class). It is an oracle: a real attacker estimates the class means from its own
///   data and does slightly worse.
///
/// A split whose attack does no better than the class-mean oracle leaks the class, which the cloud learns
/// anyway, and nothing more. `leakage(mse:)` turns an attack's MSE into the unit-free score
/// L = max(0, 1 − MSE / MSE_class-mean): 0 at or above the class-prior floor, 1 for perfect reconstruction.
public struct ReconstructionBaselines: Codable, Equatable, Sendable {
    public let images: Int
    /// C, for the channel-summed values the paper reports.
    public let channels: Int
    public let globalMeanMSE: Double
    public let classMeanMSE: Double

    enum CodingKeys: String, CodingKey {
        case images, channels
        case globalMeanMSE = "global_mean_mse"
        case classMeanMSE = "class_mean_mse"
    }

    public init(images: Int, channels: Int, globalMeanMSE: Double, classMeanMSE: Double) {
        self.images = images
        self.channels = channels
        self.globalMeanMSE = globalMeanMSE
        self.classMeanMSE = classMeanMSE
    }

    /// The baselines of `images` [N, C, H, W] (values in [0, 1]) with class labels `labels`.
    public static func compute(images: Tensor, labels: [Int]) throws -> ReconstructionBaselines {
        guard images.rank == 4, images.size(0) == labels.count, !labels.isEmpty else {
            throw AttackError("baselines: images \(images.shape) do not match \(labels.count) labels "
                              + "(expected [N, C, H, W] with N ≥ 1)")
        }
        let n = labels.count, channels = images.size(1), elements = images.count / n
        let x = try images.reshaped([n, elements]).to(.float64)
        let globalMean = try x.sum(dims: [0], keepDim: true) * Tensor([1 / Double(n)], shape: [1, 1])
        let classes = Dictionary(grouping: labels.indices, by: { labels[$0] })
        var hot = Array(repeating: 0.0, count: n * classes.count)
        var inverse = Array(repeating: 0.0, count: classes.count)
        for (column, members) in classes.sorted(by: { $0.key < $1.key }).map(\.value).enumerated() {
            inverse[column] = 1 / Double(members.count)
            for row in members { hot[row * classes.count + column] = 1 }
        }
        let oneHot = try Tensor(hot, shape: [n, classes.count])
        let classMeans = try oneHot.transposed(0, 1).matmul(x) * Tensor(inverse, shape: [classes.count, 1])
        func meanSquaredError(_ residual: Tensor) throws -> Double {
            try (residual * residual).sum().toDoubles()[0] / Double(n * elements)
        }
        return ReconstructionBaselines(images: n, channels: channels,
                                       globalMeanMSE: try meanSquaredError(x - globalMean),
                                       classMeanMSE: try meanSquaredError(x - oneHot.matmul(classMeans)))
    }

    /// L = max(0, 1 − mse / MSE_class-mean) for a per-element `mse`.
    public func leakage(mse: Double) -> Double {
        classMeanMSE > 0 ? Swift.max(0, 1 - mse / classMeanMSE) : 0
    }
}
