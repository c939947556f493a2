import CGzip

/// A request body compressed for HTTP's `Content-Encoding`: `gzip` (RFC 1952) or `deflate` (HTTP's "deflate" is
/// the zlib format, RFC 1950). Both are zlib's (the system library GPZData already links), compressed by the edge
/// (`gpz edge --compress`) and inflated by the server within its body limit.
public enum BodyCompression: String, Sendable, CaseIterable {
    case gzip
    case deflate

    /// The `Content-Encoding` value named, nil for none or identity; throws for any other.
    public init?(contentEncoding header: String?) throws(BodyCompressionError) {
        guard let header else { return nil }
        switch header.trimmingCharacters(in: .whitespaces).lowercased() {
        case "", "identity": return nil
        case "gzip", "x-gzip": self = .gzip
        case "deflate": self = .deflate
        default: throw BodyCompressionError(.unsupported, "Content-Encoding: \(quoted(header)) is not supported")
        }
    }

    /// zlib's window bits for the format: 15 (32 KiB window), + 16 for the gzip wrapper.
    private var windowBits: Int32 { self == .gzip ? 15 + 16 : 15 }

    /// `bytes` compressed in this format at zlib's default level.
    public func compress(_ bytes: [UInt8]) throws(BodyCompressionError) -> [UInt8] {
        var stream = z_stream()
        guard deflateInit2_(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY,
                            ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw BodyCompressionError(.corrupt, "zlib: deflateInit2 failed")
        }
        defer { deflateEnd(&stream) }
        var out = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(bytes.count))) + 16)
        let status = bytes.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { output in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.avail_in = UInt32(input.count)
                stream.next_out = output.baseAddress
                stream.avail_out = UInt32(output.count)
                return CGzip.deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { throw BodyCompressionError(.corrupt, "zlib: deflate ended with \(status)") }
        return Array(out.prefix(Int(stream.total_out)))
    }

    /// `bytes` inflated: exactly one complete stream of this format (checksum verified by zlib), nothing after it,
    /// at most `limit` bytes once inflated. Inflation stops as soon as the output passes the limit, so a small
    /// "zip bomb" never takes more than `limit` plus one chunk of memory.
    public func inflate(_ bytes: [UInt8], limit: Int) throws(BodyCompressionError) -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, windowBits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw BodyCompressionError(.corrupt, "zlib: inflateInit2 failed")
        }
        defer { inflateEnd(&stream) }
        let chunk = 64 << 10
        var out: [UInt8] = []
        out.reserveCapacity(Swift.min(limit, Swift.max(chunk, 4 * bytes.count)))
        var buffer = [UInt8](repeating: 0, count: chunk)
        let result: Result<Int, BodyCompressionError> = bytes.withUnsafeBufferPointer { input in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.avail_in = UInt32(input.count)
            while true {
                let (status, produced) = buffer.withUnsafeMutableBufferPointer { output in
                    stream.next_out = output.baseAddress
                    stream.avail_out = UInt32(output.count)
                    let status = CGzip.inflate(&stream, Z_NO_FLUSH)
                    return (status, output.count - Int(stream.avail_out))
                }
                guard out.count + produced <= limit else {
                    return .failure(BodyCompressionError(.tooLarge, "more than \(limit) bytes once inflated"))
                }
                out.append(contentsOf: buffer[..<produced])
                switch status {
                case Z_STREAM_END:
                    return .success(Int(stream.avail_in))
                case Z_OK:
                    continue
                case Z_BUF_ERROR where stream.avail_in == 0:
                    return .failure(BodyCompressionError(.corrupt, "the data ends before the end of the stream"))
                default:
                    let message = stream.msg.map { String(cString: $0) } ?? "zlib status \(status)"
                    return .failure(BodyCompressionError(.corrupt, message))
                }
            }
        }
        switch result {
        case .failure(let error):
            throw error
        case .success(let trailing) where trailing > 0:
            throw BodyCompressionError(.corrupt, "\(trailing) bytes after the end of the stream")
        case .success:
            return out
        }
    }
}

/// A compressed body that cannot be used: an unsupported encoding, data that is not one complete stream of the
/// format, or more bytes once inflated than the limit.
public struct BodyCompressionError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable { case unsupported, corrupt, tooLarge }

    public let kind: Kind
    public let message: String

    init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
