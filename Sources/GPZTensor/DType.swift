import CTorch

/// Element types a `Tensor` can hold.
public enum DType: Int32, Sendable, CustomStringConvertible {
    case float32 = 0
    case float64 = 1
    case int64 = 2
    case bool = 3

    var code: Int32 { rawValue }

    public var isFloatingPoint: Bool { self == .float32 || self == .float64 }

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .float32: return 4
        case .float64, .int64: return 8
        case .bool: return 1
        }
    }

    public var description: String {
        switch self {
        case .float32: return "float32"
        case .float64: return "float64"
        case .int64: return "int64"
        case .bool: return "bool"
        }
    }
}

/// Swift element types that map one-to-one onto a `DType`.
public protocol TensorElement {
    static var dtype: DType { get }
}

extension Float: TensorElement { public static var dtype: DType { .float32 } }
extension Double: TensorElement { public static var dtype: DType { .float64 } }
extension Int64: TensorElement { public static var dtype: DType { .int64 } }
extension Bool: TensorElement { public static var dtype: DType { .bool } }
