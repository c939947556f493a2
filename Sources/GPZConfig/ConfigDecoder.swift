import Foundation

/// A group of settings whose every field has a default (`init()`): a file or a command line names only what it
/// changes, and the defaults are declared once, on the properties.
public protocol ConfigSection: Codable, Equatable, Sendable {
    init()
}

/// The one decoder of configuration files: the document's values over the section's defaults, a key the section
/// does not have rejected with its dotted path (a typo would otherwise be ignored), and every value type-checked.
public enum ConfigDecoder {
    /// Decodes `T` from a parsed YAML/JSON document (mappings, lists, strings, numbers, booleans, null) over
    /// `defaults`; errors name fields from `path` (e.g. `studies[1]`) down.
    public static func decode<T: Codable>(_ type: T.Type, from document: Any, over defaults: T,
                                          path: String = "") throws -> T {
        let merged = try merge(plain(document), over: try DefaultsTree.encode(defaults), path: path)
        let data = try JSONSerialization.data(withJSONObject: merged, options: [.fragmentsAllowed])
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            throw ConfigError(decoding: error, path: path)
        }
    }

    /// `value` laid over `base`: mappings field by field (unknown fields are errors), anything else replaced.
    static func merge(_ value: Any, over base: Any, path: String) throws -> Any {
        guard let defaults = base as? [String: Any] else { return value }
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

    /// The document with string keys and JSON leaves only (YAML may also give dates or non-string keys).
    static func plain(_ value: Any) -> Any {
        switch value {
        case let mapping as [AnyHashable: Any]:
            return Dictionary(uniqueKeysWithValues: mapping.map { ("\($0.key.base)", plain($0.value)) })
        case let list as [Any]:
            return list.map(plain)
        case is String, is Bool, is Int, is Double, is NSNull, is NSNumber:
            return value
        default:
            return "\(value)"
        }
    }
}

extension ConfigError {
    /// "target.epochs: expected an integer" from a decoding error, its path under `path`.
    public init(decoding error: DecodingError, path: String = "") {
        func dotted(_ keys: [CodingKey]) -> String {
            let text = keys.reduce(into: path) { text, key in
                if let index = key.intValue { text += "[\(index)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
            }
            return text.isEmpty ? "(top level)" : text
        }
        switch error {
        case .typeMismatch(let type, let context):
            self.init(field: dotted(context.codingPath), "expected \(Self.typeName(type))")
        case .valueNotFound(let type, let context):
            self.init(field: dotted(context.codingPath), "expected \(Self.typeName(type)), found null")
        case .keyNotFound(let key, let context):
            self.init(field: dotted(context.codingPath + [key]), "missing")
        case .dataCorrupted(let context):
            self.init(field: dotted(context.codingPath), context.debugDescription)
        @unknown default:
            self.init(field: dotted([]), "\(error)")
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is UInt64.Type: return "an integer"
        case is Double.Type: return "a number"
        case is Bool.Type: return "true or false"
        case is String.Type: return "a string"
        default:
            let name = "\(type)"
            return name.hasPrefix("Array") ? "a list" : name.hasPrefix("Dictionary") ? "a mapping" : "a \(name) value"
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
