import GPZScan
import Foundation
import GPZConfig
import GPZData

/// A configuration as a compact list of dotted keys and their values (`target.lr 0.001`), sorted by key and laid
/// out in columns: the whole file at a glance, as its JSON would set it.
enum ConfigList {
    /// The list's HTML.
    static func html<T: Encodable>(_ value: T) throws -> String {
        let items = try rows(value).map { key, value in
            "<div><code class=\"key\">\(HTMLDocument.escape(key))</code> <code>\(HTMLDocument.escape(value))</code></div>"
        }
        return "<div class=\"config\">\n\(items.joined(separator: "\n"))\n</div>"
    }

    /// (dotted key, value as JSON would write it) for every leaf, sorted by key.
    static func rows<T: Encodable>(_ value: T) throws -> [(key: String, value: String)] {
        let encoder = CanonicalJSON.encoder(nonFiniteAsStrings: true)
        let tree = try JSONDecoder().decode(JSONValue.self, from: try encoder.encode(value))
        var rows: [(key: String, value: String)] = []
        tree.flatten(prefix: "", into: &rows)
        return rows.sorted { $0.key < $1.key }
    }
}

extension JSONValue {
    /// The value as JSON writes it; strings without quotes.
    fileprivate var text: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return String(value)
        case .int(let value): return String(value)
        case .double(let value): return ReportFormat.compact(value, digits: 6)
        case .string(let value): return value
        case .array(let values): return "[" + values.map(\.text).joined(separator: ", ") + "]"
        case .object: return "{…}"
        }
    }

    fileprivate func flatten(prefix: String, into rows: inout [(key: String, value: String)]) {
        if case .object(let members) = self, !members.isEmpty {
            for (key, value) in members {
                value.flatten(prefix: prefix.isEmpty ? key : "\(prefix).\(key)", into: &rows)
            }
        } else {
            rows.append((key: prefix, value: text))
        }
    }
}
