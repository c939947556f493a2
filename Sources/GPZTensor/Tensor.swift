import CTorch

/// An n-dimensional array with automatic differentiation, backed by a libtorch tensor on the CPU or a CUDA device (`Device`).
///
/// A `Tensor` owns one shim handle and releases it when the object goes away. Operations never mutate their
/// inputs (the few in-place updates are named `…InPlace` and run without recording gradients). Every
/// operation that can fail `throws` a `TensorError` naming the operation and the shapes involved.
/// Tensors are not `Sendable`: keep each one's life within one task or thread.
public final class Tensor {
    let handle: OpaquePointer

    init(handle: OpaquePointer) {
        self.handle = handle
    }

    deinit {
        ctorch_free(handle)
    }

    /// Sizes of each dimension.
    public var shape: [Int] {
        var sizes = [Int64](repeating: 0, count: 8)
        let n = Int(ctorch_shape(handle, &sizes, 8))
        if n > 8 {
            sizes = [Int64](repeating: 0, count: n)
            _ = ctorch_shape(handle, &sizes, Int32(n))
        }
        return sizes.prefix(Swift.max(n, 0)).map(Int.init)
    }

    public var rank: Int { Int(ctorch_ndim(handle)) }

    public var count: Int { Int(ctorch_numel(handle)) }

    public var dtype: DType { DType(rawValue: ctorch_dtype(handle)) ?? .float32 }

    /// Size of dimension `dim` (negative counts from the end).
    public func size(_ dim: Int) -> Int {
        let s = shape
        return s[dim < 0 ? dim + s.count : dim]
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let preview: String
        if count <= 16, let values = try? toDoubles() {
            preview = " " + values.map { String($0) }.joined(separator: ", ")
        } else {
            preview = ""
        }
        return "Tensor(\(dtype), \(shape))\(preview)"
    }
}

// MARK: - Bridging helpers shared by all operations

/// Unwraps a shim handle, or throws the shim's error with the input shapes (computed only on failure).
@inline(__always)
func unwrapHandle(_ op: String, _ result: OpaquePointer?, _ shapes: () -> [[Int]] = { [] }) throws -> OpaquePointer {
    guard let result else { throw TensorError(op: op, shapes: shapes()) }
    return result
}

/// Turns a shim result into a tensor, or throws the shim's error with the input shapes (computed only on failure).
@inline(__always)
func wrap(_ op: String, _ result: OpaquePointer?, _ shapes: () -> [[Int]] = { [] }) throws -> Tensor {
    guard let result else { throw TensorError(op: op, shapes: shapes()) }
    return Tensor(handle: result)
}

@inline(__always)
func checkStatus(_ op: String, _ status: Int32, _ shapes: () -> [[Int]] = { [] }) throws {
    if status < 0 { throw TensorError(op: op, shapes: shapes()) }
}

@inline(__always)
func withInt64s<R>(_ values: [Int], _ body: (UnsafePointer<Int64>?, Int32) throws -> R) rethrows -> R {
    let converted = values.map(Int64.init)
    return try converted.withUnsafeBufferPointer { try body($0.baseAddress, Int32($0.count)) }
}
