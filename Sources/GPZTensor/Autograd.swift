import CTorch

extension Tensor {
    /// Whether operations on this tensor are recorded for differentiation.
    public var requiresGrad: Bool {
        ctorch_requires_grad(handle) == 1
    }

    /// Marks this tensor as a leaf whose gradient `backward()` accumulates. Returns self for chaining.
    @discardableResult
    public func requiringGrad(_ flag: Bool = true) throws -> Tensor {
        try checkStatus("requires_grad", ctorch_set_requires_grad(handle, flag ? 1 : 0)) { [shape] }
        return self
    }

    /// Back-propagates from this tensor (a scalar unless `gradient` is given) into every leaf that requires grad.
    public func backward(gradient: Tensor? = nil, retainGraph: Bool = false) throws {
        try checkStatus("backward", ctorch_backward(handle, gradient?.handle, retainGraph ? 1 : 0)) { [shape] }
    }

    /// The accumulated gradient, or nil when none has been computed.
    public var grad: Tensor? {
        var out: OpaquePointer?
        guard ctorch_grad(handle, &out) == 1, let out else { return nil }
        return Tensor(handle: out)
    }

    /// Drops the accumulated gradient.
    public func zeroGrad() throws {
        try checkStatus("zero_grad", ctorch_zero_grad(handle))
    }

    /// The same values, cut out of the autograd graph.
    public func detached() throws -> Tensor {
        try wrap("detach", ctorch_detach(handle))
    }
}

/// Whether operations are currently recorded for differentiation on this thread.
public var isGradEnabled: Bool { ctorch_is_grad_enabled() == 1 }

/// Runs `body` with gradient recording switched `enabled`, restoring the previous mode afterwards.
public func withGradMode<R>(_ enabled: Bool, _ body: () throws -> R) rethrows -> R {
    let previous = ctorch_set_grad_enabled(enabled ? 1 : 0)
    defer { _ = ctorch_set_grad_enabled(previous) }
    return try body()
}

/// Runs `body` without recording operations for differentiation (evaluation, optimiser updates).
public func withNoGrad<R>(_ body: () throws -> R) rethrows -> R {
    try withGradMode(false, body)
}

// MARK: - In-place updates (never recorded by autograd)

extension Tensor {
    /// Copies `source`'s values into this tensor (broadcasting, converting dtype).
    public func assign(_ source: Tensor) throws {
        try checkStatus("copy_", ctorch_copy_(handle, source.handle)) { [shape, source.shape] }
    }

    /// Writes `source`'s slices into this tensor along `dim` at the int64 positions `index`: self[index[i]] = source[i].
    public func indexCopyInPlace(dim: Int, index: Tensor, source: Tensor) throws {
        try checkStatus("index_copy_", ctorch_index_copy_(handle, Int64(dim), index.handle, source.handle)) {
            [shape, index.shape, source.shape]
        }
    }

    public func fill(_ value: Double) throws {
        try checkStatus("fill_", ctorch_fill_(handle, value)) { [shape] }
    }

    /// self += alpha · other
    public func addInPlace(_ other: Tensor, alpha: Double = 1) throws {
        try checkStatus("add_", ctorch_add_(handle, other.handle, alpha)) { [shape, other.shape] }
    }

    /// self *= s
    public func scaleInPlace(_ s: Double) throws {
        try checkStatus("mul_", ctorch_mul_scalar_(handle, s)) { [shape] }
    }

    /// self += value · a ⊙ b
    public func addProductInPlace(_ a: Tensor, _ b: Tensor, value: Double = 1) throws {
        try checkStatus("addcmul_", ctorch_addcmul_(handle, a.handle, b.handle, value)) { [shape, a.shape, b.shape] }
    }

    /// self += value · a ⊘ b
    public func addQuotientInPlace(_ a: Tensor, _ b: Tensor, value: Double = 1) throws {
        try checkStatus("addcdiv_", ctorch_addcdiv_(handle, a.handle, b.handle, value)) { [shape, a.shape, b.shape] }
    }

    /// Refills with uniform samples on [lo, hi).
    public func uniformInPlace(_ lo: Double, _ hi: Double) throws {
        try checkStatus("uniform_", ctorch_uniform_(handle, lo, hi)) { [shape] }
    }

    /// Refills with normal samples.
    public func normalInPlace(mean: Double = 0, std: Double = 1) throws {
        try checkStatus("normal_", ctorch_normal_(handle, mean, std)) { [shape] }
    }
}
