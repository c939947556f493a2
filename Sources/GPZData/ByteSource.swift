import CGzip
import Foundation

/// Sequential reader of a file's bytes, transparently gunzipping when the file starts with the gzip magic.
///
/// Readers ask for the header first, check it, and only then ask for the payload; `read(_:)` grows its result
/// with the data actually present, so a header that claims gigabytes costs no memory unless the gigabytes are
/// really there.
final class ByteSource {
    let path: String
    let name: String
    /// Size of the file on disk (compressed size for gzip files).
    let fileSize: Int
    let isGzip: Bool
    private var file: UnsafeMutablePointer<FILE>?
    private var stream = z_stream()
    private var streamReady = false
    private var streamEnded = false
    /// True between a gzip member's first input and its end marker: end of file there means truncation.
    private var insideMember = false
    /// Where the gzip data ended inside a member (before its end marker and CRC), if it did.
    private var cutAfter: Int?
    private let inCapacity = 1 << 16
    private let inBuffer = UnsafeMutablePointer<UInt8>.allocate(capacity: 1 << 16)
    private let scratchSize = 1 << 20
    private let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: 1 << 20)
    /// Bytes handed out so far (decompressed bytes for gzip files).
    private(set) var position = 0

    /// Opens `path`; throws `missing` for a missing path or a folder, `emptyFile` for a zero-length file.
    init(path: String, name: String? = nil) throws {
        self.path = path
        self.name = name ?? displayName(path)
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw DataError(.missing, file: self.name, "no such file (\(path))")
        }
        guard !isDir.boolValue else { throw DataError(.wrongFormat, file: self.name, "is a folder, expected a file") }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
        fileSize = size
        guard size > 0 else { throw DataError(.emptyFile, file: self.name, "zero-length file, expected data") }
        guard let f = fopen(path, "rb") else {
            throw DataError(.missing, file: self.name, "cannot open: \(String(cString: strerror(errno)))")
        }
        file = f
        var magic = [UInt8](repeating: 0, count: 2)
        let got = fread(&magic, 1, 2, f)
        isGzip = got == 2 && magic[0] == 0x1f && magic[1] == 0x8b
        rewind(f)
        if isGzip {
            // 15 + 16: a gzip wrapper only (not raw zlib), full window.
            let status = inflateInit2_(&stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
            guard status == Z_OK else { throw DataError(.wrongFormat, file: self.name, "zlib init failed (\(status))") }
            streamReady = true
        }
    }

    deinit {
        if streamReady { inflateEnd(&stream) }
        if let file { fclose(file) }
        inBuffer.deallocate()
        scratch.deallocate()
    }

    /// The most bytes the file can possibly yield: its size, or for gzip the deflate format's limit of 1032:1.
    var maximumPayload: Int {
        isGzip ? fileSize.multipliedReportingOverflow(by: 1032).partialValue : fileSize
    }

    /// Bytes left for a raw file; nil for gzip (unknown until decompressed).
    var remainingRaw: Int? { isGzip ? nil : fileSize - position }

    /// Up to `count` next bytes; fewer only at the end of the data. Throws on a corrupt gzip stream.
    func read(_ count: Int) throws -> [UInt8] {
        var out: [UInt8] = []
        try read(count, into: &out)
        return out
    }

    /// Appends up to `count` next bytes to `out`, through a fixed 1 MiB scratch buffer, so memory follows the data
    /// actually present rather than what a header claims.
    func read(_ count: Int, into out: inout [UInt8]) throws {
        guard count > 0, file != nil else { return }
        if let left = remainingRaw {
            out.reserveCapacity(out.count + min(count, max(left, 0)))
        } else {
            // Expect a modest compression ratio; growth handles the rest.
            out.reserveCapacity(out.count + min(count, fileSize.multipliedReportingOverflow(by: 8).partialValue))
        }
        var remaining = count
        while remaining > 0 {
            let n = min(remaining, scratchSize)
            let got = isGzip ? try inflate(into: scratch, n) : fread(scratch, 1, n, file)
            if got == 0 { break }
            out.append(contentsOf: UnsafeBufferPointer(start: scratch, count: got))
            position += got
            remaining -= got
        }
    }

    /// Decompresses up to `n` bytes into `buffer`; fewer only at the end of the data.
    private func inflate(into buffer: UnsafeMutablePointer<UInt8>, _ n: Int) throws -> Int {
        guard let file, !streamEnded else { return 0 }
        stream.next_out = buffer
        stream.avail_out = UInt32(n)
        while stream.avail_out > 0 {
            if stream.avail_in == 0 {
                let got = fread(inBuffer, 1, inCapacity, file)
                if got == 0 {
                    streamEnded = true
                    if insideMember { cutAfter = position + n - Int(stream.avail_out) }
                    break
                }
                stream.next_in = inBuffer
                stream.avail_in = UInt32(got)
            }
            insideMember = true
            let status = CGzip.inflate(&stream, Z_NO_FLUSH)
            if status == Z_STREAM_END {
                // Concatenated gzip members are valid gzip: go on with the next one, if any.
                insideMember = false
                inflateReset(&stream)
                continue
            }
            if status != Z_OK && status != Z_BUF_ERROR {
                let msg = stream.msg.map { String(cString: $0) } ?? "zlib status \(status)"
                throw DataError(.wrongFormat, file: name,
                                "corrupt gzip data after \(position + n - Int(stream.avail_out)) bytes: \(msg)")
            }
        }
        return n - Int(stream.avail_out)
    }

    /// Reads everything that is left, failing past `limit` bytes or on a cut gzip stream.
    func readAll(limit: Int = Budget.maxBytes) throws -> [UInt8] {
        var out: [UInt8] = []
        try read(limit, into: &out)
        if try !read(1).isEmpty {
            throw DataError(.absurdHeader, file: name, "more than \(limit) bytes of data, refusing to load")
        }
        try checkComplete()
        return out
    }

    /// True when no byte is left; throws when the data ended inside a gzip member.
    func atEnd() throws -> Bool {
        guard try read(1).isEmpty else { return false }
        try checkComplete()
        return true
    }

    /// Throws `truncated` when the gzip data ended before a member's end marker: a stream cut at a row boundary
    /// decompresses cleanly up to the cut, so only the missing marker (and CRC) tells that data is lost. Readers
    /// call it once they have what their header promised (`readAll` and `atEnd` do).
    func checkComplete() throws {
        if let cutAfter {
            throw DataError(.truncated, file: name, "gzip data ends after \(cutAfter) bytes without its end marker")
        }
    }
}

/// Big-endian 32-bit value at `offset` of `bytes`.
@inline(__always)
func bigEndianUInt32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
    UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
}

/// gzip compression and CRC-32 through zlib, for writing fixtures and exports.
public enum Gzip {
    /// gzip bytes of `bytes` (level 6).
    public static func compress(_ bytes: [UInt8], level: Int32 = 6) -> [UInt8] {
        var stream = z_stream()
        // 15 + 16: gzip wrapper.
        guard deflateInit2_(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
                            Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return [] }
        defer { deflateEnd(&stream) }
        var out = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(bytes.count))) + 32)
        var input = bytes
        let produced = input.withUnsafeMutableBufferPointer { inb in
            out.withUnsafeMutableBufferPointer { outb -> Int in
                stream.next_in = inb.baseAddress
                stream.avail_in = UInt32(inb.count)
                stream.next_out = outb.baseAddress
                stream.avail_out = UInt32(outb.count)
                _ = deflate(&stream, Z_FINISH)
                return outb.count - Int(stream.avail_out)
            }
        }
        return Array(out.prefix(produced))
    }

    /// CRC-32 (as in PNG chunks and zip entries).
    public static func crc32(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { UInt32(CGzip.crc32(0, $0.baseAddress, UInt32($0.count))) }
    }
}
