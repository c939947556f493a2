import GPZTensor

/// Image batches [N, C, H, W] with values in [0, 1] that can be read any number of times, one pass per epoch.
///
/// A data layer supplies `makePass`, which starts a pass (for example reshuffling) and returns a function
/// yielding the next batch, or nil at the end of the pass.
public struct ImageBatchStream {
    /// Batches per pass when known (for progress totals).
    public let batchesPerPass: Int?
    private let makePass: () throws -> () throws -> Tensor?

    public init(batchesPerPass: Int? = nil, makePass: @escaping () throws -> () throws -> Tensor?) {
        self.batchesPerPass = batchesPerPass
        self.makePass = makePass
    }

    /// The same batches, in order, on every pass.
    public init(_ batches: [Tensor]) {
        self.init(batchesPerPass: batches.count) {
            var iterator = batches.makeIterator()
            return { iterator.next() }
        }
    }

    /// Runs `body` on every batch of one pass.
    public func forEachBatch(_ body: (Tensor) throws -> Void) throws {
        let next = try makePass()
        while let batch = try next() {
            try AttackError.check(batch.rank == 4, "image batches must be [N, C, H, W], got \(batch.shape)")
            try body(batch)
        }
    }
}
