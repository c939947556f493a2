import CTorch

extension Tensor {
    /// Same data, new shape (one dimension may be -1).
    public func reshaped(_ shape: [Int]) throws -> Tensor {
        try wrap("reshape", withInt64s(shape) { ctorch_reshape(handle, $0, $1) }) { [self.shape, shape] }
    }

    /// A view with a new shape; fails when the memory layout does not allow it.
    public func view(_ shape: [Int]) throws -> Tensor {
        try wrap("view", withInt64s(shape) { ctorch_view(handle, $0, $1) }) { [self.shape, shape] }
    }

    public func permuted(_ dims: [Int]) throws -> Tensor {
        try wrap("permute", withInt64s(dims) { ctorch_permute(handle, $0, $1) }) { [shape, dims] }
    }

    public func transposed(_ d0: Int, _ d1: Int) throws -> Tensor {
        try wrap("transpose", ctorch_transpose(handle, Int64(d0), Int64(d1))) { [shape] }
    }

    /// Elements `start..<end` (step `step`) along `dim`; `end` nil means to the end.
    public func slice(dim: Int, start: Int = 0, end: Int? = nil, step: Int = 1) throws -> Tensor {
        try wrap("slice", ctorch_slice(handle, Int64(dim), Int64(start), Int64(end ?? Int(Int64.max)), Int64(step))) {
            [shape]
        }
    }

    /// Rows `range` along dimension 0.
    public subscript(_ range: Range<Int>) -> Tensor {
        get throws { try slice(dim: 0, start: range.lowerBound, end: range.upperBound) }
    }

    public func indexSelect(dim: Int, index: Tensor) throws -> Tensor {
        try wrap("index_select", ctorch_index_select(handle, Int64(dim), index.handle)) { [shape, index.shape] }
    }

    public func indexSelect(dim: Int, _ indices: [Int]) throws -> Tensor {
        try indexSelect(dim: dim, index: Tensor(indices: indices))
    }

    public func gather(dim: Int, index: Tensor) throws -> Tensor {
        try wrap("gather", ctorch_gather(handle, Int64(dim), index.handle)) { [shape, index.shape] }
    }

    public static func cat(_ tensors: [Tensor], dim: Int = 0) throws -> Tensor {
        let handles: [OpaquePointer?] = tensors.map { $0.handle }
        let result = handles.withUnsafeBufferPointer { ctorch_cat($0.baseAddress, Int32($0.count), Int64(dim)) }
        return try wrap("cat", result) { tensors.map(\.shape) }
    }

    public static func stack(_ tensors: [Tensor], dim: Int = 0) throws -> Tensor {
        let handles: [OpaquePointer?] = tensors.map { $0.handle }
        let result = handles.withUnsafeBufferPointer { ctorch_stack($0.baseAddress, Int32($0.count), Int64(dim)) }
        return try wrap("stack", result) { tensors.map(\.shape) }
    }

    public func flattened(from start: Int = 0, to end: Int = -1) throws -> Tensor {
        try wrap("flatten", ctorch_flatten(handle, Int64(start), Int64(end))) { [shape] }
    }

    public func unsqueezed(_ dim: Int) throws -> Tensor {
        try wrap("unsqueeze", ctorch_unsqueeze(handle, Int64(dim))) { [shape] }
    }

    public func squeezed(_ dim: Int) throws -> Tensor {
        try wrap("squeeze", ctorch_squeeze(handle, Int64(dim))) { [shape] }
    }

    public func expanded(_ shape: [Int]) throws -> Tensor {
        try wrap("expand", withInt64s(shape) { ctorch_expand(handle, $0, $1) }) { [self.shape, shape] }
    }

    public func contiguous() throws -> Tensor { try wrap("contiguous", ctorch_contiguous(handle)) }

    /// A copy converted to `dtype` (the same tensor's data when it already has it).
    public func to(_ dtype: DType) throws -> Tensor { try wrap("to", ctorch_to_dtype(handle, dtype.code)) { [shape] } }

    /// A copy with its own storage (gradients flow back to the source).
    public func clone() throws -> Tensor { try wrap("clone", ctorch_clone(handle)) }

    /// One-hot encoding of int64 labels as int64; `classes` columns.
    public func oneHot(classes: Int) throws -> Tensor {
        try wrap("one_hot", ctorch_one_hot(handle, Int64(classes))) { [shape] }
    }
}
