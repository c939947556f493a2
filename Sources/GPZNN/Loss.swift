import GPZTensor

/// Loss functions. Each returns a scalar tensor (the mean over the batch) that `backward()` can start from.
public enum Loss {
    /// Cross-entropy between logits z [N, K] and int64 class labels y [N], with label smoothing α:
    ///
    ///     q_k = 1 − α for k = y,  q_k = α / (K − 1) otherwise   (see `smoothedTargets`)
    ///     loss = (1/N) Σ_n −Σ_k q_nk · log softmax(z_n)_k
    ///
    /// Any α with −1 < α < 1 is allowed, negative label smoothing (α < 0, which pushes the true class above 1 and
    /// the others below 0) included; α = 0 is the ordinary cross-entropy. Note that PyTorch's own
    /// `label_smoothing` spreads α over all K classes (true class 1 − α + α/K); this follows the
    /// α/(K − 1) convention instead.
    public static func crossEntropy(_ logits: Tensor, labels: Tensor,
                                    labelSmoothing alpha: Double = 0) throws -> Tensor {
        try checkLogits(logits)
        try TensorError.check(labels.rank == 1 && labels.size(0) == logits.size(0), "cross_entropy",
                              "labels \(labels.shape) must be 1-D with one label per row of logits \(logits.shape)")
        let targets = try smoothedTargets(labels: labels, classes: logits.size(1), alpha: alpha, dtype: logits.dtype)
        return try crossEntropy(logits, softTargets: targets)
    }

    /// Cross-entropy between logits z [N, K] and target distributions q [N, K]:
    /// loss = (1/N) Σ_n −Σ_k q_nk · log softmax(z_n)_k. Entries of q may be negative (as with negative label
    /// smoothing); gradients flow into q as well when it requires them.
    public static func crossEntropy(_ logits: Tensor, softTargets: Tensor) throws -> Tensor {
        try checkLogits(logits)
        try TensorError.check(softTargets.shape == logits.shape, "cross_entropy",
                              "soft targets \(softTargets.shape) must have the shape of logits \(logits.shape)")
        let logProbabilities = try logits.logSoftmax(dim: 1)
        return try -(softTargets * logProbabilities).sum(dims: [1]).mean()
    }

    /// The label-smoothed target matrix q [N, K] for int64 labels y [N]: q_nk = 1 − α where k = y_n and
    /// α / (K − 1) elsewhere, so every row sums to 1. Requires −1 < α < 1, K ≥ 2 when α ≠ 0, and 0 ≤ y_n < K.
    /// For K = 4 and α = −0.05 the true class gets 1.05 and the others −0.05/3.
    public static func smoothedTargets(labels: Tensor, classes: Int, alpha: Double,
                                       dtype: DType = .float32) throws -> Tensor {
        let op = "cross_entropy"
        try TensorError.check(alpha > -1 && alpha < 1, op,
                              "label smoothing \(alpha) must lie strictly between -1 and 1")
        try TensorError.check(classes >= 1 && (alpha == 0 || classes >= 2), op,
                              "label smoothing \(alpha) needs at least 2 classes, got \(classes)")
        try TensorError.check(labels.dtype == .int64, op, "labels must be int64, got \(labels.dtype) \(labels.shape)")
        try TensorError.check(labels.rank == 1, op, "labels \(labels.shape) must be 1-D")
        if labels.count > 0 {
            let (lowest, highest) = try (labels.min().item(), labels.max().item())
            try TensorError.check(lowest >= 0 && highest < Double(classes), op,
                                  "label \(lowest < 0 ? Int(lowest) : Int(highest)) is out of range "
                                      + "for \(classes) classes")
        }
        let offValue = classes > 1 ? alpha / Double(classes - 1) : 0
        let oneHot = try labels.oneHot(classes: classes).to(dtype)
        return try oneHot * (1 - alpha - offValue) + offValue
    }

    /// Mean squared error: (1/M) Σ (ŷ − y)² over all M elements; shapes must match.
    public static func mse(_ prediction: Tensor, _ target: Tensor) throws -> Tensor {
        try checkSameShape(prediction, target, op: "mse_loss")
        return try (prediction - target).square().mean()
    }

    /// Mean absolute error: (1/M) Σ |ŷ − y| over all M elements; shapes must match.
    public static func l1(_ prediction: Tensor, _ target: Tensor) throws -> Tensor {
        try checkSameShape(prediction, target, op: "l1_loss")
        return try (prediction - target).abs().mean()
    }

    /// Anisotropic total variation of images x [N, C, H, W] (L1 of neighbour differences, each direction averaged):
    ///
    ///     TV(x) = mean_{n,c,i<H−1,j} |x[n,c,i+1,j] − x[n,c,i,j]| + mean_{n,c,i,j<W−1} |x[n,c,i,j+1] − x[n,c,i,j]|
    ///
    /// A direction with a single row (or column) has no differences and contributes 0.
    public static func totalVariation(_ x: Tensor) throws -> Tensor {
        try TensorError.check(x.rank == 4, "total_variation", "input \(x.shape) must be 4-D (N, C, H, W)")
        let vertical = try meanNeighbourDifference(x, dim: 2)
        let horizontal = try meanNeighbourDifference(x, dim: 3)
        return try vertical + horizontal
    }

    /// mean |x[…, i+1, …] − x[…, i, …]| along `dim`, or 0 when that dimension has fewer than 2 entries.
    private static func meanNeighbourDifference(_ x: Tensor, dim: Int) throws -> Tensor {
        guard x.size(dim) >= 2 else { return try (x.sum() * 0) }
        let next = try x.slice(dim: dim, start: 1)
        let previous = try x.slice(dim: dim, start: 0, end: x.size(dim) - 1)
        return try (next - previous).abs().mean()
    }

    private static func checkLogits(_ logits: Tensor) throws {
        try TensorError.check(logits.rank == 2, "cross_entropy", "logits \(logits.shape) must be 2-D (N, K)")
        try TensorError.check(logits.dtype.isFloatingPoint, "cross_entropy",
                              "logits must be floating point, got \(logits.dtype)")
    }

    private static func checkSameShape(_ prediction: Tensor, _ target: Tensor, op: String) throws {
        try TensorError.check(prediction.shape == target.shape, op,
                              "prediction \(prediction.shape) and target \(target.shape) must have the same shape")
    }
}
