import GPZTensor

/// What an attacker gets without looking at Z: reference reconstructions of an evaluated set, in the units of
/// `ReconstructionMetrics` (per-element MSE, averaged over images).
///
/// - global mean image: x̂_i = x̄ = (1/N) Σ_j x_j for every image — what knowing the data set alone gives;
/// - class-mean oracle: x̂_i = x̄_{y_i}, the mean of the evaluated images of i's class — the best per-element MSE
///   any reconstruction that depends on the label alone can reach on this set (the class mean minimises the
///   squared error within each class). It is an oracle: a real attacker estimates the class means from its own
///   data and does slightly worse;
/// - attainable label-only reconstruction (`labelOnlyMSE`, optional): x̂_i = m_{ŷ_i}, where ŷ_i is the class the
///   cloud predicts for image i (Z determines it at every split) and m_c the mean of the attacker's own aux
///   images of class c — what an attacker can actually build from the label alone. It equals the oracle when the
///   aux set is the evaluated set and every prediction is right, and is typically above it otherwise: the means
///   are estimated from other images, and a wrong prediction picks another class's mean. (It is not a bound:
///   predicted labels are not true labels, so it may in principle fall below the oracle.)
///
/// Leakage is measured against the oracle; an attack counts only where it beats the attainable floor (the
/// verdict's adequacy, `LeakageBoundary`).
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
    /// The attainable label-only MSE (`labelOnlyMSE(images:predicted:auxImages:auxLabels:)`); nil where it was
    /// not computed (no aux images). The verdict's adequacy floor.
    public let labelOnlyMSE: Double?
    /// M, the aux images whose class means `labelOnlyMSE` uses; nil with it.
    public let auxImages: Int?

    enum CodingKeys: String, CodingKey {
        case images, channels
        case globalMeanMSE = "global_mean_mse"
        case classMeanMSE = "class_mean_mse"
        case labelOnlyMSE = "label_only_mse"
        case auxImages = "aux_images"
    }

    public init(images: Int, channels: Int, globalMeanMSE: Double, classMeanMSE: Double,
                labelOnlyMSE: Double? = nil, auxImages: Int? = nil) {
        self.images = images
        self.channels = channels
        self.globalMeanMSE = globalMeanMSE
        self.classMeanMSE = classMeanMSE
        self.labelOnlyMSE = labelOnlyMSE
        self.auxImages = auxImages
    }

    /// These baselines with the attainable label-only MSE `mse`, from `auxImages` aux images.
    public func with(labelOnlyMSE mse: Double, auxImages: Int) -> ReconstructionBaselines {
        ReconstructionBaselines(images: images, channels: channels, globalMeanMSE: globalMeanMSE,
                                classMeanMSE: classMeanMSE, labelOnlyMSE: mse, auxImages: auxImages)
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

    /// The attainable label-only reconstruction's per-element MSE on `images` [N, C, H, W] (values in [0, 1]),
    /// whose predicted classes are `predicted`, from the attacker's `auxImages` [M, C, H, W] (values in [0, 1])
    /// with their true labels `auxLabels`:
    ///
    ///     m_c   = (1/|A_c|) Σ_{j ∈ A_c} a_j          (A_c: the aux images of class c)
    ///     m̄     = (1/M) Σ_j a_j                      (the global aux mean)
    ///     x̂_i   = m_{ŷ_i} if A_{ŷ_i} is not empty, else m̄
    ///     MSE   = (1 / (N·C·H·W)) Σ_i ‖x_i − x̂_i‖²
    ///
    /// A predicted class without aux images falls back to the global aux mean, what an attacker with no image of
    /// that class can do best without Z.
    public static func labelOnlyMSE(images: Tensor, predicted: [Int], auxImages: Tensor,
                                    auxLabels: [Int]) throws -> Double {
        guard images.rank == 4, images.size(0) == predicted.count, !predicted.isEmpty else {
            throw AttackError("label-only baseline: images \(images.shape) do not match \(predicted.count) "
                              + "predicted labels (expected [N, C, H, W] with N ≥ 1)")
        }
        guard auxImages.rank == 4, auxImages.size(0) == auxLabels.count, !auxLabels.isEmpty,
              Array(auxImages.shape.dropFirst()) == Array(images.shape.dropFirst()) else {
            throw AttackError("label-only baseline: aux images \(auxImages.shape) do not match \(auxLabels.count) "
                              + "labels and the evaluated images' shape \(images.shape)")
        }
        let n = predicted.count, m = auxLabels.count, elements = images.count / n
        let classes = auxLabels.reduce(into: Set<Int>()) { $0.insert($1) }.sorted()
        let column = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        // One column per aux class, then one for the global mean (every aux image, weight 1/M).
        let width = classes.count + 1
        var hot = Array(repeating: 0.0, count: m * width)
        var counts = Array(repeating: 0.0, count: width)
        for (row, label) in auxLabels.enumerated() {
            hot[row * width + column[label]!] = 1
            hot[row * width + classes.count] = 1
            counts[column[label]!] += 1
        }
        counts[classes.count] = Double(m)
        let a = try auxImages.reshaped([m, elements]).to(.float64)
        let means = try Tensor(hot, shape: [m, width]).transposed(0, 1).matmul(a)
            * Tensor(counts.map { 1 / $0 }, shape: [width, 1])
        let rows = predicted.map { column[$0] ?? classes.count }
        let x = try images.reshaped([n, elements]).to(.float64)
        let residual = try x - means.indexSelect(dim: 0, rows)
        return try (residual * residual).sum().toDoubles()[0] / Double(n * elements)
    }

    /// L = max(0, 1 − mse / MSE_class-mean) for a per-element `mse`.
    public func leakage(mse: Double) -> Double {
        classMeanMSE > 0 ? Swift.max(0, 1 - mse / classMeanMSE) : 0
    }
}
