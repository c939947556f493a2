import Foundation

/// Reader for the CIFAR-10 and CIFAR-100 binary versions (`cifar-10-batches-bin/`, `cifar-100-binary/`).
///
/// CIFAR-10 records are 1 label byte + 3072 pixel bytes (3×32×32, channel-major); files `data_batch_1.bin` …
/// `data_batch_5.bin` (train) and `test_batch.bin`. CIFAR-100 records are 2 label bytes (coarse, fine) + 3072;
/// files `train.bin` and `test.bin`. The files have no header, so the checks are on the size (a whole number
/// of records) and on the labels.
public enum CIFARReader {
    public enum Variant: String, Sendable {
        case cifar10, cifar100Fine, cifar100Coarse

        var labelBytes: Int { self == .cifar10 ? 1 : 2 }
        var recordSize: Int { labelBytes + 3072 }
        var classes: Int { switch self { case .cifar10: 10; case .cifar100Fine: 100; case .cifar100Coarse: 20 } }
    }

    /// Reads one batch file.
    public static func readBatch(path: String, variant: Variant) throws -> ImageSet {
        let src = try ByteSource(path: path)
        if src.isGzip {
            throw DataError(.wrongFormat, file: src.name,
                            "gzip data, expected an extracted CIFAR binary batch (unpack the .tar.gz first)")
        }
        let size = src.fileSize
        let record = variant.recordSize
        guard size % record == 0 else {
            let kind = variant == .cifar10 ? "CIFAR-10" : "CIFAR-100"
            var detail = "\(size) bytes is not a whole number of \(record)-byte \(kind) records "
                + "(\(variant.labelBytes) label byte\(variant.labelBytes == 1 ? "" : "s") + 3×32×32 pixels): "
                + "\(size / record) records and \(size % record) bytes left over"
            if size % Variant.cifar10.recordSize == 0 && variant != .cifar10 { detail += " (a CIFAR-10 file?)" }
            if size % Variant.cifar100Fine.recordSize == 0 && variant == .cifar10 { detail += " (a CIFAR-100 file?)" }
            throw DataError(.truncated, file: src.name, detail)
        }
        try Budget.bytes([size], "\(size / record) records", file: src.name)
        let bytes = try src.readAll(limit: size)
        try DataError.check(bytes.count == size, .truncated, file: src.name, "read \(bytes.count) of \(size) bytes")
        let n = size / record
        var pixels = [UInt8](repeating: 0, count: n * 3072)
        var labels = [Int](repeating: 0, count: n)
        let labelOffset = variant == .cifar100Fine ? 1 : 0
        try pixels.withUnsafeMutableBufferPointer { dst in
            try bytes.withUnsafeBufferPointer { src in
                for i in 0 ..< n {
                    let label = Int(src[i * record + labelOffset])
                    guard label < variant.classes else {
                        throw DataError(.labelOutOfRange, file: displayName(path),
                                        "record \(i) has label \(label), expected 0–\(variant.classes - 1)")
                    }
                    labels[i] = label
                    UnsafeMutableRawPointer(dst.baseAddress! + i * 3072)
                        .copyMemory(from: src.baseAddress! + i * record + variant.labelBytes, byteCount: 3072)
                }
            }
        }
        return ImageSet(channels: 3, height: 32, width: 32, pixels: pixels, labels: labels)
    }

    /// Loads a CIFAR binary folder (or its parent). `coarse` picks CIFAR-100's 20 super-classes.
    public static func loadFolder(_ path: String, spec: String, coarse: Bool = false) throws -> Dataset {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: path, isDirectory: &isDir) else {
            throw DataError(.missing, file: displayName(path), "no such folder (\(path))")
        }
        if !isDir.boolValue {
            // A single batch file: all of it is the training split.
            let variant: Variant = displayName(path).hasPrefix("data_batch") || displayName(path).hasPrefix("test_batch")
                ? .cifar10 : (coarse ? .cifar100Coarse : .cifar100Fine)
            let train = try readBatch(path: path, variant: variant)
            return try Dataset(name: spec, format: "cifar", train: train, test: .empty(channels: 3, height: 32, width: 32),
                               classNames: Dataset.numberedClasses(variant.classes), files: [path],
                               notes: ["a single batch file: no test split"])
        }
        var folder = path
        for sub in ["cifar-10-batches-bin", "cifar-100-binary"] where fm.fileExists(atPath: path + "/" + sub) {
            folder = path + "/" + sub
        }
        let files = ((try? fm.contentsOfDirectory(atPath: folder)) ?? []).sorted()
        let trainBatches = files.filter { $0.hasPrefix("data_batch_") && $0.hasSuffix(".bin") }
        if !trainBatches.isEmpty {
            guard files.contains("test_batch.bin") else {
                throw DataError(.missing, file: displayName(folder), "test_batch.bin missing beside \(trainBatches.joined(separator: ", "))")
            }
            var train = try readBatch(path: folder + "/" + trainBatches[0], variant: .cifar10)
            for f in trainBatches.dropFirst() { train = train.appending(try readBatch(path: folder + "/" + f, variant: .cifar10)) }
            let test = try readBatch(path: folder + "/test_batch.bin", variant: .cifar10)
            let names = readNames(folder + "/batches.meta.txt", count: 10)
            return try Dataset(name: spec, format: "cifar", train: train, test: test, classNames: names,
                               files: (trainBatches + ["test_batch.bin"]).map { folder + "/" + $0 })
        }
        if files.contains("train.bin") {
            guard files.contains("test.bin") else {
                throw DataError(.missing, file: displayName(folder), "test.bin missing beside train.bin")
            }
            let variant: Variant = coarse ? .cifar100Coarse : .cifar100Fine
            let train = try readBatch(path: folder + "/train.bin", variant: variant)
            let test = try readBatch(path: folder + "/test.bin", variant: variant)
            let names = readNames(folder + (coarse ? "/coarse_label_names.txt" : "/fine_label_names.txt"), count: variant.classes)
            return try Dataset(name: spec, format: "cifar", train: train, test: test, classNames: names,
                               files: [folder + "/train.bin", folder + "/test.bin"])
        }
        throw DataError(.missing, file: displayName(folder),
                        "no CIFAR batches here: expected data_batch_1.bin … and test_batch.bin (CIFAR-10) or train.bin and test.bin (CIFAR-100)")
    }

    /// Class names from a meta file, one per line; numbers when it is missing or does not have `count` names.
    static func readNames(_ path: String, count: Int) -> [String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return Dataset.numberedClasses(count) }
        let names = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return names.count == count ? names : Dataset.numberedClasses(count)
    }
}
