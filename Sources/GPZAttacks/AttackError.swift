/// A setting or input an attack cannot work with, e.g.
/// `InversionDecoder: tokens [50, 128] do not form a square grid with or without a class token`.
public struct AttackError: Error, CustomStringConvertible, Equatable {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }

    /// Throws `AttackError(message)` unless `condition` holds.
    static func check(_ condition: Bool, _ message: @autoclosure () -> String) throws {
        if !condition { throw AttackError(message()) }
    }
}
