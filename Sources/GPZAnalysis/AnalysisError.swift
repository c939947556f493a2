import GPZConfig
import GPZTensor

/// The analysis could not run as asked: bad input (mismatched lengths, labels out of range, non-finite features)
/// or a quantity that is undefined for the data given. The message names the split or argument involved.
public struct AnalysisError: MessageError, UserError {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }
}
