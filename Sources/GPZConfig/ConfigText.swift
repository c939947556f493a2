import Foundation
import Yams

/// Checks on a configuration file's text that must run before a decoder sees it: a size limit, a bound on the
/// nodes a YAML document expands to through anchors and aliases (a ten-line "alias bomb" otherwise expands to
/// gigabytes inside the YAML loader), YAML mapping keys that are not plain scalars and base-60 integers past 64
/// bits (the YAML loader traps on both), and duplicate keys in JSON objects (JSON decoders keep one of them silently, where the YAML loader
/// refuses them).
public enum ConfigText {
    /// The largest configuration text accepted, in bytes.
    public static let maxBytes = 1 << 20
    /// The most nodes a YAML document may have once its aliases are expanded.
    public static let maxNodes = 100_000

    /// Throws a `ConfigError` naming `source` when `text` is too large, expands past `maxNodes` (YAML) or
    /// repeats a key in one object (JSON).
    public static func check(_ text: String, json: Bool, source: String) throws {
        guard text.utf8.count <= maxBytes else {
            throw ConfigError(field: source, "\(text.utf8.count) bytes, more than the limit of \(maxBytes)")
        }
        if json {
            var scanner = JSONKeyScanner(text)
            if let duplicate = scanner.firstDuplicate() {
                throw ConfigError(field: source, "the key '\(bounded(duplicate))' appears twice in one object")
            }
        } else {
            try checkExpansion(text, source: source)
        }
    }

    /// Composes the YAML (aliases become shared references, so this costs what the text costs) and counts the
    /// expanded nodes, stopping as soon as the count passes `maxNodes`.
    static func checkExpansion(_ text: String, source: String) throws {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw ConfigError(field: source, "not valid YAML: \(bounded("\(error)"))")
        }
        guard let node else { return }
        var count = 0
        var stack = [node]
        while let next = stack.popLast() {
            count += 1
            guard count <= maxNodes else {
                throw ConfigError(field: source, "expands to more than \(maxNodes) YAML nodes "
                                      + "(anchors and aliases nested too deeply); refusing to load it")
            }
            switch next {
            case .mapping(let mapping):
                // The YAML loader force-unwraps every key as a string: a sequence or mapping as a key traps.
                if let key = mapping.keys.first(where: { $0.scalar == nil }) {
                    throw ConfigError(field: source, "line \(key.mark?.line ?? 0): a mapping key must be a plain name, "
                                          + "found a \(key.sequence != nil ? "sequence" : "mapping")")
                }
                for (key, value) in mapping { stack.append(key); stack.append(value) }
            case .sequence(let sequence):
                stack.append(contentsOf: sequence)
            case .scalar(let scalar):
                if scalar.style == .plain, overflowsAsBase60(scalar.string) {
                    throw ConfigError(field: source, "line \(scalar.mark?.line ?? 0): '\(bounded(scalar.string, limit: 40))' "
                                          + "reads as a base-60 integer too large for 64 bits")
                }
            default:
                break
            }
        }
    }

    /// True for a YAML 1.1 base-60 integer (`1:30`, `-12:00:00`) whose value overflows 64 bits: the YAML loader
    /// computes it with trapping arithmetic.
    static func overflowsAsBase60(_ text: String) -> Bool {
        var body = Substring(text)
        if body.first == "-" || body.first == "+" { body = body.dropFirst() }
        let parts = body.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count > 1, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isNumber || $0 == "_" } }) else {
            return false
        }
        var value = 0.0
        for part in parts { value = value * 60 + (Double(part.filter { $0 != "_" }) ?? .infinity) }
        return !(value < 0x1p62) || parts.count > 10
    }

    /// `text` cut to at most `limit` characters, for echoing input in a message.
    static func bounded(_ text: String, limit: Int = 200) -> String {
        text.count > limit ? String(text.prefix(limit)) + "…" : text
    }
}

/// Walks JSON text far enough to see each object's keys (strings, with escapes decoded) and finds the first key
/// repeated within one object. Anything malformed is left for the JSON decoder to report.
struct JSONKeyScanner {
    private let bytes: [UInt8]
    private var index = 0

    init(_ text: String) { bytes = Array(text.utf8) }

    mutating func firstDuplicate() -> String? {
        // One frame per open container: the keys seen so far for an object, nil for an array.
        var frames: [Set<String>?] = []
        var expectingKey = false
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "{"):
                frames.append([])
                expectingKey = true
                index += 1
            case UInt8(ascii: "["):
                frames.append(nil)
                expectingKey = false
                index += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                _ = frames.popLast()
                expectingKey = false
                index += 1
            case UInt8(ascii: ","):
                expectingKey = frames.last.map { $0 != nil } ?? false
                index += 1
            case UInt8(ascii: "\""):
                guard let string = readString() else { return nil }
                if expectingKey, frames.last! != nil {
                    if !frames[frames.count - 1]!.insert(string).inserted { return string }
                }
                expectingKey = false
            default:
                index += 1
            }
        }
        return nil
    }

    /// The string starting at `index` (a quote), decoded; nil when it is not terminated.
    private mutating func readString() -> String? {
        var out: [UInt8] = []
        index += 1
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: "\"") { return decode(out) }
            if byte == UInt8(ascii: "\\"), index < bytes.count {
                out.append(byte)
                out.append(bytes[index])
                index += 1
            } else {
                out.append(byte)
            }
        }
        return nil
    }

    /// The string's escapes resolved the way a JSON decoder resolves them, so `"a"` and `"\u0061"` are one key.
    private func decode(_ raw: [UInt8]) -> String {
        let quoted = Data([UInt8(ascii: "\"")] + raw + [UInt8(ascii: "\"")])
        if let value = try? JSONSerialization.jsonObject(with: quoted, options: .fragmentsAllowed) as? String {
            return value
        }
        return String(decoding: raw, as: UTF8.self)
    }
}
