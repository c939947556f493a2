import CTorch

/// An error raised by a tensor operation: the operation's name, the shapes it was given, and what went wrong.
/// Its description reads like `conv2d: input [8, 3, 28, 28] has 3 channels, weight expects 1`.
public struct TensorError: Error, CustomStringConvertible, Equatable {
    public let op: String
    public let message: String

    public init(op: String, message: String) {
        self.op = op
        self.message = message
    }

    /// Builds the error from the shim's thread-local message, naming the shapes involved.
    init(op: String, shapes: [[Int]]) {
        var raw = String(cString: ctorch_last_error())
        if let colon = raw.range(of: ": ") { raw = String(raw[colon.upperBound...]) }
        let shapeText = shapes.map { "\($0)" }.joined(separator: " and ")
        self.init(op: op, message: shapes.isEmpty ? raw : "\(shapeText): \(raw)")
    }

    public var description: String { "\(op): \(message)" }
}

extension TensorError {
    /// Throws `TensorError(op:message:)` unless `condition` holds: validation before calling into the shim.
    public static func check(_ condition: Bool, _ op: String, _ message: @autoclosure () -> String) throws {
        if !condition { throw TensorError(op: op, message: message()) }
    }
}
