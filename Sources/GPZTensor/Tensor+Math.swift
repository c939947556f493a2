import CTorch

// MARK: - Element-wise functions

extension Tensor {
    @inline(__always)
    private func unary(_ op: Int32, _ name: String) throws -> Tensor {
        try wrap(name, ctorch_unary(op, handle)) { [shape] }
    }

    public func exp() throws -> Tensor { try unary(Int32(CT_EXP), "exp") }
    public func log() throws -> Tensor { try unary(Int32(CT_LOG), "log") }
    public func log1p() throws -> Tensor { try unary(Int32(CT_LOG1P), "log1p") }
    public func sqrt() throws -> Tensor { try unary(Int32(CT_SQRT), "sqrt") }
    public func rsqrt() throws -> Tensor { try unary(Int32(CT_RSQRT), "rsqrt") }
    public func abs() throws -> Tensor { try unary(Int32(CT_ABS), "abs") }
    public func square() throws -> Tensor { try unary(Int32(CT_SQUARE), "square") }
    public func sigmoid() throws -> Tensor { try unary(Int32(CT_SIGMOID), "sigmoid") }
    public func tanh() throws -> Tensor { try unary(Int32(CT_TANH), "tanh") }
    public func relu() throws -> Tensor { try unary(Int32(CT_RELU), "relu") }
    public func sign() throws -> Tensor { try unary(Int32(CT_SIGN), "sign") }
    public func floor() throws -> Tensor { try unary(Int32(CT_FLOOR), "floor") }
    public func rounded() throws -> Tensor { try unary(Int32(CT_ROUND), "round") }
    public func sin() throws -> Tensor { try unary(Int32(CT_SIN), "sin") }
    public func cos() throws -> Tensor { try unary(Int32(CT_COS), "cos") }
    public func reciprocal() throws -> Tensor { try unary(Int32(CT_RECIPROCAL), "reciprocal") }
    public func logicalNot() throws -> Tensor { try unary(Int32(CT_LOGICAL_NOT), "logical_not") }
    public func isNaN() throws -> Tensor { try unary(Int32(CT_ISNAN), "isnan") }
    public func isFinite() throws -> Tensor { try unary(Int32(CT_ISFINITE), "isfinite") }

    public func pow(_ exponent: Double) throws -> Tensor { try scalarOp(Int32(CT_POW), "pow", exponent) }
    public func pow(_ exponent: Tensor) throws -> Tensor { try binaryOp(Int32(CT_POW), "pow", exponent) }

    /// Limits every element to [lo, hi]; either bound may be nil.
    public func clamped(min lo: Double? = nil, max hi: Double? = nil) throws -> Tensor {
        try wrap("clamp", ctorch_clamp(handle, lo ?? 0, hi ?? 0, lo == nil ? 0 : 1, hi == nil ? 0 : 1)) { [shape] }
    }

    /// Element-wise `condition ? a : b`, broadcasting.
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) throws -> Tensor {
        try wrap("where", ctorch_where(condition.handle, a.handle, b.handle)) { [condition.shape, a.shape, b.shape] }
    }

    public func maximum(_ other: Tensor) throws -> Tensor { try binaryOp(Int32(CT_MAXIMUM), "maximum", other) }
    public func minimum(_ other: Tensor) throws -> Tensor { try binaryOp(Int32(CT_MINIMUM), "minimum", other) }

    // Comparisons produce bool tensors.
    public func eq(_ other: Tensor) throws -> Tensor { try binaryOp(Int32(CT_EQ), "eq", other) }
    public func ne(_ other: Tensor) throws -> Tensor { try binaryOp(Int32(CT_NE), "ne", other) }
    public func lt(_ other: Tensor) throws -> Tensor { try binaryOp(Int32(CT_LT), "lt", other) }
    public func le(_ other: Tensor) throws -> Tensor { try binaryOp(Int32(CT_LE), "le", other) }
    public func gt(_ other: Tensor) throws -> Tensor { try binaryOp(Int32(CT_GT), "gt", other) }
    public func ge(_ other: Tensor) throws -> Tensor { try binaryOp(Int32(CT_GE), "ge", other) }
    public func eq(_ s: Double) throws -> Tensor { try scalarOp(Int32(CT_EQ), "eq", s) }
    public func ne(_ s: Double) throws -> Tensor { try scalarOp(Int32(CT_NE), "ne", s) }
    public func lt(_ s: Double) throws -> Tensor { try scalarOp(Int32(CT_LT), "lt", s) }
    public func le(_ s: Double) throws -> Tensor { try scalarOp(Int32(CT_LE), "le", s) }
    public func gt(_ s: Double) throws -> Tensor { try scalarOp(Int32(CT_GT), "gt", s) }
    public func ge(_ s: Double) throws -> Tensor { try scalarOp(Int32(CT_GE), "ge", s) }
    public func logicalAnd(_ other: Tensor) throws -> Tensor { try binaryOp(Int32(CT_AND), "logical_and", other) }
    public func logicalOr(_ other: Tensor) throws -> Tensor { try binaryOp(Int32(CT_OR), "logical_or", other) }

    @inline(__always)
    func binaryOp(_ op: Int32, _ name: String, _ other: Tensor) throws -> Tensor {
        try wrap(name, ctorch_binary(op, handle, other.handle)) { [shape, other.shape] }
    }

    @inline(__always)
    func scalarOp(_ op: Int32, _ name: String, _ s: Double) throws -> Tensor {
        try wrap(name, ctorch_binary_scalar(op, handle, s)) { [shape] }
    }
}

// MARK: - Broadcasting arithmetic operators

extension Tensor {
    public static func + (a: Tensor, b: Tensor) throws -> Tensor { try a.binaryOp(Int32(CT_ADD), "add", b) }
    public static func - (a: Tensor, b: Tensor) throws -> Tensor { try a.binaryOp(Int32(CT_SUB), "sub", b) }
    public static func * (a: Tensor, b: Tensor) throws -> Tensor { try a.binaryOp(Int32(CT_MUL), "mul", b) }
    public static func / (a: Tensor, b: Tensor) throws -> Tensor { try a.binaryOp(Int32(CT_DIV), "div", b) }

    public static func + (a: Tensor, s: Double) throws -> Tensor { try a.scalarOp(Int32(CT_ADD), "add", s) }
    public static func - (a: Tensor, s: Double) throws -> Tensor { try a.scalarOp(Int32(CT_SUB), "sub", s) }
    public static func * (a: Tensor, s: Double) throws -> Tensor { try a.scalarOp(Int32(CT_MUL), "mul", s) }
    public static func / (a: Tensor, s: Double) throws -> Tensor { try a.scalarOp(Int32(CT_DIV), "div", s) }

    public static func + (s: Double, a: Tensor) throws -> Tensor { try a.scalarOp(Int32(CT_ADD), "add", s) }
    public static func - (s: Double, a: Tensor) throws -> Tensor { try a.scalarOp(Int32(CT_RSUB), "sub", s) }
    public static func * (s: Double, a: Tensor) throws -> Tensor { try a.scalarOp(Int32(CT_MUL), "mul", s) }
    public static func / (s: Double, a: Tensor) throws -> Tensor { try a.scalarOp(Int32(CT_RDIV), "div", s) }

    public static prefix func - (a: Tensor) throws -> Tensor { try wrap("neg", ctorch_unary(Int32(CT_NEG), a.handle)) }
}

// MARK: - Reductions

extension Tensor {
    @inline(__always)
    private func reduce(_ op: Int32, _ name: String, _ dims: [Int], _ keepDim: Bool) throws -> Tensor {
        try wrap(name, withInt64s(dims) { ctorch_reduce(op, handle, $0, $1, keepDim ? 1 : 0) }) { [shape, dims] }
    }

    /// Sum over `dims` (all dimensions when empty).
    public func sum(dims: [Int] = [], keepDim: Bool = false) throws -> Tensor {
        try reduce(Int32(CT_SUM), "sum", dims, keepDim)
    }

    public func mean(dims: [Int] = [], keepDim: Bool = false) throws -> Tensor {
        try reduce(Int32(CT_MEAN), "mean", dims, keepDim)
    }

    /// Largest value over `dims` (all when empty).
    public func max(dims: [Int] = [], keepDim: Bool = false) throws -> Tensor {
        try reduce(Int32(CT_AMAX), "max", dims, keepDim)
    }

    public func min(dims: [Int] = [], keepDim: Bool = false) throws -> Tensor {
        try reduce(Int32(CT_AMIN), "min", dims, keepDim)
    }

    public func prod(dims: [Int] = [], keepDim: Bool = false) throws -> Tensor {
        try reduce(Int32(CT_PROD), "prod", dims, keepDim)
    }

    public func logSumExp(dims: [Int] = [], keepDim: Bool = false) throws -> Tensor {
        try reduce(Int32(CT_LOGSUMEXP), "logsumexp", dims, keepDim)
    }

    /// Variance over `dims` with Bessel's correction by default (`correction` 1); 0 gives the population variance.
    public func variance(dims: [Int] = [], correction: Int = 1, keepDim: Bool = false) throws -> Tensor {
        try wrap("var", withInt64s(dims) { ctorch_var(handle, $0, $1, Int64(correction), keepDim ? 1 : 0) }) {
            [shape, dims]
        }
    }

    /// Index of the largest element along `dim`, or of the flattened tensor when `dim` is nil.
    public func argmax(dim: Int? = nil, keepDim: Bool = false) throws -> Tensor {
        try wrap("argmax", ctorch_argmax(handle, Int64(dim ?? 0), dim == nil ? 1 : 0, keepDim ? 1 : 0)) { [shape] }
    }

    public func argmin(dim: Int? = nil, keepDim: Bool = false) throws -> Tensor {
        try wrap("argmin", ctorch_argmin(handle, Int64(dim ?? 0), dim == nil ? 1 : 0, keepDim ? 1 : 0)) { [shape] }
    }

    public func softmax(dim: Int) throws -> Tensor {
        try wrap("softmax", ctorch_softmax(handle, Int64(dim))) { [shape] }
    }

    public func logSoftmax(dim: Int) throws -> Tensor {
        try wrap("log_softmax", ctorch_log_softmax(handle, Int64(dim))) { [shape] }
    }
}

// MARK: - Linear algebra and spectra

/// Normalisation of a discrete Fourier transform, as in `torch.fft`.
public enum FFTNorm: Int32, Sendable {
    /// No scaling forward (the default of numpy and torch).
    case backward = 0
    /// Scaled by 1/√n.
    case ortho = 1
    /// Scaled by 1/n.
    case forward = 2
}

extension Tensor {
    /// Matrix product with NumPy-style broadcasting of batch dimensions.
    public func matmul(_ other: Tensor) throws -> Tensor {
        try wrap("matmul", ctorch_matmul(handle, other.handle)) { [shape, other.shape] }
    }

    /// The 2-D discrete Fourier transform over the last two dimensions, as real and imaginary parts.
    public func fft2(norm: FFTNorm = .backward) throws -> (real: Tensor, imag: Tensor) {
        var re: OpaquePointer?
        var im: OpaquePointer?
        try checkStatus("fft2", ctorch_fft2(handle, norm.rawValue, &re, &im)) { [shape] }
        guard let re, let im else { throw TensorError(op: "fft2", message: "no result") }
        return (Tensor(handle: re), Tensor(handle: im))
    }
}
