/// An error that is one message saying what went wrong, e.g. `AttackError`, `ModelError`, `TrainingError`.
/// Each layer keeps its own type, so callers can catch one layer's errors; the description and the
/// precondition-style `check` are written once here.
public protocol MessageError: Error, CustomStringConvertible, Equatable {
    var message: String { get }
    init(_ message: String)
}

extension MessageError {
    public var description: String { message }

    /// Throws `Self(message())` unless `condition` holds.
    public static func check(_ condition: Bool, _ message: @autoclosure () -> String) throws {
        if !condition { throw Self(message()) }
    }
}
