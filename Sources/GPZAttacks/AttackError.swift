import GPZConfig
import GPZTensor

/// A setting or input an attack cannot work with, e.g.
/// `InversionDecoder: tokens [50, 128] do not form a square grid with or without a class token`.
public struct AttackError: MessageError, UserError {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }
}
