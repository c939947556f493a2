import GPZTensor

/// The Open Inference Protocol's names for `FeatureEncoding` (GPZTensor holds the encoding math, which the attacks
/// share): the datatype of the input tensor and the parameter that carries an INT8 scale.
extension FeatureEncoding {
    /// The protocol's name of the datatype.
    public var datatype: String {
        switch self {
        case .fp32: "FP32"
        case .fp16: "FP16"
        case .int8: "INT8"
        }
    }

    /// The datatypes the cloud accepts, in the order they are listed in metadata and messages.
    public static let acceptedDatatypes = ["FP32", "FP16", "INT8"]

    /// The parameter that carries an INT8 input's scale.
    public static let int8ScaleParameter = "gpz_int8_scale"

    /// INT8 with the symmetric scale of `values` (max|z| / 127).
    public static func int8(for values: [Float]) -> FeatureEncoding {
        .int8(scale: FeatureQuantizer.int8Scale(values))
    }
}

/// The edge's side of the wire format: features as the binary tensor extension or JSON numbers carry them.
extension FeatureQuantizer {
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
