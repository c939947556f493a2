import Foundation
import Yams

/// A configuration file as GPZ reads it, before any section decodes it: a `.yaml`/`.yml` (YAML 1.1, through Yams)
/// or `.json` file of at most `ConfigText.maxBytes`, checked by `ConfigText.check`, parsed into a document
/// (mappings, lists, strings, numbers, booleans, null) that names at least one field. Every failure is a one-line
/// `ConfigError` naming the file; the sections' own errors come from `ConfigDecoder`.
public struct ConfigFile {
    /// The file's name in messages (its last path component).
    public let source: String
    /// The parsed document: a mapping of at least one field, or another non-empty value (which a decoder will
    /// refuse with the field it expected).
    public let document: Any

    /// The file extensions read, YAML's and JSON's.
    public static let extensions: Set<String> = ["yaml", "yml", "json"]

    /// Reads and parses `url`. `emptyMeaning` says what an empty file would have done, for the message that
    /// refuses it ("an empty file would run the full default study").
    public static func load(_ url: URL, emptyMeaning: String = "an empty file would mean every default")
        throws -> ConfigFile {
        let ext = url.pathExtension.lowercased()
        guard extensions.contains(ext) else {
            throw ConfigError(field: url.path, "expected a .yaml, .yml or .json configuration file")
        }
        let text = try read(url)
        return try parse(text, json: ext == "json", source: url.lastPathComponent, emptyMeaning: emptyMeaning)
    }

    /// Parses `text` (JSON when `json`, else YAML); errors name `source`.
    public static func parse(_ text: String, json: Bool, source: String,
                             emptyMeaning: String = "an empty file would mean every default") throws -> ConfigFile {
        try ConfigText.check(text, json: json, source: source)
        let empty = ConfigError(field: source, "the configuration is empty; name at least one field (\(emptyMeaning))")
        let document: Any?
        if json {
            guard text.contains(where: { !$0.isWhitespace }) else { throw empty }
            do {
                document = try JSONSerialization.jsonObject(with: Data(text.utf8))
            } catch {
                if let (path, literal) = JSONNumberScanner.firstOutOfRange(text) {
                    throw ConfigError(field: "\(source): \(path)", "expected a finite number, got \(ConfigText.bounded(literal, limit: 40)) "
                                          + "(out of range for a double)")
                }
                throw ConfigError(field: source, "not valid JSON: \(error)")
            }
        } else {
            do {
                document = try Yams.load(yaml: text)
            } catch {
                throw ConfigError(field: source, "not valid YAML: \(error)")
            }
        }
        // Nothing but whitespace and comments (or a bare `null`, `~`, `---`), or a mapping of no fields: every
        // default, which nobody asks for by writing nothing.
        guard let document, !(document is NSNull), !((document as? [AnyHashable: Any])?.isEmpty ?? false) else {
            throw empty
        }
        return ConfigFile(source: source, document: document)
    }

    /// The file's text: at most `ConfigText.maxBytes` bytes are read (a device or a pipe that never ends is cut
    /// there), and it must be UTF-8.
    static func read(_ url: URL) throws -> String {
        func failure(_ reason: String) -> ConfigError {
            ConfigError(field: url.path, "cannot read the configuration file (\(reason))")
        }
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder), isFolder.boolValue {
            throw failure("is a folder, expected a file")
        }
        let data: Data
        do {
            let handle = try FileHandle(forReadingFrom: url)
            defer { try? handle.close() }
            data = try handle.read(upToCount: ConfigText.maxBytes + 1) ?? Data()
        } catch {
            throw failure(error.localizedDescription)
        }
        guard data.count <= ConfigText.maxBytes else {
            // The size of a regular file (through links); a device or a pipe has none.
            let attributes = try? FileManager.default.attributesOfItem(atPath: url.resolvingSymlinksInPath().path)
            let size = attributes?[.type] as? FileAttributeType == .typeRegular ? attributes?[.size] as? Int : nil
            throw ConfigError(field: url.lastPathComponent, size.map { "\($0) bytes, more than the limit of \(ConfigText.maxBytes)" }
                                  ?? "more than the limit of \(ConfigText.maxBytes) bytes")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw failure("not UTF-8 text") }
        return text
    }
}

/// Finds, in JSON text that the JSON parser refused, the first number literal too large for a double (`1e400`),
/// with its path in the document (`studies[1].attack.lr`), so the error can name the field. Anything else
/// malformed is left for the parser's own message.
struct JSONNumberScanner {
    private let bytes: [UInt8]
    private var index = 0

    private init(_ text: String) { bytes = Array(text.utf8) }

    static func firstOutOfRange(_ text: String) -> (path: String, literal: String)? {
        var scanner = JSONNumberScanner(text)
        return scanner.scan()
    }

    /// One open container: an object (its current key, and whether a key comes next) or an array (its current
    /// index).
    private enum Frame {
        case object(key: String?, expectingKey: Bool)
        case array(index: Int)
    }

    private mutating func scan() -> (path: String, literal: String)? {
        var frames: [Frame] = []
        func path() -> String {
            var text = ""
            for frame in frames {
                switch frame {
                case .object(let key, _): if let key { text += (text.isEmpty ? "" : ".") + key }
                case .array(let index): text += "[\(index)]"
                }
            }
            return text.isEmpty ? "(top level)" : text
        }
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "{"):
                frames.append(.object(key: nil, expectingKey: true))
                index += 1
            case UInt8(ascii: "["):
                frames.append(.array(index: 0))
                index += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                _ = frames.popLast()
                index += 1
            case UInt8(ascii: ","):
                switch frames.last {
                case .object(let key, _): frames[frames.count - 1] = .object(key: key, expectingKey: true)
                case .array(let count): frames[frames.count - 1] = .array(index: count + 1)
                case nil: break
                }
                index += 1
            case UInt8(ascii: "\""):
                guard let string = readString() else { return nil }
                if case .object(_, true) = frames.last { frames[frames.count - 1] = .object(key: string, expectingKey: false) }
            case UInt8(ascii: "-"), UInt8(ascii: "0") ... UInt8(ascii: "9"):
                let start = index
                while index < bytes.count, "+-.eE0123456789".utf8.contains(bytes[index]) { index += 1 }
                let literal = String(decoding: bytes[start ..< index], as: UTF8.self)
                if let value = Double(literal), !value.isFinite { return (path(), literal) }
            default:
                index += 1
            }
        }
        return nil
    }

    /// The string starting at `index` (a quote), its escapes resolved; nil when it is not terminated.
    private mutating func readString() -> String? {
        let start = index
        index += 1
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: "\"") {
                let quoted = Data(bytes[start ..< index])
                return (try? JSONSerialization.jsonObject(with: quoted, options: .fragmentsAllowed) as? String)
                    ?? String(decoding: bytes[start + 1 ..< index - 1], as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") { index += 1 }
        }
        return nil
    }
}
