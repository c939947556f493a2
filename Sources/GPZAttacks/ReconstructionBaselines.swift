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
    /// Re-identification of the evaluated images by the attainable label-only reconstruction: the rate the
    /// predicted label alone gives (a misclassified image looks like its predicted class, and among the images of
    /// its true class that can single it out). An attack re-identifies only above this and above chance; nil where
    /// it was not measured.
    public let labelOnlyReidentification: Reidentification.Measured?

    enum CodingKeys: String, CodingKey {
        case images, channels
        case globalMeanMSE = "global_mean_mse"
        case classMeanMSE = "class_mean_mse"
        case labelOnlyMSE = "label_only_mse"
        case auxImages = "aux_images"
        case labelOnlyReidentification = "label_only_reidentification"
    }

    public init(images: Int, channels: Int, globalMeanMSE: Double, classMeanMSE: Double,
                labelOnlyMSE: Double? = nil, auxImages: Int? = nil,
                labelOnlyReidentification: Reidentification.Measured? = nil) {
        self.images = images
        self.channels = channels
        self.globalMeanMSE = globalMeanMSE
        self.classMeanMSE = classMeanMSE
        self.labelOnlyMSE = labelOnlyMSE
        self.auxImages = auxImages
        self.labelOnlyReidentification = labelOnlyReidentification
    }

    /// These baselines with the attainable label-only MSE `mse`, from `auxImages` aux images, and its
    /// re-identification.
    public func with(labelOnlyMSE mse: Double, auxImages: Int,
                     reidentification: Reidentification.Measured? = nil) -> ReconstructionBaselines {
        ReconstructionBaselines(images: images, channels: channels, globalMeanMSE: globalMeanMSE,
                                classMeanMSE: classMeanMSE, labelOnlyMSE: mse, auxImages: auxImages,
                                labelOnlyReidentification: reidentification)
    }

    /// Whether `result` re-identifies beyond what the label gives: the lower end of its interval lies above
    /// chance and above the label-only reconstruction's rate for the same similarity.
    public func reidentifies(_ result: Reidentification.Measured) -> Bool {
        func above(_ run: Reidentification.Result, _ floor: Reidentification.Result?) -> Bool {
            run.lower > Swift.max(run.chance, floor?.rate ?? 0)
        }
        return above(result.embedding, labelOnlyReidentification?.embedding)
            || above(result.ssim, labelOnlyReidentification?.ssim)
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
    /// with their true labels `auxLabels` (`labelOnlyReconstructions`):
    ///
    ///     MSE   = (1 / (N·C·H·W)) Σ_i ‖x_i − x̂_i‖²
    public static func labelOnlyMSE(images: Tensor, predicted: [Int], auxImages: Tensor,
                                    auxLabels: [Int]) throws -> Double {
        guard images.rank == 4, images.size(0) == predicted.count, !predicted.isEmpty else {
            throw AttackError("label-only baseline: images \(images.shape) do not match \(predicted.count) "
                              + "predicted labels (expected [N, C, H, W] with N ≥ 1)")
        }
        return try labelOnlyMSE(images: images, reconstructions: try labelOnlyReconstructions(
            predicted: predicted, auxImages: auxImages, auxLabels: auxLabels))
    }

    /// The same MSE from reconstructions already made by `labelOnlyReconstructions`.
    public static func labelOnlyMSE(images: Tensor, reconstructions guesses: Tensor) throws -> Double {
        try AttackError.check(guesses.shape == images.shape, "label-only baseline: aux images give reconstructions "
                              + "\(guesses.shape), which do not match the evaluated images' shape \(images.shape)")
        let residual = try images.to(.float64) - guesses
        return try (residual * residual).sum().toDoubles()[0] / Double(images.count)
    }

    /// The attainable label-only reconstruction of images whose predicted classes are `predicted`, from the
    /// attacker's `auxImages` [M, C, H, W] with their true labels `auxLabels`, [N, C, H, W] in float64:
    ///
    ///     m_c   = (1/|A_c|) Σ_{j ∈ A_c} a_j          (A_c: the aux images of class c)
    ///     m̄     = (1/M) Σ_j a_j                      (the global aux mean)
    ///     x̂_i   = m_{ŷ_i} if A_{ŷ_i} is not empty, else m̄
    ///
    /// A predicted class without aux images falls back to the global aux mean, what an attacker with no image of
    /// that class can do best without Z.
    public static func labelOnlyReconstructions(predicted: [Int], auxImages: Tensor, auxLabels: [Int]) throws -> Tensor {
        guard auxImages.rank == 4, auxImages.size(0) == auxLabels.count, !auxLabels.isEmpty else {
            throw AttackError("label-only baseline: aux images \(auxImages.shape) do not match \(auxLabels.count) "
                              + "labels")
        }
        let m = auxLabels.count, elements = auxImages.count / m
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
        return try means.indexSelect(dim: 0, predicted.map { column[$0] ?? classes.count })
            .reshaped([predicted.count] + Array(auxImages.shape.dropFirst()))
    }

    /// L = max(0, 1 − mse / MSE_class-mean) for a per-element `mse`.
    public func leakage(mse: Double) -> Double {
        classMeanMSE > 0 ? Swift.max(0, 1 - mse / classMeanMSE) : 0
    }
}
