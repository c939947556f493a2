import GPZConfig

/// Bad input found while reading a data set: a missing or empty file, a wrong magic number, truncated data,
/// mismatched counts, an out-of-range label, an unreadable image, an absurd header, a bad option, or an output
/// file that cannot be written.
///
/// Its description is one line naming the file and what was expected, for example
/// `train-images-idx3-ubyte.gz: truncated: header says 60000 images of 28×28 (47040000 bytes), file has 1000`.
/// The CLI maps it to exit code 2 ("your input is wrong"); any other error is an internal failure (exit code 1).
public struct DataError: UserError, CustomStringConvertible, Equatable, Sendable {
    /// What kind of problem it is; tests assert on it and the CLI prints it as the message's first word(s).
    public enum Kind: String, Sendable, CaseIterable {
        case missing = "not found"
        case emptyFile = "empty file"
        case wrongMagic = "wrong magic"
        case wrongFormat = "wrong format"
        case truncated = "truncated"
        case trailingData = "trailing data"
        case countMismatch = "count mismatch"
        case labelOutOfRange = "label out of range"
        case mixedSizes = "mixed image sizes"
        case unreadableImage = "unreadable image"
        case emptyClass = "empty class"
        case absurdHeader = "absurd header"
        case badValue = "bad value"
        case badOption = "bad option"
        case noSplit = "no such split"
        case cannotWrite = "cannot write"
    }

    /// The file (usually its last path component) or the data-set spec the problem is in.
    public let file: String
    public let kind: Kind
    /// What was expected and what was found.
    public let detail: String

    public init(_ kind: Kind, file: String, _ detail: String) {
        self.kind = kind
        self.file = file
        self.detail = detail
    }

    public var description: String {
        // Keep it to one line whatever a library's message contained.
        let line = detail.split(whereSeparator: \.isNewline).joined(separator: " ")
        return "\(Self.bounded(file)): \(kind.rawValue): \(Self.bounded(line, limit: 1024))"
    }

    /// `text` cut in the middle past `limit` characters: a file name or spec echoed from the user stays short.
    public static func bounded(_ text: String, limit: Int = 256) -> String {
        guard text.count > limit else { return text }
        let keep = limit / 2
        return "\(text.prefix(keep))…(\(text.count - 2 * keep) characters)…\(text.suffix(keep))"
    }

    static func check(_ condition: Bool, _ kind: Kind, file: String, _ detail: @autoclosure () -> String) throws {
        if !condition { throw DataError(kind, file: file, detail()) }
    }
}

/// The last path component of `path`, the name error messages use for a file.
func displayName(_ path: String) -> String {
    let trimmed = path.hasSuffix("/") && path.count > 1 ? String(path.dropLast()) : path
    return trimmed.split(separator: "/").last.map(String.init) ?? path
}

/// `a * b * …` or nil on overflow; header arithmetic goes through this so a hostile header cannot trap.
func checkedProduct(_ values: [Int]) -> Int? {
    var result = 1
    for v in values {
        guard v >= 0 else { return nil }
        let (p, overflow) = result.multipliedReportingOverflow(by: v)
        if overflow { return nil }
        result = p
    }
    return result
}

/// `[60000, 28, 28]` → "60000×28×28".
func dims(_ values: [Int]) -> String { values.map(String.init).joined(separator: "×") }

/// A broken invariant of the data layer itself (not of the input): the CLI reports it with exit code 1.
public struct InternalError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "internal error: \(message)" }
}
