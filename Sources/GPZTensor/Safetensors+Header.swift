import Foundation

/// Element types of the safetensors format that GPZ reads, with their on-disk size and the `DType` they load as.
/// F32, F64, I64 and BOOL round-trip exactly; the narrower types are widened on reading (F16 and BF16 to float32,
/// the integer types to int64).
enum SafetensorsDType: String, CaseIterable {
    case f64 = "F64", f32 = "F32", f16 = "F16", bf16 = "BF16"
    case i64 = "I64", i32 = "I32", i16 = "I16", i8 = "I8"
    case u32 = "U32", u16 = "U16", u8 = "U8"
    case bool = "BOOL"

    init(_ dtype: DType) {
        switch dtype {
        case .float32: self = .f32
        case .float64: self = .f64
        case .int64: self = .i64
        case .bool: self = .bool
        }
    }

    var byteSize: Int {
        switch self {
        case .f64, .i64: return 8
        case .f32, .i32, .u32: return 4
        case .f16, .bf16, .i16, .u16: return 2
        case .i8, .u8, .bool: return 1
        }
    }
}

/// One tensor's entry in a safetensors header: where its bytes lie relative to the start of the data section.
struct SafetensorsEntry {
    let name: String
    let dtype: SafetensorsDType
    let shape: [Int]
    let begin: Int
    let end: Int
}

/// A parsed, validated safetensors header.
struct SafetensorsHeader {
    /// Entries sorted by their position in the data section.
    let entries: [SafetensorsEntry]
    let metadata: [String: String]

    /// Parses the JSON header and checks every entry against `dataLength`, the bytes that follow the header:
    /// dtypes must be known, each byte range must match its dtype and shape, and the ranges must tile the data
    /// section exactly (no overlap, no gap, nothing left over), as Python's `safetensors` requires.
    /// Errors are plain messages; the caller names the file.
    init(json bytes: Data, dataLength: Int) throws(SafetensorsHeaderError) {
        guard let text = String(data: bytes, encoding: .utf8) else {
            throw SafetensorsHeaderError("header is not valid UTF-8")
        }
        guard text.first == "{" else {
            throw SafetensorsHeaderError("header does not start with '{'; expected a JSON object")
        }
        guard let parsed = try? JSONSerialization.jsonObject(with: bytes),
              let object = parsed as? [String: Any] else {
            throw SafetensorsHeaderError("header is not a valid JSON object")
        }
        var metadata: [String: String] = [:]
        var entries: [SafetensorsEntry] = []
        for (name, value) in object {
            if name == Safetensors.metadataKey {
                guard let strings = value as? [String: String] else {
                    throw SafetensorsHeaderError("\"\(name)\" must map strings to strings")
                }
                metadata = strings
            } else {
                entries.append(try Self.entry(name: name, value: value))
            }
        }
        entries.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        var previous: SafetensorsEntry?
        for entry in entries {
            guard entry.end <= dataLength else {
                throw SafetensorsHeaderError("tensor '\(entry.name)': data_offsets [\(entry.begin), \(entry.end)] "
                    + "exceed the \(dataLength) bytes of data after the header")
            }
            let expectedBegin = previous?.end ?? 0
            if entry.begin < expectedBegin, let previous {
                throw SafetensorsHeaderError("tensor '\(entry.name)': data_offsets [\(entry.begin), \(entry.end)] "
                    + "overlap tensor '\(previous.name)' at [\(previous.begin), \(previous.end)]")
            }
            guard entry.begin == expectedBegin else {
                throw SafetensorsHeaderError("tensor '\(entry.name)': data_offsets [\(entry.begin), \(entry.end)] "
                    + "leave a gap; expected it to start at byte \(expectedBegin)")
            }
            previous = entry
        }
        let described = previous?.end ?? 0
        guard described == dataLength else {
            throw SafetensorsHeaderError("header describes \(described) bytes of data but \(dataLength) follow it")
        }
        self.entries = entries
        self.metadata = metadata
    }

    private static func entry(name: String, value: Any) throws(SafetensorsHeaderError) -> SafetensorsEntry {
        let context = "tensor '\(name)'"
        guard let fields = value as? [String: Any] else {
            throw SafetensorsHeaderError("\(context): expected an object with dtype, shape and data_offsets")
        }
        guard let dtypeName = fields["dtype"] as? String else {
            throw SafetensorsHeaderError("\(context): missing string field \"dtype\"")
        }
        guard let dtype = SafetensorsDType(rawValue: dtypeName) else {
            let known = SafetensorsDType.allCases.map(\.rawValue).joined(separator: ", ")
            throw SafetensorsHeaderError("\(context): unknown dtype \"\(dtypeName)\"; expected one of \(known)")
        }
        guard let shape = nonNegativeIntegers(fields["shape"]) else {
            throw SafetensorsHeaderError("\(context): \"shape\" must be an array of non-negative integers")
        }
        guard let offsets = nonNegativeIntegers(fields["data_offsets"]), offsets.count == 2, offsets[0] <= offsets[1]
        else {
            throw SafetensorsHeaderError("\(context): \"data_offsets\" must be [begin, end] with 0 <= begin <= end")
        }
        var byteCount = dtype.byteSize
        for size in shape {
            let (product, overflow) = byteCount.multipliedReportingOverflow(by: size)
            guard !overflow else { throw SafetensorsHeaderError("\(context): shape \(shape) is too large") }
            byteCount = product
        }
        guard offsets[1] - offsets[0] == byteCount else {
            throw SafetensorsHeaderError("\(context): data_offsets [\(offsets[0]), \(offsets[1])] hold "
                + "\(offsets[1] - offsets[0]) bytes, but dtype \(dtype.rawValue) and shape \(shape) need \(byteCount)")
        }
        return SafetensorsEntry(name: name, dtype: dtype, shape: shape, begin: offsets[0], end: offsets[1])
    }

    /// The value as `[Int]` when it is a JSON array of integers that are all >= 0.
    private static func nonNegativeIntegers(_ value: Any?) -> [Int]? {
        guard let array = value as? [Any] else { return nil }
        var out: [Int] = []
        for element in array {
            guard let integer = element as? Int, integer >= 0 else { return nil }
            out.append(integer)
        }
        return out
    }

    /// The JSON text `safetensors` writes: `__metadata__` first (when not empty), then each tensor in the order
    /// given, padded with spaces to a multiple of 8 bytes.
    static func encode(entries: [SafetensorsEntry], metadata: [String: String]) -> Data {
        var fields: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.sorted { $0.key < $1.key }.map { "\(jsonString($0.key)):\(jsonString($0.value))" }
            fields.append("\(jsonString(Safetensors.metadataKey)):{\(pairs.joined(separator: ","))}")
        }
        for entry in entries {
            let shape = entry.shape.map(String.init).joined(separator: ",")
            fields.append("\(jsonString(entry.name)):{\"dtype\":\"\(entry.dtype.rawValue)\",\"shape\":[\(shape)],"
                + "\"data_offsets\":[\(entry.begin),\(entry.end)]}")
        }
        var bytes = Data("{\(fields.joined(separator: ","))}".utf8)
        let padding = (8 - bytes.count % 8) % 8
        bytes.append(contentsOf: [UInt8](repeating: UInt8(ascii: " "), count: padding))
        return bytes
    }

    /// `text` as a JSON string literal.
    private static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

/// A header problem, before the file name is attached.
struct SafetensorsHeaderError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
