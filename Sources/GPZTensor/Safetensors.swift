import GPZConfig
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads and writes the safetensors format of Hugging Face's `safetensors` library:
///
///     [u64 little-endian N][N bytes of UTF-8 JSON header][data]
///
/// The header maps each tensor name to `{"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}` (byte
/// offsets into the data section) and may hold `"__metadata__": {"key": "value"}`. Data is raw little-endian,
/// row-major. Files written here load in Python with `safetensors.numpy.load_file` / `safetensors.torch.load_file`,
/// and files written there load here.
public enum Safetensors {
    /// Largest header accepted when reading, as in the reference implementation.
    public static let maxHeaderLength = 100_000_000
    static let metadataKey = "__metadata__"

    /// Writes `tensors` (float32, float64, int64 or bool; in the order given) and `metadata` to `url`.
    ///
    /// The file is written to a temporary file in the same directory, flushed to disk and then renamed over `url`,
    /// so a crash never leaves a half-written file under that name.
    public static func write(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:],
                             to url: URL) throws {
        var names = Set<String>()
        var entries: [SafetensorsEntry] = []
        var offset = 0
        for (name, tensor) in tensors {
            guard name != metadataKey, names.insert(name).inserted else {
                throw SafetensorsError(url: url, message: "cannot write tensor name '\(name)' "
                    + (name == metadataKey ? "(reserved for metadata)" : "twice"))
            }
            let dtype = SafetensorsDType(tensor.dtype)
            let byteCount = tensor.count * dtype.byteSize
            entries.append(SafetensorsEntry(name: name, dtype: dtype, shape: tensor.shape,
                                            begin: offset, end: offset + byteCount))
            offset += byteCount
        }
        let header = SafetensorsHeader.encode(entries: entries, metadata: metadata)

        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
            throw SafetensorsError(url: url, message: "cannot create temporary file in \(directory.path)")
        }
        do {
            let handle = try FileHandle(forWritingTo: temporary)
            defer { try? handle.close() }
            try handle.write(contentsOf: littleEndianBytes([UInt64(header.count)]))
            try handle.write(contentsOf: header)
            for (_, tensor) in tensors {
                try handle.write(contentsOf: try rawBytes(of: tensor))
            }
            try handle.synchronize()
            guard rename(temporary.path, url.path) == 0 else {
                throw SafetensorsError(url: url, message: "cannot rename the temporary file: "
                    + String(cString: strerror(errno)))
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            if let error = error as? SafetensorsError { throw error }
            throw SafetensorsError(url: url, message: "cannot write: \(error.localizedDescription)")
        }
    }

    /// Reads every tensor (in data order) and the metadata of a safetensors file.
    ///
    /// The file is memory-mapped and fully validated before any tensor is built; a truncated or inconsistent file
    /// throws a `SafetensorsError` naming the file and what was expected, never crashes.
    public static func read(from url: URL) throws -> (tensors: [(name: String, tensor: Tensor)],
                                                     metadata: [String: String]) {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw SafetensorsError(url: url, message: "file does not exist")
        }
        let file: Data
        do {
            file = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw SafetensorsError(url: url, message: "cannot read: \(error.localizedDescription)")
        }
        guard file.count >= 8 else {
            throw SafetensorsError(url: url, message: "file has \(file.count) bytes; expected at least 8 "
                + "(the little-endian header length)")
        }
        let headerLength = file.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard headerLength <= UInt64(file.count - 8) else {
            throw SafetensorsError(url: url, message: "header length \(headerLength) exceeds file size "
                + "\(file.count) (at most \(file.count - 8) bytes can follow the length)")
        }
        guard headerLength <= UInt64(maxHeaderLength) else {
            throw SafetensorsError(url: url, message: "header length \(headerLength) exceeds the limit of "
                + "\(maxHeaderLength) bytes")
        }
        let dataStart = 8 + Int(headerLength)
        let header: SafetensorsHeader
        do {
            header = try SafetensorsHeader(json: file.subdata(in: 8..<dataStart), dataLength: file.count - dataStart)
        } catch {
            throw SafetensorsError(url: url, message: error.message)
        }
        let tensors = try file.withUnsafeBytes { raw in
            try header.entries.map { entry in
                let bytes = UnsafeRawBufferPointer(rebasing: raw[(dataStart + entry.begin)..<(dataStart + entry.end)])
                return (name: entry.name, tensor: try tensor(from: bytes, dtype: entry.dtype, shape: entry.shape))
            }
        }
        return (tensors, header.metadata)
    }

    /// Builds a tensor from little-endian `bytes` whose size was checked against `dtype` and `shape`.
    private static func tensor(from bytes: UnsafeRawBufferPointer, dtype: SafetensorsDType, shape: [Int]) throws
        -> Tensor {
        switch dtype {
        case .f64: return try Tensor(decode(bytes, UInt64.self).map(Double.init(bitPattern:)), shape: shape)
        case .f32: return try Tensor(decode(bytes, UInt32.self).map(Float.init(bitPattern:)), shape: shape)
        case .f16: return try Tensor(decode(bytes, UInt16.self).map(floatFromHalf), shape: shape)
        case .bf16:
            return try Tensor(decode(bytes, UInt16.self).map { Float(bitPattern: UInt32($0) << 16) }, shape: shape)
        case .i64: return try Tensor(decode(bytes, Int64.self), shape: shape)
        case .i32: return try Tensor(decode(bytes, Int32.self).map(Int64.init), shape: shape)
        case .i16: return try Tensor(decode(bytes, Int16.self).map(Int64.init), shape: shape)
        case .i8: return try Tensor(decode(bytes, Int8.self).map(Int64.init), shape: shape)
        case .u32: return try Tensor(decode(bytes, UInt32.self).map(Int64.init), shape: shape)
        case .u16: return try Tensor(decode(bytes, UInt16.self).map(Int64.init), shape: shape)
        case .u8: return try Tensor(decode(bytes, UInt8.self).map(Int64.init), shape: shape)
        case .bool: return try Tensor(decode(bytes, UInt8.self).map { $0 != 0 }, shape: shape)
        }
    }

    private static func decode<T: FixedWidthInteger>(_ bytes: UnsafeRawBufferPointer, _ type: T.Type) -> [T] {
        let stride = MemoryLayout<T>.size
        return (0..<(bytes.count / stride)).map {
            T(littleEndian: bytes.loadUnaligned(fromByteOffset: $0 * stride, as: T.self))
        }
    }

    /// IEEE 754 binary16 bits to Float (exact: every half value is a float).
    private static func floatFromHalf(_ bits: UInt16) -> Float {
        let sign: Float = bits & 0x8000 == 0 ? 1 : -1
        let exponent = Int((bits >> 10) & 0x1F)
        let fraction = Float(bits & 0x3FF)
        switch exponent {
        case 0: return sign * fraction * 0x1p-24
        case 31: return fraction == 0 ? sign * .infinity : .nan
        default: return sign * (1 + fraction / 1024) * Float(sign: .plus, exponent: exponent - 15, significand: 1)
        }
    }

    /// The tensor's elements as little-endian bytes in its safetensors dtype.
    private static func rawBytes(of tensor: Tensor) throws -> Data {
        switch tensor.dtype {
        case .float32: return littleEndianBytes(try tensor.toFloats().map(\.bitPattern))
        case .float64: return littleEndianBytes(try tensor.toDoubles().map(\.bitPattern))
        case .int64: return littleEndianBytes(try tensor.toInts().map(Int64.init))
        case .bool: return Data(try tensor.toBools().map { $0 ? 1 : 0 })
        }
    }

    private static func littleEndianBytes<T: FixedWidthInteger>(_ values: [T]) -> Data {
        values.map(\.littleEndian).withUnsafeBytes { Data($0) }
    }
}

/// A safetensors file that cannot be read or written. Its description names the file and what was expected,
/// e.g. `weights.safetensors: header length 9999999999 exceeds file size 1234 (…)`.
public struct SafetensorsError: UserError, CustomStringConvertible, Equatable {
    public let url: URL
    public let message: String

    public init(url: URL, message: String) {
        self.url = url
        self.message = message
    }

    public var description: String { "\(url.lastPathComponent): \(message)" }
}
