/// Reader for images stored one per CSV line: a label column and the pixel values (0–255) of one image,
/// row-major (for RGB: channel-major, all red values first). Optionally gzip-compressed; a first line of names
/// is a header and is skipped (see `isHeader`). The label is the first column by default; `labelColumn: .last` reads files such as
/// the MNIST-5k subset, whose label is the last of its 785 columns.
public enum CSVReader {
    public enum LabelColumn: String, Sendable { case first, last }

    /// Reads the file into one split (CSV files have no train/test division).
    public static func read(path: String, labelColumn: LabelColumn = .first, shape: [Int]? = nil,
                            classes: Int? = nil) throws -> ImageSet {
        let src = try ByteSource(path: path)
        let name = src.name
        let bytes = try src.readAll(limit: Budget.maxBytes)
        var pixels: [UInt8] = []
        var labels: [Int] = []
        var columns = -1
        var lineNumber = 0
        var row: [Int] = []
        var start = 0
        try bytes.withUnsafeBufferPointer { buf in
            let n = buf.count
            while start < n {
                var end = start
                while end < n && buf[end] != 0x0a { end += 1 }
                lineNumber += 1
                var lineEnd = end
                if lineEnd > start && buf[lineEnd - 1] == 0x0d { lineEnd -= 1 }
                defer { start = end + 1 }
                if lineEnd == start { continue }   // blank line
                row.removeAll(keepingCapacity: true)
                var field = start
                var col = 0
                // Only the first non-blank line may be a header, and only when every field is a name.
                if labels.isEmpty && columns == -1 && isHeader(buf, start, lineEnd) { columns = -2; continue }
                while field <= lineEnd {
                    var fEnd = field
                    while fEnd < lineEnd && buf[fEnd] != 0x2c { fEnd += 1 }
                    col += 1
                    if let v = parseNumber(buf, field, fEnd) {
                        row.append(v)
                    } else {
                        let text = String(decoding: UnsafeBufferPointer(rebasing: buf[field ..< min(fEnd, field + 20)]), as: UTF8.self)
                            .unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7f ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined()
                        throw DataError(.badValue, file: name, "line \(lineNumber), column \(col): \"\(text)\" is not an integer")
                    }
                    field = fEnd + 1
                }
                if columns < 0 {
                    guard row.count >= 2 else {
                        throw DataError(.wrongFormat, file: name, "line \(lineNumber) has \(row.count) column, expected a label and pixels")
                    }
                    columns = row.count
                    if let shape {
                        guard let need = checkedProduct(shape), need == columns - 1 else {
                            throw DataError(.countMismatch, file: name, "\(columns - 1) pixel columns, shape \(dims(shape)) needs \(checkedProduct(shape) ?? -1)")
                        }
                    }
                }
                guard row.count == columns else {
                    throw DataError(.countMismatch, file: name, "line \(lineNumber) has \(row.count) columns, expected \(columns)")
                }
                let labelIndex = labelColumn == .first ? 0 : columns - 1
                let label = row[labelIndex]
                if label < 0 || label >= (classes ?? Budget.maxClasses) {
                    throw DataError(.labelOutOfRange, file: name,
                                    "line \(lineNumber): label \(label) in the \(labelColumn.rawValue) column, expected 0–\((classes ?? Budget.maxClasses) - 1)")
                }
                labels.append(label)
                for (k, v) in row.enumerated() where k != labelIndex {
                    guard v >= 0 && v <= 255 else {
                        throw DataError(.badValue, file: name, "line \(lineNumber), column \(k + 1): pixel \(v), expected 0–255"
                                        + (labelColumn == .first && row.last.map { $0 <= 9 } == true && row[0] > 9 ? " (is the label the last column? use label=last)" : ""))
                    }
                    pixels.append(UInt8(v))
                }
            }
        }
        guard !labels.isEmpty else { throw DataError(.emptyFile, file: name, "no data lines, expected one image per line") }
        // One label for every row usually means the label is in the other column (MNIST-5k's first column is
        // pixel 0, always 0): say so, rather than only that a one-class data set is refused (`Dataset`).
        if classes == nil, labels.count > 1, labels.allSatisfy({ $0 == labels[0] }) {
            let other = labelColumn == .first ? "last" : "first"
            throw DataError(.badValue, file: name,
                            "all \(labels.count) labels in the \(labelColumn.rawValue) column are \(labels[0]); is the label the \(other) column? (use label=\(other); a data set needs images of at least two classes)")
        }
        let pixelCount = columns - 1
        let chw: [Int]
        if let shape {
            chw = shape.count == 2 ? [1] + shape : shape
        } else if let side = exactSquareRoot(pixelCount) {
            chw = [1, side, side]
        } else if pixelCount % 3 == 0, let side = exactSquareRoot(pixelCount / 3) {
            chw = [3, side, side]
        } else {
            throw DataError(.wrongFormat, file: name, "\(pixelCount) pixel columns are neither a square grayscale nor a square RGB image; give shape=CxHxW")
        }
        try DataError.check(chw.count == 3 && checkedProduct(chw) == pixelCount, .badOption, file: name,
                            "shape \(dims(chw)) does not hold \(pixelCount) pixels")
        return ImageSet(channels: chw[0], height: chw[1], width: chw[2], pixels: pixels, labels: labels)
    }

    /// Loads a CSV file as a data set whose training split is the whole file.
    public static func load(path: String, spec: String, labelColumn: LabelColumn = .first, shape: [Int]? = nil,
                            classes: Int? = nil, classNames: [String]? = nil) throws -> Dataset {
        let set = try read(path: path, labelColumn: labelColumn, shape: shape, classes: classNames?.count ?? classes)
        let names = try resolveClasses(train: set, trainFile: path, test: .empty(channels: set.channels, height: set.height, width: set.width),
                                       testFile: nil, classNames: classNames, classes: classes)
        return try Dataset(name: spec, format: "csv", train: set, test: .empty(channels: set.channels, height: set.height, width: set.width),
                           classNames: names, files: [path],
                           notes: ["one split only (CSV): no test split; label in the \(labelColumn.rawValue) column"],
                           labelsFile: displayName(path))
    }

    /// The header rule: a line is a header when every one of its fields, without surrounding spaces and quotes,
    /// starts with an ASCII letter or `_` and holds only ASCII letters, digits, `_`, `-`, `.`, `/`, `:` or spaces
    /// (`label,pixel0,…`, `1x1` does not qualify). Anything else is data, so a typo such as `12a`, a NUL or bad UTF-8
    /// in the first row is reported with its line and column instead of silently skipping that row.
    static func isHeader(_ buf: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> Bool {
        var field = from
        while field <= to {
            var end = field
            while end < to && buf[end] != 0x2c { end += 1 }
            var i = field, j = end
            while i < j && (buf[i] == 0x20 || buf[i] == 0x09 || buf[i] == 0x22) { i += 1 }
            while j > i && (buf[j - 1] == 0x20 || buf[j - 1] == 0x09 || buf[j - 1] == 0x22) { j -= 1 }
            guard i < j, isLetter(buf[i]) || buf[i] == 0x5f else { return false }
            for k in i ..< j where !(isLetter(buf[k]) || (buf[k] >= 0x30 && buf[k] <= 0x39) || nameSymbols.contains(buf[k])) {
                return false
            }
            field = end + 1
        }
        return true
    }

    private static let nameSymbols = Set("_-./: ".utf8)

    private static func isLetter(_ b: UInt8) -> Bool { (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) }

    /// An unsigned or negative integer, allowing surrounding spaces and a zero fraction ("12.0"); nil otherwise.
    static func parseNumber(_ buf: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> Int? {
        var i = from, j = to
        while i < j && (buf[i] == 0x20 || buf[i] == 0x09 || buf[i] == 0x22) { i += 1 }
        while j > i && (buf[j - 1] == 0x20 || buf[j - 1] == 0x09 || buf[j - 1] == 0x22) { j -= 1 }
        guard i < j else { return nil }
        var negative = false
        if buf[i] == 0x2d { negative = true; i += 1 } else if buf[i] == 0x2b { i += 1 }
        guard i < j else { return nil }
        var value = 0
        var digits = 0
        while i < j && buf[i] >= 0x30 && buf[i] <= 0x39 {
            if digits < 12 { value = value * 10 + Int(buf[i] - 0x30) }
            digits += 1
            i += 1
        }
        guard digits > 0 && digits <= 12 else { return nil }
        if i < j && buf[i] == 0x2e {   // "12.0" or "12." are integers; "12.5" is not
            i += 1
            while i < j && buf[i] == 0x30 { i += 1 }
        }
        guard i == j else { return nil }
        return negative ? -value : value
    }

    static func exactSquareRoot(_ n: Int) -> Int? {
        guard n > 0 else { return nil }
        let r = Int(Double(n).squareRoot().rounded())
        return r * r == n ? r : nil
    }
}
