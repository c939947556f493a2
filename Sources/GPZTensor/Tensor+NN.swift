import CTorch

/// Neural-network functions on tensors (the functional layer under GPZNN's modules).
extension Tensor {
    /// y = x Wᵀ + b, with W of shape [out, in].
    public func linear(weight: Tensor, bias: Tensor? = nil) throws -> Tensor {
        let xs = shape, ws = weight.shape
        try TensorError.check(ws.count == 2 && xs.last == ws[1], "linear",
                              "input \(xs) has \(xs.last ?? 0) features, weight \(ws) expects \(ws.count == 2 ? ws[1] : 0)")
        return try wrap("linear", ctorch_linear(handle, weight.handle, bias?.handle)) { [xs, ws] }
    }

    /// 2-D convolution of an (N, C, H, W) input with weight (O, C/groups, kH, kW).
    public func conv2d(weight: Tensor, bias: Tensor? = nil, stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0),
                       dilation: (Int, Int) = (1, 1), groups: Int = 1) throws -> Tensor {
        let xs = shape, ws = weight.shape
        try TensorError.check(xs.count == 4, "conv2d", "input \(xs) must be 4-D (N, C, H, W)")
        try TensorError.check(ws.count == 4, "conv2d", "weight \(ws) must be 4-D (O, C, kH, kW)")
        try TensorError.check(xs[1] == ws[1] * groups, "conv2d",
                              "input \(xs) has \(xs[1]) channels, weight expects \(ws[1] * groups)")
        let s = [stride.0, stride.1], p = [padding.0, padding.1], d = [dilation.0, dilation.1]
        let result = withInt64s(s) { sp, _ in
            withInt64s(p) { pp, _ in
                withInt64s(d) { dp, _ in ctorch_conv2d(handle, weight.handle, bias?.handle, sp, pp, dp, Int64(groups)) }
            }
        }
        return try wrap("conv2d", result) { [xs, ws] }
    }

    /// 2-D transposed convolution of (N, C, H, W) with weight (C, O/groups, kH, kW).
    public func convTranspose2d(weight: Tensor, bias: Tensor? = nil, stride: (Int, Int) = (1, 1),
                                padding: (Int, Int) = (0, 0), outputPadding: (Int, Int) = (0, 0),
                                dilation: (Int, Int) = (1, 1), groups: Int = 1) throws -> Tensor {
        let xs = shape, ws = weight.shape
        try TensorError.check(xs.count == 4, "conv_transpose2d", "input \(xs) must be 4-D (N, C, H, W)")
        try TensorError.check(ws.count == 4, "conv_transpose2d", "weight \(ws) must be 4-D (C, O, kH, kW)")
        try TensorError.check(xs[1] == ws[0], "conv_transpose2d",
                              "input \(xs) has \(xs[1]) channels, weight expects \(ws[0])")
        let s = [stride.0, stride.1], p = [padding.0, padding.1], o = [outputPadding.0, outputPadding.1]
        let d = [dilation.0, dilation.1]
        let result = withInt64s(s + p + o + d) { all, _ in
            ctorch_conv_transpose2d(handle, weight.handle, bias?.handle, all, all! + 2, all! + 4, all! + 6,
                                    Int64(groups))
        }
        return try wrap("conv_transpose2d", result) { [xs, ws] }
    }

    /// Batch normalisation over dimension 1. In training mode the batch statistics are used and the running
    /// estimates (when given) are updated in place with `momentum`; otherwise the running estimates are used.
    public func batchNorm(weight: Tensor?, bias: Tensor?, runningMean: Tensor?, runningVar: Tensor?,
                          training: Bool, momentum: Double = 0.1, eps: Double = 1e-5) throws -> Tensor {
        try wrap("batch_norm", ctorch_batch_norm(handle, weight?.handle, bias?.handle, runningMean?.handle,
                                                 runningVar?.handle, training ? 1 : 0, momentum, eps)) {
            [shape, weight?.shape ?? []]
        }
    }

    /// Layer normalisation over the trailing `normalizedShape` dimensions.
    public func layerNorm(normalizedShape: [Int], weight: Tensor?, bias: Tensor?, eps: Double = 1e-5) throws -> Tensor {
        try wrap("layer_norm", withInt64s(normalizedShape) {
            ctorch_layer_norm(handle, $0, $1, weight?.handle, bias?.handle, eps)
        }) { [shape, normalizedShape] }
    }

    /// Zeroes elements with probability p and scales the rest by 1/(1−p) when `training`.
    public func dropout(p: Double, training: Bool) throws -> Tensor {
        try TensorError.check(p >= 0 && p <= 1, "dropout", "probability \(p) is outside [0, 1]")
        return try wrap("dropout", ctorch_dropout(handle, p, training ? 1 : 0)) { [shape] }
    }

    public func leakyRelu(slope: Double = 0.01) throws -> Tensor {
        try wrap("leaky_relu", ctorch_leaky_relu(handle, slope)) { [shape] }
    }

    /// max(0, x) + w · min(0, x) with one w per channel (dimension 1) or one shared.
    public func prelu(weight: Tensor) throws -> Tensor {
        try wrap("prelu", ctorch_prelu(handle, weight.handle)) { [shape, weight.shape] }
    }

    /// GELU, exact (erf) by default, or the tanh approximation.
    public func gelu(tanhApproximation: Bool = false) throws -> Tensor {
        try wrap("gelu", ctorch_gelu(handle, tanhApproximation ? 1 : 0)) { [shape] }
    }

    public func maxPool2d(kernel: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0),
                          dilation: (Int, Int) = (1, 1), ceilMode: Bool = false) throws -> Tensor {
        let s = stride ?? kernel
        let result = withInt64s([kernel.0, kernel.1, s.0, s.1, padding.0, padding.1, dilation.0, dilation.1]) { a, _ in
            ctorch_max_pool2d(handle, a, a! + 2, a! + 4, a! + 6, ceilMode ? 1 : 0)
        }
        return try wrap("max_pool2d", result) { [shape] }
    }

    public func avgPool2d(kernel: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0),
                          ceilMode: Bool = false, countIncludePad: Bool = true) throws -> Tensor {
        let s = stride ?? kernel
        let result = withInt64s([kernel.0, kernel.1, s.0, s.1, padding.0, padding.1]) { a, _ in
            ctorch_avg_pool2d(handle, a, a! + 2, a! + 4, ceilMode ? 1 : 0, countIncludePad ? 1 : 0)
        }
        return try wrap("avg_pool2d", result) { [shape] }
    }

    public func adaptiveAvgPool2d(_ outputSize: (Int, Int)) throws -> Tensor {
        try wrap("adaptive_avg_pool2d", withInt64s([outputSize.0, outputSize.1]) { size, _ in
            ctorch_adaptive_avg_pool2d(handle, size)
        }) { [shape] }
    }

    /// Bilinear resize of (N, C, H, W) to `size` (align_corners false, as torchvision's Resize).
    public func resizedBilinear(to size: (Int, Int), alignCorners: Bool = false) throws -> Tensor {
        try wrap("upsample_bilinear2d", withInt64s([size.0, size.1]) { dims, _ in
            ctorch_upsample_bilinear2d(handle, dims, alignCorners ? 1 : 0)
        }) { [shape] }
    }
}
