import Dispatch
import GPZModels
import GPZTensor

/// The cloud half of a model behind a serial queue: libtorch objects are not thread-safe, so every call on the model
/// runs on this one queue, one after another (each uses libtorch's intra-op threads), without gradient recording.
final class ModelRunner: @unchecked Sendable {
    /// A job that reached the model after its request's deadline: it is dropped without computing.
    struct Expired: Error {}

    // Touched only on `queue` (and in `init`, before any job).
    private let model: StagedModel
    let split: SplitPoint
    private let queue = DispatchQueue(label: "gpz.serve.model", qos: .userInitiated)

    init(model: StagedModel, split: SplitPoint) {
        model.eval()
        self.model = model
        self.split = split
    }

    /// The logits of the cloud half for `batch` samples of `features` (row-major [batch, …split shape]), row-major
    /// [batch, classes], and the time the model computed (not counting the wait for the queue); throws `Expired`
    /// when the job only gets to the model after `deadline`.
    func logits(_ features: [Float], batch: Int,
                deadline: ContinuousClock.Instant) async throws -> (logits: [Float], compute: Duration) {
        try await withCheckedThrowingContinuation {
            (continuation: CheckedContinuation<(logits: [Float], compute: Duration), any Error>) in
            queue.async {
                let start = ContinuousClock.now
                guard start < deadline else {
                    continuation.resume(throwing: Expired())
                    return
                }
                continuation.resume(with: Result {
                    let logits = try self.compute(features, batch: batch)
                    return (logits, ContinuousClock.now - start)
                })
            }
        }
    }

    private func compute(_ features: [Float], batch: Int) throws -> [Float] {
        try withNoGrad {
            let z = try Tensor(features, shape: [batch] + split.shape).to(Device.current)
            return try model.cloud(z, from: split.index).toFloats()
        }
    }
}
