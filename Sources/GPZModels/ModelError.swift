import GPZConfig
import GPZTensor

/// A model could not be built, looked up or run as asked; the message says what was expected.
public struct ModelError: MessageError, UserError {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }
}
