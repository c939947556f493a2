import CTorch

extension Tensor {
    /// A tensor holding a copy of `values` laid out row-major in `shape`.
    public convenience init<T: TensorElement>(_ values: [T], shape: [Int]) throws {
        try TensorError.check(shape.allSatisfy { $0 >= 0 }, "tensor", "negative size in shape \(shape)")
        let expected = try shape.reduce(1) { product, size in
            let (result, overflow) = product.multipliedReportingOverflow(by: size)
            try TensorError.check(!overflow, "tensor", "shape \(shape) has too many elements")
            return result
        }
        try TensorError.check(values.count == expected, "tensor",
                              "\(values.count) values do not fill shape \(shape) (\(expected) elements)")
        let result = values.withUnsafeBytes { raw in
            withInt64s(shape) { dims, n in ctorch_from_data(raw.baseAddress, T.dtype.code, dims, n) }
        }
        self.init(handle: try unwrapHandle("tensor", result))
    }

    /// A 1-D tensor of `values`.
    public convenience init<T: TensorElement>(_ values: [T]) throws {
        try self.init(values, shape: [values.count])
    }

    /// A 1-D int64 tensor from Swift `Int`s (labels, indices).
    public convenience init(indices: [Int], shape: [Int]? = nil) throws {
        try self.init(indices.map(Int64.init), shape: shape ?? [indices.count])
    }

    /// A 0-D (scalar) tensor.
    public convenience init(scalar: Double, dtype: DType = .float32) throws {
        self.init(handle: try unwrapHandle("scalar", ctorch_full(nil, 0, scalar, dtype.code)))
    }

    public static func full(_ shape: [Int], _ value: Double, dtype: DType = .float32) throws -> Tensor {
        try wrap("full", withInt64s(shape) { ctorch_full($0, $1, value, dtype.code) }) { [shape] }
    }

    public static func zeros(_ shape: [Int], dtype: DType = .float32) throws -> Tensor {
        try full(shape, 0, dtype: dtype)
    }

    public static func ones(_ shape: [Int], dtype: DType = .float32) throws -> Tensor {
        try full(shape, 1, dtype: dtype)
    }

    /// Standard-normal samples from the global generator (see `Runtime.manualSeed`).
    public static func randn(_ shape: [Int], dtype: DType = .float32) throws -> Tensor {
        try wrap("randn", withInt64s(shape) { ctorch_randn($0, $1, dtype.code) }) { [shape] }
    }

    /// Uniform samples on [0, 1).
    public static func rand(_ shape: [Int], dtype: DType = .float32) throws -> Tensor {
        try wrap("rand", withInt64s(shape) { ctorch_rand($0, $1, dtype.code) }) { [shape] }
    }

    /// Uniform int64 samples on [low, high).
    public static func randint(_ low: Int, _ high: Int, _ shape: [Int]) throws -> Tensor {
        try wrap("randint", withInt64s(shape) { ctorch_randint(Int64(low), Int64(high), $0, $1) }) { [shape] }
    }

    /// A random permutation of 0..<n (int64).
    public static func randperm(_ n: Int) throws -> Tensor {
        try wrap("randperm", ctorch_randperm(Int64(n)))
    }

    /// Values from `start` up to (not including) `end` in steps of `step`.
    public static func arange(_ start: Double, _ end: Double, step: Double = 1, dtype: DType = .float32) throws -> Tensor {
        try wrap("arange", ctorch_arange(start, end, step, dtype.code))
    }

    public static func arange(_ end: Int, dtype: DType = .int64) throws -> Tensor {
        try arange(0, Double(end), dtype: dtype)
    }
}

// MARK: - Copying out

extension Tensor {
    private func copyOut<T: TensorElement>(_ type: T.Type, zero: T) throws -> [T] {
        let n = count
        var out = [T](repeating: zero, count: n)
        let status = out.withUnsafeMutableBytes { ctorch_copy_out(handle, T.dtype.code, $0.baseAddress, Int64(n)) }
        try checkStatus("copy_out", status) { [shape] }
        return out
    }

    /// All elements, converted to Float, row-major.
    public func toFloats() throws -> [Float] { try copyOut(Float.self, zero: 0) }

    public func toDoubles() throws -> [Double] { try copyOut(Double.self, zero: 0) }

    public func toInts() throws -> [Int] { try copyOut(Int64.self, zero: 0).map(Int.init) }

    public func toBools() throws -> [Bool] { try copyOut(Bool.self, zero: false) }

    /// The value of a one-element tensor.
    public func item() throws -> Double {
        try TensorError.check(count == 1, "item", "tensor of shape \(shape) has \(count) elements, expected 1")
        return try toDoubles()[0]
    }
}
