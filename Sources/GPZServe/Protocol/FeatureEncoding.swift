/// How the edge encodes the features Z it sends: the protocol datatype of the one input tensor.
///
/// - `fp32`: the features as computed, 4 bytes a value.
/// - `fp16`: each value rounded to the nearest half (ties to even), 2 bytes a value; the cloud widens it exactly.
/// - `int8`: symmetric per-tensor quantisation, 1 byte a value: q = round(z / s) clamped to [−127, 127] with
///   s = max|z| / 127 (1 when Z is all zeros); the cloud computes z' = Float(q) · s in float32. The scale travels as
///   the parameter `gpz_int8_scale` (a positive finite number) of the input, or of the request (tritonclient
///   can only set request parameters: `client.infer(..., parameters={"gpz_int8_scale": s})`); the input's wins.
///   The cloud accepts any int8, −128 included.
public enum FeatureEncoding: Sendable, Equatable, CustomStringConvertible {
    case fp32
    case fp16
    /// With the scale s: value = q · s.
    case int8(scale: Float)

    /// The protocol's name of the datatype.
    public var datatype: String {
        switch self {
        case .fp32: "FP32"
        case .fp16: "FP16"
        case .int8: "INT8"
        }
    }

    /// Bytes per value in the binary tensor extension.
    public var bytesPerValue: Int {
        switch self {
        case .fp32: 4
        case .fp16: 2
        case .int8: 1
        }
    }

    public var description: String {
        switch self {
        case .int8(let scale): "INT8 (scale \(scale))"
        default: datatype
        }
    }

    /// The datatypes the cloud accepts, in the order they are listed in metadata and messages.
    public static let acceptedDatatypes = ["FP32", "FP16", "INT8"]

    /// The parameter that carries an INT8 input's scale.
    public static let int8ScaleParameter = "gpz_int8_scale"
}

/// The edge's side of `FeatureEncoding`: turns features into the bytes (or JSON numbers) that are sent, and tells
/// what the cloud will reconstruct from them.
public enum FeatureQuantizer {
    /// The symmetric INT8 scale of `values`: max|z| / 127, or 1 when every value is 0.
    public static func int8Scale(_ values: [Float]) -> Float {
        let largest = values.reduce(Float(0)) { Swift.max($0, abs($1)) }
        return largest > 0 ? largest / 127 : 1
    }

    /// `value` quantised with `scale`: round(value / scale), ties to even, clamped to [−127, 127] (NaN gives 0).
    @inline(__always)
    public static func int8(_ value: Float, scale: Float) -> Int8 {
        let q = (value / scale).rounded(.toNearestOrEven)
        if q.isNaN { return 0 }
        return Int8(Swift.min(127, Swift.max(-127, q)))
    }

    /// The values the cloud reconstructs from `values` sent with `encoding`: the values themselves for FP32, each
    /// rounded to a half and widened for FP16, Float(q) · s for INT8.
    public static func received(_ values: [Float], as encoding: FeatureEncoding) -> [Float] {
        switch encoding {
        case .fp32: values
        case .fp16: values.map { Half.float(Half.bits($0)) }
        case .int8(let scale): values.map { Float(int8($0, scale: scale)) * scale }
        }
    }

    /// `values` as the binary tensor extension carries them with `encoding`: little-endian, row-major.
    public static func bytes(_ values: [Float], as encoding: FeatureEncoding) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(values.count * encoding.bytesPerValue)
        switch encoding {
        case .fp32:
            for value in values {
                withUnsafeBytes(of: value.bitPattern.littleEndian) { out.append(contentsOf: $0) }
            }
        case .fp16:
            for value in values {
                withUnsafeBytes(of: Half.bits(value).littleEndian) { out.append(contentsOf: $0) }
            }
        case .int8(let scale):
            for value in values { out.append(UInt8(bitPattern: int8(value, scale: scale))) }
        }
        return out
    }

    /// `values` as JSON numbers with `encoding`: the exact float for FP32, the exact half for FP16, q for INT8.
    public static func jsonValues(_ values: [Float], as encoding: FeatureEncoding) -> [Double] {
        switch encoding {
        case .fp32: values.map(Double.init)
        case .fp16: values.map { Double(Half.float(Half.bits($0))) }
        case .int8(let scale): values.map { Double(int8($0, scale: scale)) }
        }
    }
}
