import GPZConfig
import Foundation
import ZIPFoundation

/// One NumPy array as stored in a `.npy` file: dtype, shape and the raw little- or big-endian bytes.
public struct NPYArray: Sendable, Equatable {
    /// NumPy's type string, e.g. `|u1`, `<f4`, `<i8`.
    public var descr: String
    public var shape: [Int]
    public var data: [UInt8]

    public init(descr: String, shape: [Int], data: [UInt8]) {
        self.descr = descr
        self.shape = shape
        self.data = data
    }

    public init(uint8 values: [UInt8], shape: [Int]) { self.init(descr: "|u1", shape: shape, data: values) }

    public init(int64 values: [Int], shape: [Int]) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(values.count * 8)
        for v in values { withUnsafeBytes(of: Int64(v).littleEndian) { bytes.append(contentsOf: $0) } }
        self.init(descr: "<i8", shape: shape, data: bytes)
    }

    public init(float32 values: [Float], shape: [Int]) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(values.count * 4)
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        self.init(descr: "<f4", shape: shape, data: bytes)
    }

    public var count: Int { shape.reduce(1, *) }
}

/// NumPy `.npy` and `.npz` (a zip of `.npy` files) reading and writing.
///
/// Image arrays are `(N, H, W)` (grayscale), `(N, H, W, C)` or `(N, C, H, W)` with C = 1 or 3; unsigned bytes, or
/// integers in 0–255, or floats in [0, 1] (scaled by 255) or [0, 255]. Label arrays are integers (or integral
/// floats) of shape `(N,)` or `(N, 1)`.
public enum NumPy {
    static let magic: [UInt8] = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]   // \x93NUMPY

    // MARK: Parsing

    /// Element size and kind of a supported dtype.
    static func dtypeInfo(_ descr: String, file: String) throws -> (size: Int, kind: Character, bigEndian: Bool) {
        let chars = Array(descr)
        guard chars.count >= 3, "<>|=".contains(chars[0]), let size = Int(String(chars[2...])),
              "uifb".contains(chars[1]), [1, 2, 4, 8].contains(size), chars[1] != "f" || size >= 4 else {
            throw DataError(.wrongFormat, file: file, "dtype '\(descr)' is not supported, expected unsigned/signed integers, floats or bools")
        }
        return (size, chars[1], chars[0] == ">")
    }

    /// The header dict of a `.npy` from its first bytes: (descr, shape, header length in bytes), or nil when more
    /// bytes are needed.
    static func parseHeader(_ bytes: [UInt8], file: String) throws -> (descr: String, shape: [Int], headerLength: Int)? {
        if bytes.count < 10 { return nil }
        guard bytes[0 ..< 6].elementsEqual(magic) else {
            throw DataError(.wrongMagic, file: file, "expected a NumPy array (\\x93NUMPY), found \(bytes.prefix(6).map { Digest.hex($0) }.joined(separator: " "))")
        }
        let major = bytes[6]
        let prefix: Int, length: Int
        switch major {
        case 1: prefix = 10; length = Int(bytes[8]) | Int(bytes[9]) << 8
        case 2, 3:
            if bytes.count < 12 { return nil }
            prefix = 12; length = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
        default: throw DataError(.wrongFormat, file: file, ".npy format version \(major) is not supported (expected 1–3)")
        }
        guard length <= 1 << 20 else { throw DataError(.absurdHeader, file: file, ".npy header of \(length) bytes, expected at most 1 MiB") }
        if bytes.count < prefix + length { return nil }
        let text = String(decoding: bytes[prefix ..< prefix + length], as: UTF8.self)
        func value(_ key: String) -> Substring? {
            guard let r = text.range(of: "'\(key)':") ?? text.range(of: "\"\(key)\":") else { return nil }
            return text[r.upperBound...].drop { $0 == " " }
        }
        guard let d = value("descr"), let q = d.first, q == "'" || q == "\"",
              let close = d.dropFirst().firstIndex(of: q) else {
            throw DataError(.wrongFormat, file: file, ".npy header has no 'descr': \(text.prefix(80))")
        }
        let descr = String(d[d.index(after: d.startIndex) ..< close])
        if let f = value("fortran_order"), f.hasPrefix("True") {
            throw DataError(.wrongFormat, file: file, "Fortran-ordered arrays are not supported (save with C order)")
        }
        guard let s = value("shape"), s.first == "(", let end = s.firstIndex(of: ")") else {
            throw DataError(.wrongFormat, file: file, ".npy header has no 'shape': \(text.prefix(80))")
        }
        var shape: [Int] = []
        for part in s[s.index(after: s.startIndex) ..< end].split(separator: ",") {
            let t = part.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "L", with: "")
            if t.isEmpty { continue }
            guard let v = Int(t), v >= 0 else {
                throw DataError(.absurdHeader, file: file, ".npy shape entry '\(t)' is not a size")
            }
            shape.append(v)
        }
        return (descr, shape, prefix + length)
    }

    /// Reads one array from a stream of chunks, checking the header's size against `available` (the most bytes
    /// the container can hold) before keeping any data.
    final class Collector {
        let file: String
        let available: Int
        /// True when `available` is the exact size present (a raw file), so a larger claim means truncation.
        let exact: Bool
        var bytes: [UInt8] = []
        var header: (descr: String, shape: [Int], headerLength: Int)?
        var expected = -1

        init(file: String, available: Int, exact: Bool = false) {
            self.file = file
            self.available = available
            self.exact = exact
        }

        func consume(_ chunk: Data) throws {
            bytes.append(contentsOf: chunk)
            if header == nil, let h = try NumPy.parseHeader(bytes, file: file) {
                header = h
                let info = try NumPy.dtypeInfo(h.descr, file: file)
                let shapeText = "(\(h.shape.map(String.init).joined(separator: ", ")))"
                if exact, let n = checkedProduct(h.shape + [info.size]), n > available - h.headerLength {
                    throw DataError(.truncated, file: file,
                                    "header says shape \(shapeText) of \(h.descr) (\(n) bytes), file has \(available - h.headerLength)")
                }
                guard let n = checkedProduct(h.shape + [info.size]), case let (total, false) = n.addingReportingOverflow(h.headerLength),
                      total <= available else {
                    throw DataError(.absurdHeader, file: file,
                                    "header says shape (\(h.shape.map(String.init).joined(separator: ", "))) of \(h.descr), more than the \(available) bytes stored")
                }
                try Budget.bytes([n], "header's shape \(shapeText) of \(h.descr)", file: file)
                expected = total
            }
            if expected >= 0 && bytes.count > expected {
                throw DataError(.trailingData, file: file, "\(bytes.count - (header?.headerLength ?? 0)) data bytes, header says \(expected - (header?.headerLength ?? 0))")
            }
        }

        func finish() throws -> NPYArray {
            guard let h = header else {
                throw DataError(.truncated, file: file, "\(bytes.count) bytes, expected a complete .npy header")
            }
            guard bytes.count == expected else {
                throw DataError(.truncated, file: file,
                                "header says shape (\(h.shape.map(String.init).joined(separator: ", "))) of \(h.descr) (\(expected - h.headerLength) bytes), file has \(bytes.count - h.headerLength)")
            }
            return NPYArray(descr: h.descr, shape: h.shape, data: Array(bytes[h.headerLength...]))
        }
    }

    /// Reads a `.npy` file.
    public static func readNPY(path: String) throws -> NPYArray {
        let src = try ByteSource(path: path)
        let c = Collector(file: src.name, available: src.maximumPayload, exact: !src.isGzip)
        while true {
            let chunk = try src.read(1 << 22)
            if chunk.isEmpty { break }
            try c.consume(Data(chunk))
        }
        let array = try c.finish()
        try src.checkComplete()
        return array
    }

    /// Reads the arrays named `keys` (without `.npy`) from a `.npz`; names not in the archive are left out.
    public static func readNPZ(path: String, keys: [String]) throws -> [String: NPYArray] {
        let name = displayName(path)
        let src = try ByteSource(path: path)   // missing / empty / folder checks
        let head = try src.read(4)
        guard head == [0x50, 0x4b, 0x03, 0x04] else {
            throw DataError(.wrongMagic, file: name, "expected a .npz (zip, PK\\x03\\x04), found \(head.map { Digest.hex($0) }.joined(separator: " "))")
        }
        let archive: Archive
        do {
            archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        } catch {
            throw DataError(.truncated, file: name, "not a readable zip archive (\(error)); truncated?")
        }
        var out: [String: NPYArray] = [:]
        for key in keys {
            guard let entry = archive[key + ".npy"] ?? archive[key] else { continue }
            let entryName = "\(name)/\(key).npy"
            let stored = Int(clamping: entry.compressedSize)
            let claimed = Int(clamping: entry.uncompressedSize)
            try DataError.check(stored <= src.fileSize, .truncated, file: entryName,
                                "zip directory says \(stored) compressed bytes, the archive has \(src.fileSize)")
            let c = Collector(file: entryName, available: min(claimed, stored.multipliedReportingOverflow(by: 1032).partialValue))
            do {
                // The consumer form returns the CRC-32 of what it extracted without comparing it: compare here.
                let crc = try archive.extract(entry, bufferSize: 1 << 20, skipCRC32: false) { try c.consume($0) }
                guard crc == entry.checksum else {
                    throw DataError(.wrongFormat, file: entryName, "CRC-32 of the data is \(String(crc, radix: 16)), "
                                    + "the zip directory says \(String(entry.checksum, radix: 16)): the archive is corrupt")
                }
            } catch let e as DataError {
                throw e
            } catch {
                throw DataError(.truncated, file: entryName, "cannot extract from the zip (\(error)); truncated or corrupt?")
            }
            out[key] = try c.finish()
        }
        return out
    }

    /// The entry names (without `.npy`) of a `.npz`.
    public static func npzKeys(path: String) throws -> [String] {
        guard let archive = try? Archive(url: URL(fileURLWithPath: path), accessMode: .read, pathEncoding: nil) else { return [] }
        return archive.map { $0.path.hasSuffix(".npy") ? String($0.path.dropLast(4)) : $0.path }
    }

    // MARK: Writing

    /// `.npy` bytes (format 1.0) of an array.
    public static func encodeNPY(_ array: NPYArray) -> [UInt8] {
        let shapeText = array.shape.count == 1 ? "(\(array.shape[0]),)" : "(\(array.shape.map(String.init).joined(separator: ", ")))"
        var header = "{'descr': '\(array.descr)', 'fortran_order': False, 'shape': \(shapeText), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        let length = header.utf8.count
        return magic + [1, 0, UInt8(length & 0xff), UInt8(length >> 8)] + Array(header.utf8) + array.data
    }

    /// Writes a `.npz` (deflated unless `compressed` is false) holding `arrays`.
    public static func writeNPZ(_ arrays: [(String, NPYArray)], to path: String, compressed: Bool = true) throws {
        let url = URL(fileURLWithPath: path)
        try? FileManager.default.removeItem(at: url)
        let archive = try Archive(url: url, accessMode: .create)
        for (key, array) in arrays {
            let bytes = Data(encodeNPY(array))
            try archive.addEntry(with: key + ".npy", type: .file, uncompressedSize: Int64(bytes.count),
                                 compressionMethod: compressed ? .deflate : .none) { position, size in
                bytes.subdata(in: Int(position) ..< min(Int(position) + size, bytes.count))
            }
        }
    }

    // MARK: Conversion to images and labels

    /// Element `i` as a Double.
    static func element(_ a: NPYArray, _ i: Int, _ info: (size: Int, kind: Character, bigEndian: Bool)) -> Double {
        var raw: UInt64 = 0
        let base = i * info.size
        for k in 0 ..< info.size {
            let b = UInt64(a.data[base + (info.bigEndian ? info.size - 1 - k : k)])
            raw |= b << UInt64(8 * k)
        }
        switch (info.kind, info.size) {
        case ("f", 4): return Double(Float(bitPattern: UInt32(truncatingIfNeeded: raw)))
        case ("f", 8): return Double(bitPattern: raw)
        case ("i", _):
            let shift = UInt64(64 - 8 * info.size)
            return Double(Int64(bitPattern: raw << shift) >> Int64(shift))
        default: return Double(raw)
        }
    }

    /// An image array as an `ImageSet` (labels zero; see `labels(_:file:)`).
    public static func images(_ a: NPYArray, file: String) throws -> ImageSet {
        let s = a.shape
        let n: Int, c: Int, h: Int, w: Int, channelsLast: Bool
        switch s.count {
        case 3: (n, c, h, w, channelsLast) = (s[0], 1, s[1], s[2], false)
        case 4 where s[3] == 1 || s[3] == 3: (n, c, h, w, channelsLast) = (s[0], s[3], s[1], s[2], true)
        case 4 where s[1] == 1 || s[1] == 3: (n, c, h, w, channelsLast) = (s[0], s[1], s[2], s[3], false)
        default:
            throw DataError(.wrongFormat, file: file,
                            "image array of shape (\(s.map(String.init).joined(separator: ", "))), expected (N, H, W), (N, H, W, C) or (N, C, H, W) with C = 1 or 3")
        }
        try DataError.check(h > 0 && w > 0 && h <= ImageCodec.maxSide && w <= ImageCodec.maxSide, .absurdHeader,
                            file: file, "images of \(h)×\(w), expected sides 1–\(ImageCodec.maxSide)")
        let info = try dtypeInfo(a.descr, file: file)
        let total = n * c * h * w
        var values = [UInt8](repeating: 0, count: total)
        if a.descr.hasSuffix("u1") {
            values = a.data
        } else {
            var doubles = [Double](repeating: 0, count: total)
            var lo = Double.infinity, hi = -Double.infinity
            for i in 0 ..< total {
                let v = element(a, i, info)
                guard v.isFinite else { throw DataError(.badValue, file: file, "pixel \(i) is \(v)") }
                doubles[i] = v
                lo = min(lo, v); hi = max(hi, v)
            }
            guard lo >= 0 && hi <= 255 else {
                throw DataError(.badValue, file: file, "pixel values span \(lo)…\(hi), expected 0–255 or 0–1")
            }
            let scale = info.kind == "f" && hi <= 1 ? 255.0 : 1.0
            for i in 0 ..< total { values[i] = UInt8((doubles[i] * scale).rounded()) }
        }
        if channelsLast && c > 1 {
            var chw = [UInt8](repeating: 0, count: total)
            let size = c * h * w
            for i in 0 ..< n {
                let one = ImageCodec.hwcToCHW(Array(values[i * size ..< (i + 1) * size]), channels: c, height: h, width: w)
                chw.replaceSubrange(i * size ..< (i + 1) * size, with: one)
            }
            values = chw
        }
        return ImageSet(channels: c, height: h, width: w, pixels: values, labels: [Int](repeating: 0, count: n))
    }

    /// A label array as integers.
    public static func labels(_ a: NPYArray, file: String) throws -> [Int] {
        guard a.shape.count == 1 || (a.shape.count == 2 && a.shape[1] == 1) else {
            throw DataError(.wrongFormat, file: file, "label array of shape (\(a.shape.map(String.init).joined(separator: ", "))), expected (N,) or (N, 1)")
        }
        let info = try dtypeInfo(a.descr, file: file)
        return try (0 ..< a.shape[0]).map { i in
            let v = element(a, i, info)
            guard v.isFinite, v == v.rounded(), v >= 0, v < 1_000_000 else {
                throw DataError(.labelOutOfRange, file: file, "label \(v) at index \(i), expected a non-negative integer")
            }
            return Int(v)
        }
    }

    /// Default key pairs (images, labels) tried for each split.
    public static let defaultKeys: [String: [(String, String)]] = [
        "train": [("train_data", "train_labels"), ("x_train", "y_train"), ("train_images", "train_labels"), ("X_train", "y_train")],
        "test": [("test_data", "test_labels"), ("x_test", "y_test"), ("test_images", "test_labels"), ("X_test", "y_test")],
        "aux": [("auxiliary_data", "auxiliary_labels"), ("aux_data", "aux_labels"), ("x_aux", "y_aux")],
    ]

    /// Loads a `.npz` (or a folder of `.npy` files) with train / test / auxiliary arrays. `keys` overrides the
    /// array names per split: `["train": ("train_data", "train_labels"), …]`.
    public static func load(path: String, spec: String, keys: [String: (String, String)] = [:],
                            classes: Int? = nil, classNames: [String]? = nil) throws -> Dataset {
        var isDir: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDir)
        let name = displayName(path)
        guard exists else { throw DataError(.missing, file: name, "no such file (\(path))") }
        var candidates: [String: [(String, String)]] = [:]
        for split in ["train", "test", "aux"] { candidates[split] = keys[split].map { [$0] } ?? defaultKeys[split]! }
        // Ordered and without repeats, so the first error reported is always the same one.
        var wanted: [String] = []
        for split in ["train", "test", "aux"] {
            for key in candidates[split]!.flatMap({ [$0.0, $0.1] }) where !wanted.contains(key) { wanted.append(key) }
        }
        var arrays: [String: NPYArray] = [:]
        var files: [String] = []
        if isDir.boolValue {
            for key in wanted where FileManager.default.fileExists(atPath: "\(path)/\(key).npy") {
                arrays[key] = try readNPY(path: "\(path)/\(key).npy")
                files.append("\(path)/\(key).npy")
            }
        } else {
            arrays = try readNPZ(path: path, keys: wanted)
            files = [path]
        }
        func split(_ s: String) throws -> ImageSet? {
            for (ik, lk) in candidates[s]! {
                guard let img = arrays[ik] else { continue }
                guard let lab = arrays[lk] else {
                    throw DataError(.missing, file: name, "has '\(ik)' but no '\(lk)' labels")
                }
                let set = try images(img, file: "\(name)/\(ik)")
                let l = try labels(lab, file: "\(name)/\(lk)")
                try DataError.check(l.count == set.count, .countMismatch, file: "\(name)/\(lk)",
                                    "\(l.count) labels, but '\(ik)' has \(set.count) images")
                return ImageSet(channels: set.channels, height: set.height, width: set.width, pixels: set.pixels, labels: l)
            }
            return nil
        }
        guard let train = try split("train") else {
            let present = isDir.boolValue ? [] : ((try? npzKeys(path: path)) ?? [])
            throw DataError(.missing, file: name,
                            "no training arrays: expected \(candidates["train"]!.map { "\($0.0)/\($0.1)" }.joined(separator: " or "))"
                                + (present.isEmpty ? "" : "; it has \(present.joined(separator: ", ")) (choose with train=KEY,train_labels=KEY)"))
        }
        let test = try split("test") ?? .empty(channels: train.channels, height: train.height, width: train.width)
        let aux = try split("aux")
        for (label, set) in [("test", test), ("auxiliary", aux ?? test)] where !set.isEmpty && set.shape != train.shape {
            throw DataError(.mixedSizes, file: name, "\(label) images are \(dims(set.shape)), train images are \(dims(train.shape))")
        }
        let count = classNames?.count ?? classes ?? ((train.labels.max() ?? 0) + 1)
        try Budget.check(count, atMost: Budget.maxClasses, "the class count", file: name)
        for (label, set) in [("test", test), ("auxiliary", aux ?? test)] {
            if let bad = set.labels.firstIndex(where: { $0 >= count }) {
                throw DataError(.labelOutOfRange, file: name, "\(label) label \(set.labels[bad]) at index \(bad), expected 0–\(count - 1)")
            }
        }
        if let bad = train.labels.firstIndex(where: { $0 >= count }) {
            throw DataError(.labelOutOfRange, file: name, "train label \(train.labels[bad]) at index \(bad), expected 0–\(count - 1)")
        }
        var notes: [String] = []
        if test.isEmpty { notes.append("no test arrays") }
        if aux != nil { notes.append("ships an auxiliary split (use --aux given to attack with it)") }
        return try Dataset(name: spec, format: "npz", train: train, test: test, auxiliary: aux,
                           classNames: classNames ?? Dataset.numberedClasses(count), files: files, notes: notes,
                           labelsFile: name)
    }
}
