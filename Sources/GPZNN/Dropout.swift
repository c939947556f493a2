import GPZTensor

/// Dropout, as `torch.nn.Dropout`: in training mode each element is zeroed with probability p and the others are
/// scaled by 1/(1 − p), so the expectation is unchanged; in evaluation mode the input passes through.
public final class Dropout: Module {
    public let p: Double
    public var isTraining = true

    public init(_ p: Double = 0.5) throws {
        try TensorError.check(p >= 0 && p <= 1, "Dropout", "probability \(p) is outside [0, 1]")
        self.p = p
    }

    public func forward(_ input: Tensor) throws -> Tensor {
        try input.dropout(p: p, training: isTraining)
    }
}
