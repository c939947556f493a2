import Foundation

/// A `DecodingError` said once, in the words every GPZ reader uses: the field at fault and one line saying what was
/// wrong. The one formatter of decoding errors: configuration files (`ConfigError(decoding:)`), the JSON files GPZ
/// writes and reads back (`DecodingError.fieldMessage`: checkpoint descriptions, deployment sweeps), the stage
/// archives' descriptions and the request bodies of `gpz serve` all report through it.
///
///     DecodingFailure(error, under: "studies[1]")   // field "studies[1].target.epochs", message "expected an integer"
public struct DecodingFailure: Equatable, Sendable, CustomStringConvertible {
    /// The words for containers: a configuration file is YAML or JSON ("a list", "a mapping"); a protocol body is
    /// JSON ("an array", "an object").
    public enum Vocabulary: Sendable {
        case configuration, json
    }

    /// The field: keys joined by dots, list indices in brackets (`inputs[0].shape[1]`, `studies[1].attack.lr`),
    /// under the prefix given; the top level's name when the document itself is at fault.
    public let field: String
    /// The field as Foundation spells its keys, joined by dots (`runs.Index 1.encoding`): only for messages whose
    /// wording predates this type (`DecodingError.fieldMessage`); empty at the top level.
    public let keyNames: String
    /// What was wrong, one line: "expected an integer", "expected a number, got null", "missing", or the decoder's
    /// own reason (a case that is not one of an enumeration's, a number out of range).
    public let message: String
    /// Foundation's wording when it adds something (what was found instead, the syntax error under a corrupted
    /// document), one line and bounded; nil otherwise.
    public let detail: String?
    /// Whether the field is absent (rather than present with a wrong value).
    public let isMissing: Bool

    /// `error` told under `prefix` (the document's own path, e.g. `studies[1]`; keys follow it), with `topLevel`
    /// naming the document when the failure is at its top. `typeName` names a type of the caller's
    /// ("a bool, a number or a string") before the built-in names are tried.
    public init(_ error: DecodingError, under prefix: String = "", topLevel: String = "(top level)",
                vocabulary: Vocabulary = .configuration, typeName: (Any.Type) -> String? = { _ in nil }) {
        func path(_ keys: [any CodingKey]) -> String {
            let text = keys.reduce(into: prefix) { text, key in
                if let index = key.intValue { text += "[\(index)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
            }
            return text.isEmpty ? topLevel : text
        }
        func names(_ keys: [any CodingKey]) -> String { keys.map(\.stringValue).joined(separator: ".") }
        func name(_ type: Any.Type) -> String { typeName(type) ?? Self.typeName(type, vocabulary) }
        switch error {
        case .typeMismatch(let type, let context):
            field = path(context.codingPath)
            keyNames = names(context.codingPath)
            message = "expected \(name(type))"
            detail = Self.oneLine(context.debugDescription)
            isMissing = false
        case .valueNotFound(let type, let context):
            field = path(context.codingPath)
            keyNames = names(context.codingPath)
            message = "expected \(name(type)), got null"
            detail = nil
            isMissing = false
        case .keyNotFound(let key, let context):
            field = path(context.codingPath + [key])
            keyNames = names(context.codingPath + [key])
            message = "missing"
            detail = nil
            isMissing = true
        case .dataCorrupted(let context):
            field = path(context.codingPath)
            keyNames = names(context.codingPath)
            message = Self.oneLine(context.debugDescription)
            detail = context.underlyingError.map { Self.oneLine("\($0)") }
            isMissing = false
        @unknown default:
            field = topLevel
            keyNames = ""
            message = Self.oneLine("\(error)")
            detail = nil
            isMissing = false
        }
    }

    /// `message`, then `detail` in parentheses when there is one.
    public var explained: String { detail.map { "\(message) (\($0))" } ?? message }

    /// "field: message".
    public var description: String { "\(field): \(message)" }

    /// The name of a value of `type` in a message ("an integer", "a list").
    public static func typeName(_ type: Any.Type, _ vocabulary: Vocabulary = .configuration) -> String {
        switch type {
        case is Int.Type, is Int8.Type, is Int16.Type, is Int32.Type, is Int64.Type,
             is UInt.Type, is UInt8.Type, is UInt16.Type, is UInt32.Type, is UInt64.Type:
            return "an integer"
        case is Double.Type, is Float.Type: return "a number"
        case is Bool.Type: return "true or false"
        case is String.Type: return "a string"
        default:
            let name = "\(type)"
            if name.hasPrefix("Array") { return vocabulary == .json ? "an array" : "a list" }
            if name.hasPrefix("Dictionary") { return vocabulary == .json ? "an object" : "a mapping" }
            return "a \(name) value"
        }
    }

    /// `text` on one line, at most 200 characters.
    static func oneLine(_ text: String) -> String {
        let folded = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return folded.count > 200 ? String(folded.prefix(200)) + "…" : folded
    }
}

extension ConfigError {
    /// "target.epochs: expected an integer" from a decoding error, its path under `path`.
    public init(decoding error: DecodingError, path: String = "") {
        let failure = DecodingFailure(error, under: path)
        self.init(field: failure.field, failure.message)
    }
}

extension DecodingError {
    /// "missing field 'runs'" or "field 'runs.3.edge_ms': expected …": the field a JSON document got wrong, for the
    /// JSON files GPZ writes and reads back.
    public var fieldMessage: String {
        let failure = DecodingFailure(self, vocabulary: .json)
        if failure.isMissing { return "missing field '\(failure.keyNames)'" }
        return failure.keyNames.isEmpty ? failure.explained : "field '\(failure.keyNames)': \(failure.explained)"
    }
}
