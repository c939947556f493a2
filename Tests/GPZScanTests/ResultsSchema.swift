import Foundation
import XCTest

/// Checks a results.json against docs/schema/results.schema.json: the subset of JSON Schema that file uses —
/// `type` (one or a list), `const`, `enum` (of strings), `required`, `properties` and `items`.
enum ResultsSchema {
    static var url: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/schema/results.schema.json")
    }

    static func check(_ data: Data) throws {
        let schema = try JSONSerialization.jsonObject(with: Data(contentsOf: url))
        let value = try JSONSerialization.jsonObject(with: data)
        let problems = validate(value, against: schema as? [String: Any] ?? [:], path: "$")
        XCTAssertEqual(problems, [], "results.json does not match its schema")
    }

    static func validate(_ value: Any, against schema: [String: Any], path: String) -> [String] {
        var problems: [String] = []
        if let type = schema["type"] {
            let allowed = (type as? [String]) ?? [type as? String ?? ""]
            if !allowed.contains(where: { matches(value, $0) }) {
                return ["\(path): expected \(allowed.joined(separator: " or ")), found \(Swift.type(of: value))"]
            }
        }
        if let constant = schema["const"] as? String, value as? String != constant {
            problems.append("\(path): expected \(constant)")
        }
        if let allowed = schema["enum"] as? [String], let text = value as? String, !allowed.contains(text) {
            problems.append("\(path): \(text) is not one of \(allowed.joined(separator: ", "))")
        }
        if let object = value as? [String: Any] {
            for key in schema["required"] as? [String] ?? [] where object[key] == nil {
                problems.append("\(path).\(key): missing")
            }
            for (key, sub) in schema["properties"] as? [String: [String: Any]] ?? [:] {
                if let child = object[key] { problems += validate(child, against: sub, path: "\(path).\(key)") }
            }
        }
        if let array = value as? [Any], let items = schema["items"] as? [String: Any] {
            for (i, element) in array.enumerated() { problems += validate(element, against: items, path: "\(path)[\(i)]") }
        }
        return problems
    }

    private static func matches(_ value: Any, _ type: String) -> Bool {
        switch type {
        case "object": return value is [String: Any]
        case "array": return value is [Any]
        case "string": return value is String
        case "null": return value is NSNull
        case "boolean": return isBool(value)
        case "integer": return !isBool(value) && (value as? NSNumber).map { $0.doubleValue == $0.doubleValue.rounded() } ?? false
        case "number": return !isBool(value) && value is NSNumber
        default: return false
        }
    }

    /// JSONSerialization's booleans are NSNumbers of a boolean class (`__NSCFBoolean` here).
    private static func isBool(_ value: Any) -> Bool { "\(type(of: value))".contains("Boolean") }
}
