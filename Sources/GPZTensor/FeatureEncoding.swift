import GPZConfig
/// How the features Z are encoded for transmission, as a setting: `gpz edge --encoding`, `gpz attack --encoding`
/// and a scan file's `attack.encoding` name one of these. The encoding math itself is `FeatureQuantizer`'s, the one
/// implementation that the edge (GPZServe) and the attacks (GPZAttacks) share, so that the attacked Z is exactly
/// the Z the cloud receives.
public enum WireEncoding: String, Codable, CaseIterable, Sendable {
    /// The features as computed, 4 bytes a value.
    case fp32
    /// Each value rounded to the nearest half, 2 bytes a value.
    case fp16
    /// Symmetric INT8 with the scale max|z| / 127 of the values encoded together, 1 byte a value.
    case int8

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = WireEncoding(rawValue: text) else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath,
                debugDescription: "'\(text)': expected one of \(Self.allCases.map(\.rawValue).joined(separator: ", "))"))
        }
        self = value
    }

    /// Bytes per value on the wire.
    public var bytesPerValue: Int {
        switch self {
        case .fp32: 4
        case .fp16: 2
        case .int8: 1
        }
    }

    /// The encoding of `values` sent together (one request): for INT8, with their symmetric scale.
    public func encoding(for values: [Float]) -> FeatureEncoding {
        switch self {
        case .fp32: .fp32
        case .fp16: .fp16
        case .int8: .int8(scale: FeatureQuantizer.int8Scale(values))
        }
    }
}

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

    /// The setting this encoding belongs to.
    public var wire: WireEncoding {
        switch self {
        case .fp32: .fp32
        case .fp16: .fp16
        case .int8: .int8
        }
    }

    /// Bytes per value in the binary tensor extension.
    public var bytesPerValue: Int { wire.bytesPerValue }

    public var description: String {
        switch self {
        case .fp32: "FP32"
        case .fp16: "FP16"
        case .int8(let scale): "INT8 (scale \(scale))"
        }
    }
}

/// The encoding math: turns features into what is sent and tells what the receiver reconstructs from it.
public enum FeatureQuantizer {
    /// The symmetric INT8 scale of `values`: max|z| / 127, or 1 when every value is 0.
    public static func int8Scale<C: Collection>(_ values: C) -> Float where C.Element == Float {
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

    /// The values the receiver reconstructs from `values` sent with `encoding`: the values themselves for FP32,
    /// each rounded to a half and widened for FP16, Float(q) · s for INT8.
    public static func received(_ values: [Float], as encoding: FeatureEncoding) -> [Float] {
        switch encoding {
        case .fp32: values
        case .fp16: values.map { Half.float(Half.bits($0)) }
        case .int8(let scale): values.map { Float(int8($0, scale: scale)) * scale }
        }
    }

    /// What the receiver reconstructs when each of the `values.count / samples` -value rows of `values` (one per
    /// sample) is sent on its own with `wire`: for INT8 every sample has its own scale, as `gpz edge --batch 1`
    /// sends them.
    public static func receivedPerSample(_ values: [Float], samples: Int, as wire: WireEncoding) -> [Float] {
        guard wire == .int8, samples > 0, values.count % samples == 0 else {
            return received(values, as: wire.encoding(for: []))
        }
        let width = values.count / samples
        var out = [Float]()
        out.reserveCapacity(values.count)
        for sample in 0..<samples {
            let row = values[(sample * width)..<((sample + 1) * width)]
            let scale = int8Scale(row)
            for value in row { out.append(Float(int8(value, scale: scale)) * scale) }
        }
        return out
    }

    /// `features` ([N, …]) as the receiver reconstructs them when each sample is sent on its own with `wire`
    /// (`receivedPerSample`), on the same device; `features` itself for FP32.
    public static func received(_ features: Tensor, as wire: WireEncoding) throws -> Tensor {
        guard wire != .fp32 else { return features }
        let device = try features.device
        let values = try features.detached().to(.cpu).toFloats()
        let samples = features.rank == 0 ? 1 : features.size(0)
        return try Tensor(receivedPerSample(values, samples: samples, as: wire), shape: features.shape).to(device)
    }
}

/// The encoding of the features sent (`attack.encoding`): FP32 unless a configuration names another.
extension WireEncoding: DefaultedSetting {
    public static var settingDefault: WireEncoding { .fp32 }
}
