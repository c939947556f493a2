import GPZTensor

/// Image batches [N, C, H, W] with values in [0, 1] that can be read any number of times, one pass per epoch.
///
/// A data layer supplies `makePass`, which starts a pass (for example reshuffling) and returns a function
/// yielding the next batch, or nil at the end of the pass. A stream whose batches also say which images of a fixed
/// set of `sampleCount` they are (and show them unaugmented) lets trainers bank the target's features per image
/// (`FeatureBank`).
public struct ImageBatchStream {
    /// Batches per pass when known (for progress totals).
    public let batchesPerPass: Int?
    /// The number of distinct images when batches carry their images' indices (0..<sampleCount); else nil.
    public let sampleCount: Int?
    private let makePass: () throws -> () throws -> (images: Tensor, indices: [Int]?)?

    public init(batchesPerPass: Int? = nil, makePass: @escaping () throws -> () throws -> Tensor?) {
        self.batchesPerPass = batchesPerPass
        sampleCount = nil
        self.makePass = {
            let next = try makePass()
            return { try next().map { ($0, nil) } }
        }
    }

    /// Batches of a fixed set of `sampleCount` images, each with its images' indices in that set.
    public init(batchesPerPass: Int?, sampleCount: Int,
                makeIndexedPass: @escaping () throws -> () throws -> (images: Tensor, indices: [Int])?) {
        self.batchesPerPass = batchesPerPass
        self.sampleCount = sampleCount
        makePass = {
            let next = try makeIndexedPass()
            return { try next().map { ($0.images, $0.indices) } }
        }
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
        try forEachIndexedBatch { images, _ in try body(images) }
    }

    /// Runs `body` on every batch of one pass with its images' indices (nil when the stream has none).
    public func forEachIndexedBatch(_ body: (Tensor, [Int]?) throws -> Void) throws {
        let next = try makePass()
        while let batch = try next() {
            try AttackError.check(batch.images.rank == 4, "image batches must be [N, C, H, W], got \(batch.images.shape)")
            if let indices = batch.indices {
                try AttackError.check(indices.count == batch.images.size(0),
                                      "a batch of \(batch.images.size(0)) images carries \(indices.count) indices")
            }
            try body(batch.images, batch.indices)
        }
    }
}
