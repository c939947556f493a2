import Foundation

/// A group of settings whose every field has a default (`init()`): a file or a command line names only what it
/// changes, and the defaults are declared once, on the properties.
public protocol ConfigSection: Codable, Equatable, Sendable {
    init()
}

/// The one decoder of configuration files: the document's values over the section's defaults, a key the section
/// does not have rejected with its dotted path (a typo would otherwise be ignored), a number that is not finite
/// (YAML's `.nan`, `.inf`, `-.inf`, or a literal too large for a double) rejected with its path, and every value
/// type-checked. Every failure is a one-line `ConfigError` naming the field.
public enum ConfigDecoder {
    /// Decodes `T` from a parsed YAML/JSON document (mappings, lists, strings, numbers, booleans, null) over
    /// `defaults`; errors name fields from `path` (e.g. `studies[1]`) down.
    public static func decode<T: Codable>(_ type: T.Type, from document: Any, over defaults: T,
                                          path: String = "") throws -> T {
        let merged = try merge(plain(document, path: path), over: try DefaultsTree.encode(defaults), path: path)
        let data: Data
        do {
            data = try JSONSerialization.data(withJSONObject: merged, options: [.fragmentsAllowed])
        } catch {
            // `merge` leaves only JSON values; this is a safety net, so that no document ends as an internal error.
            throw ConfigError(field: path.isEmpty ? "(top level)" : path,
                              "cannot be read as settings (\(DecodingFailure.oneLine(error.localizedDescription)))")
        }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            throw ConfigError(decoding: error, path: path)
        }
    }

    /// Every field a document over `defaults` can name, as dotted paths (`target.lr`, `leakage_threshold`) with
    /// their defaults, sorted by path: numbers, strings and booleans as `JSONSerialization` reads them, lists as
    /// lists, and `NSNull` for a field whose default is unset (an optional, or a setting left out of the encoding
    /// at its default, `OmittedWhenDefault`). An unset field's type is not recorded: decode a document that names
    /// it (with `decode`) to learn what it takes.
    public static func fields<T: Encodable>(of defaults: T) throws -> [(path: String, value: Any)] {
        var out: [(path: String, value: Any)] = []
        func walk(_ node: Any, _ path: String) {
            guard let mapping = node as? [String: Any] else {
                out.append((path, node))
                return
            }
            for key in mapping.keys.sorted() { walk(mapping[key]!, path.isEmpty ? key : "\(path).\(key)") }
        }
        walk(try DefaultsTree.encode(defaults), "")
        return out
    }

    /// `value` laid over `base`: mappings field by field (unknown fields are errors), anything else replaced.
    static func merge(_ value: Any, over base: Any, path: String) throws -> Any {
        guard let defaults = base as? [String: Any] else {
            try requireFinite(value, path: path, base: base)
            return value
        }
        let known = defaults.keys.sorted().joined(separator: ", ")
        guard let given = value as? [String: Any] else {
            throw ConfigError(field: path.isEmpty ? "(top level)" : path, "expected a mapping of fields (\(known))")
        }
        var merged = defaults
        for key in given.keys.sorted() {
            let field = path.isEmpty ? key : "\(path).\(key)"
            guard let old = defaults[key] else { throw ConfigError(field: field, "unknown field; expected one of \(known)") }
            merged[key] = try merge(given[key]!, over: old, path: field)
        }
        return merged
    }

    /// Throws a `ConfigError` naming the first number in `value` (a leaf, or a list or mapping given for one
    /// field) that is NaN or infinite: JSON has no such numbers, and no setting takes one. `base` is the field's
    /// default: a string or boolean field says so in the message.
    static func requireFinite(_ value: Any, path: String, base: Any) throws {
        switch value {
        case is Bool, is String, is NSNull:
            return
        case let list as [Any]:
            for (index, element) in list.enumerated() { try requireFinite(element, path: "\(path)[\(index)]", base: NSNull()) }
        case let mapping as [String: Any]:
            for key in mapping.keys.sorted() {
                try requireFinite(mapping[key]!, path: path.isEmpty ? key : "\(path).\(key)", base: NSNull())
            }
        default:
            let number = (value as? Double) ?? (value as? NSNumber)?.doubleValue ?? 0
            guard !number.isFinite else { return }
            let expected = base is String ? "a string" : isBoolean(base) ? "true or false" : "a finite number"
            throw ConfigError(field: path.isEmpty ? "(top level)" : path, "expected \(expected), got \(number)")
        }
    }

    /// Whether a default is a boolean: a number bridged from JSON (a default of 1.0 is written `1`) also casts to
    /// `Bool`, so the bridged number's own type decides.
    static func isBoolean(_ value: Any) -> Bool {
        if type(of: value) == Bool.self { return true }
        guard let number = value as? NSNumber else { return false }
        return String(cString: number.objCType) == "c"
    }

    /// The document with string keys and JSON leaves only (YAML may also give dates or non-string keys); two keys
    /// of one mapping that read the same as text (YAML's `1` and `"1"`) are an error naming the mapping.
    static func plain(_ value: Any, path: String = "") throws -> Any {
        switch value {
        case let mapping as [AnyHashable: Any]:
            var fields: [String: Any] = [:]
            for (key, element) in mapping {
                let name = "\(key.base)"
                let field = path.isEmpty ? name : "\(path).\(name)"
                guard fields[name] == nil else {
                    throw ConfigError(field: path.isEmpty ? "(top level)" : path,
                                      "the key '\(ConfigText.bounded(name))' appears twice")
                }
                fields[name] = try plain(element, path: field)
            }
            return fields
        case let list as [Any]:
            return try list.enumerated().map { try plain($0.element, path: "\(path)[\($0.offset)]") }
        case is String, is Bool, is Int, is Double, is NSNull, is NSNumber:
            return value
        default:
            return "\(value)"
        }
    }
}

extension RawRepresentable where RawValue == String, Self: CaseIterable {
    /// Decodes a case from its raw value; any other string is an error listing the cases.
    public init(choosingFrom decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = Self(rawValue: text) else {
            let cases = Self.allCases.map(\.rawValue).joined(separator: ", ")
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "'\(text)': expected one of \(cases)"))
        }
        self = value
    }
}
