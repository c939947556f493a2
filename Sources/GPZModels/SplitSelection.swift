import Foundation

/// A choice of split points, the one vocabulary of `attack.splits`, `analysis.candidates` and `--splits`:
/// `all`, `blocks` (the architecture's block-level split points: what a deployment would cut), or split names or
/// 1-based indices. A file may give the names as a list or as one comma-separated string; `all` and `blocks`
/// mean a little more for an attack than for the zone's candidates, because only an attack includes the logits
/// (`attackPoints`, `candidatePoints`).
public enum SplitSelection: Codable, Equatable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    case all
    case blocks
    case named([String])

    /// `all`, `blocks`, or comma-separated names or indices (spaces around them ignored; empty entries dropped).
    public init(_ text: String) {
        switch text.trimmingCharacters(in: .whitespaces) {
        case "all": self = .all
        case "blocks": self = .blocks
        default:
            self = .named(text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        }
    }

    public init(stringLiteral text: String) { self.init(text) }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let names = try? container.decode([String].self) {
            self = .named(names)
        } else {
            self = Self(try container.decode(String.self))
        }
    }

    /// One string: `all`, `blocks`, or the names joined by commas (the spelling hashes were made from).
    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    public var description: String {
        switch self {
        case .all: return "all"
        case .blocks: return "blocks"
        case .named(let names): return names.joined(separator: ",")
        }
    }

    /// The splits an attack targets: every split (`all`), the block-level splits and the logits (`blocks`), or
    /// the named ones in the order given; an unknown, repeated or missing name is a `ModelError`.
    public func attackPoints(_ model: some SplittableModel) throws -> [SplitPoint] {
        switch self {
        case .all: return model.splitPoints
        case .blocks: return model.blockSplitPoints + model.splitPoints.filter(\.isLogits)
        case .named(let names): return try Self.points(names, model)
        }
    }

    /// The splits the zone is located among: the block-level splits (`blocks`), every split but the logits
    /// (`all`), or the named ones, in forward order.
    public func candidatePoints(_ model: some SplittableModel) throws -> [SplitPoint] {
        switch self {
        case .blocks: return model.blockSplitPoints
        case .all: return model.splitPoints.filter { !$0.isLogits }
        case .named(let names): return try Self.points(names, model).sorted { $0.index < $1.index }
        }
    }

    private static func points(_ names: [String], _ model: some SplittableModel) throws -> [SplitPoint] {
        guard !names.isEmpty else { throw ModelError("empty; give all, blocks, or split indices or names") }
        let points = try names.map { try model.split(named: $0) }
        guard Set(points.map(\.index)).count == points.count else {
            throw ModelError("'\(names.joined(separator: ","))' names a split twice")
        }
        return points
    }
}

/// A `SplitSelection` written as a list of names where it names splits (`analysis.candidates: [a, b]`), the
/// spelling that field's hashes were made from; `all` and `blocks` stay strings.
@propertyWrapper
public struct ListSpelled: Codable, Equatable, Sendable {
    public var wrappedValue: SplitSelection

    public init(wrappedValue: SplitSelection) {
        self.wrappedValue = wrappedValue
    }

    public init(from decoder: Decoder) throws {
        wrappedValue = try SplitSelection(from: decoder)
    }

    public func encode(to encoder: Encoder) throws {
        guard case .named(let names) = wrappedValue else { return try wrappedValue.encode(to: encoder) }
        var container = encoder.singleValueContainer()
        try container.encode(names)
    }
}
