import Foundation

/// A bad setting: its dotted path in a configuration file (`attack.evaluate_limit`) and what was expected. The CLI
/// and `gpz scan` report the same error for the same value, whether it came from an option or a file.
public struct ConfigError: Error, CustomStringConvertible, Equatable, Sendable {
    public let field: String
    public let message: String

    public init(field: String, _ message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }

    /// The same error one section down: `epochs` in section `target` is `target.epochs`.
    public func within(_ section: String) -> ConfigError {
        ConfigError(field: field.hasPrefix("[") ? section + field : "\(section).\(field)", message)
    }

    /// Runs `body`, naming the fields of its errors inside `section`.
    public static func within<T>(_ section: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as ConfigError { throw error.within(section) }
    }

    /// Throws "`field`: expected at least `minimum`, got …" unless `value` (when set) is at least `minimum`.
    public static func atLeast<N: Comparable>(_ minimum: N, _ value: N?, _ field: String) throws {
        if let value, value < minimum { throw ConfigError(field: field, "expected at least \(minimum), got \(value)") }
    }

    /// Throws "`field`: expected lower…upper, got …" unless `value` lies in `range`.
    public static func within<N: Comparable>(_ range: ClosedRange<N>, _ value: N, _ field: String) throws {
        guard range.contains(value) else {
            throw ConfigError(field: field, "expected \(range.lowerBound)…\(range.upperBound), got \(value)")
        }
    }

    /// Throws unless `value` is a learning rate an optimiser can run with: 0 < lr ≤ 10.
    public static func learningRate(_ value: Double, _ field: String) throws {
        try positive(value, field)
        guard value <= 10 else { throw ConfigError(field: field, "expected a learning rate of at most 10, got \(value)") }
    }

    /// Throws "`field`: expected a finite value > 0, got …" unless `value` is positive and finite.
    public static func positive(_ value: Double, _ field: String) throws {
        guard value > 0, value.isFinite else { throw ConfigError(field: field, "expected a finite value > 0, got \(value)") }
    }
}
