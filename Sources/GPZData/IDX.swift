import Foundation

/// Reader for the IDX format of MNIST, Fashion-MNIST, KMNIST and EMNIST (raw or gzip-compressed).
///
/// An IDX file is a 4-byte magic number (two zero bytes, an element-type code, the number of dimensions), one
/// big-endian 32-bit size per dimension, and the elements row-major. Only unsigned-byte files (type 0x08) are
/// images or labels. EMNIST stores each image transposed (column-major); `transpose` undoes it.
public enum IDXReader {
    /// Largest side accepted for an image in an IDX header.
    public static let maxSide = Budget.maxSide

    /// Reads an images file: `[N, H, W]` unsigned bytes.
    public static func readImages(path: String, transpose: Bool = false) throws -> ImageSet {
        let src = try ByteSource(path: path)
        let header = try readHeader(src, expectedDims: 3, what: "an IDX images file")
        let (n, h, w) = (header[0], header[1], header[2])
        try DataError.check(h > 0 && w > 0 && h <= maxSide && w <= maxSide, .absurdHeader, file: src.name,
                            "header says \(n) images of \(h)×\(w), expected sides 1–\(maxSide)")
        // A raw file that is too short is truncated (reported with the byte counts); a gzip file claiming more
        // than deflate's 1032:1 ratio allows cannot be right whatever follows.
        guard let bytes = checkedProduct([n, h, w]), src.remainingRaw != nil || bytes <= src.maximumPayload else {
            throw DataError(.absurdHeader, file: src.name,
                            "header says \(n) images of \(h)×\(w), more than a \(src.fileSize)-byte gzip file can hold")
        }
        let pixels = try readPayload(src, bytes: bytes) { "header says \(n) images of \(h)×\(w) (\(bytes) bytes)" }
        var set = ImageSet(channels: 1, height: h, width: w, pixels: pixels, labels: [Int](repeating: 0, count: n))
        if transpose { set = Transforms.transposed(set) }
        return set
    }

    /// Reads a labels file: `[N]` unsigned bytes.
    public static func readLabels(path: String) throws -> [Int] {
        let src = try ByteSource(path: path)
        let header = try readHeader(src, expectedDims: 1, what: "an IDX labels file")
        let n = header[0]
        try DataError.check(src.remainingRaw != nil || n <= src.maximumPayload, .absurdHeader, file: src.name,
                            "header says \(n) labels, more than a \(src.fileSize)-byte gzip file can hold")
        let bytes = try readPayload(src, bytes: n) { "header says \(n) labels (\(n) bytes)" }
        return bytes.map(Int.init)
    }

    /// Images and labels of one split, checked against each other.
    public static func read(images: String, labels: String, transpose: Bool = false) throws -> ImageSet {
        let set = try readImages(path: images, transpose: transpose)
        let l = try readLabels(path: labels)
        try DataError.check(l.count == set.count, .countMismatch, file: displayName(labels),
                            "has \(l.count) labels, but \(displayName(images)) has \(set.count) images")
        return ImageSet(channels: 1, height: set.height, width: set.width, pixels: set.pixels, labels: l)
    }

    private static func readHeader(_ src: ByteSource, expectedDims: Int, what: String) throws -> [Int] {
        let expectedMagic = 0x0000_0800 | UInt32(expectedDims)
        let magicBytes = try src.read(4)
        guard magicBytes.count == 4 else {
            throw DataError(.truncated, file: src.name, "\(magicBytes.count) bytes, expected a 4-byte IDX magic number")
        }
        let magic = bigEndianUInt32(magicBytes, 0)
        guard magic == expectedMagic else {
            var detail = "expected 0x\(hex32(expectedMagic)) (\(what): unsigned bytes, \(expectedDims) "
                + "dimension\(expectedDims == 1 ? "" : "s")), found 0x\(hex32(magic))"
            if magic >> 16 == 0, magic & 0xff00 == 0x0800 {
                detail += " (\(magic & 0xff)-dimensional: images and labels swapped?)"
            } else if magic >> 16 == 0, [0x09, 0x0b, 0x0c, 0x0d, 0x0e].contains((magic >> 8) & 0xff) {
                detail += " (element type 0x\(String((magic >> 8) & 0xff, radix: 16)) is not unsigned bytes)"
            }
            throw DataError(.wrongMagic, file: src.name, detail)
        }
        let sizeBytes = try src.read(4 * expectedDims)
        guard sizeBytes.count == 4 * expectedDims else {
            throw DataError(.truncated, file: src.name, "header ends after \(4 + sizeBytes.count) bytes, expected \(4 + 4 * expectedDims)")
        }
        return (0 ..< expectedDims).map { Int(bigEndianUInt32(sizeBytes, 4 * $0)) }
    }

    /// Reads exactly `bytes` payload bytes; truncated or trailing data is an error.
    private static func readPayload(_ src: ByteSource, bytes: Int, claim: () -> String) throws -> [UInt8] {
        if let left = src.remainingRaw, left < bytes {
            throw DataError(.truncated, file: src.name, "\(claim()), file has \(left)")
        }
        try Budget.bytes([bytes], claim(), file: src.name)
        var out: [UInt8] = []
        try src.read(bytes, into: &out)
        guard out.count == bytes else {
            throw DataError(.truncated, file: src.name, "\(claim()), file has \(out.count)")
        }
        guard try src.atEnd() else {
            throw DataError(.trailingData, file: src.name, "\(claim()), file has more")
        }
        return out
    }

    private static func hex32(_ v: UInt32) -> String {
        let s = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 8 - s.count)) + s
    }

    /// The IDX files of a folder: train and test (`t10k`/`test`) images and labels, raw or `.gz`. With several
    /// candidates (EMNIST ships one pair per split: `emnist-letters-…`, `emnist-digits-…`) `prefix` picks one.
    public static func locate(folder: String, prefix: String?) throws -> (train: (String, String), test: (String, String)?) {
        let name = displayName(folder)
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDir) else {
            throw DataError(.missing, file: name, "no such folder (\(folder))")
        }
        guard isDir.boolValue else {
            throw DataError(.wrongFormat, file: name, "is a file, expected a folder of IDX files (train-images-idx3-ubyte[.gz], …)")
        }
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { !$0.hasPrefix(".") && (prefix.map($0.hasPrefix) ?? true) }.sorted()
        func pick(_ kind: String, _ split: [String]) throws -> String? {
            let matches = files.filter { f in
                let l = f.lowercased()
                return l.contains(kind) && split.contains { l.contains($0) }
            }
            // The same file raw and gzipped: prefer the raw one.
            let unique = matches.filter { m in !(m.hasSuffix(".gz") && matches.contains(String(m.dropLast(3)))) }
            guard unique.count <= 1 else {
                throw DataError(.badOption, file: name,
                                "\(unique.count) files look like \(split[0]) \(kind) (\(unique.joined(separator: ", "))); choose with prefix=")
            }
            return unique.first.map { folder + "/" + $0 }
        }
        guard let trainImages = try pick("images", ["train"]), let trainLabels = try pick("labels", ["train"]) else {
            throw DataError(.missing, file: name, "no train-images-idx3-ubyte[.gz] and train-labels-idx1-ubyte[.gz] here")
        }
        let testImages = try pick("images", ["t10k", "test"]), testLabels = try pick("labels", ["t10k", "test"])
        if (testImages == nil) != (testLabels == nil) {
            throw DataError(.missing, file: name, "test \(testImages == nil ? "images" : "labels") file missing (found only the \(testImages == nil ? "labels" : "images"))")
        }
        let test = testImages.flatMap { i in testLabels.map { (i, $0) } }
        return ((trainImages, trainLabels), test)
    }

    /// Loads a folder of IDX files as a data set.
    public static func loadFolder(_ folder: String, spec: String, prefix: String? = nil, transpose: Bool? = nil,
                                  classNames: [String]? = nil, classes: Int? = nil) throws -> Dataset {
        let found = try locate(folder: folder, prefix: prefix)
        let emnist = (folder + (prefix ?? "")).lowercased().contains("emnist")
        let flip = transpose ?? emnist
        let train = try read(images: found.train.0, labels: found.train.1, transpose: flip)
        let test = try found.test.map { try read(images: $0.0, labels: $0.1, transpose: flip) }
            ?? .empty(channels: 1, height: train.height, width: train.width)
        try DataError.check(test.isEmpty || test.shape == train.shape, .mixedSizes, file: displayName(found.test?.0 ?? ""),
                            "test images are \(dims(test.shape)), train images are \(dims(train.shape))")
        let names = try resolveClasses(train: train, trainFile: found.train.1, test: test, testFile: found.test?.1,
                                       classNames: classNames, classes: classes)
        var notes: [String] = []
        if flip { notes.append("images transposed (EMNIST stores them column-major)") }
        if found.test == nil { notes.append("no test split in the folder") }
        let files = [found.train.0, found.train.1] + (found.test.map { [$0.0, $0.1] } ?? [])
        return try Dataset(name: spec, format: "idx", train: train, test: test, classNames: names, files: files, notes: notes,
                           labelsFile: displayName(found.train.1))
    }
}

/// Class names for a data set whose labels are plain integers: given names or count, else max train label + 1;
/// a test label outside the training classes is an error naming the file.
func resolveClasses(train: ImageSet, trainFile: String, test: ImageSet, testFile: String?,
                    classNames: [String]?, classes: Int?) throws -> [String] {
    let count = classNames?.count ?? classes ?? ((train.labels.max() ?? 0) + 1)
    try Budget.check(count, atMost: Budget.maxClasses, "the class count", file: displayName(trainFile))
    for (isTest, set, file) in [(false, train, trainFile), (true, test, testFile ?? trainFile)] {
        if let bad = set.labels.firstIndex(where: { $0 < 0 || $0 >= count }) {
            throw DataError(.labelOutOfRange, file: displayName(file),
                            "label \(set.labels[bad]) at index \(bad), expected 0–\(count - 1)"
                                + (classNames == nil && classes == nil && isTest ? " (the classes of the train split)" : ""))
        }
    }
    return classNames ?? Dataset.numberedClasses(count)
}
