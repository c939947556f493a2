import Foundation
import GPZTensor

/// One batch: images as a float32 [B, C, H, W] tensor in [0, 1], labels as int64 [B], and which images of the
/// set they are.
public struct Batch {
    public let images: Tensor
    public let labels: Tensor
    public let indices: [Int]
}

/// A batch before it becomes tensors: plain buffers, made on the prefetch thread.
public struct RawBatch: Sendable {
    public var pixels: [Float]
    public var labels: [Int64]
    public var indices: [Int]
    public var shape: [Int]
}

/// Seeded, shuffled mini-batches of an `ImageSet`, with optional drop-last and random horizontal flips, assembled
/// on a background thread.
///
/// The order of epoch `e` and its flips are functions of (`seed`, `e`) only, so two runs with one seed see the
/// same batches whatever the thread timing. The producer thread fills `[Float]` buffers `prefetch` batches ahead;
/// tensors are created on the consuming thread (tensors are not `Sendable`).
public final class BatchLoader: @unchecked Sendable {
    public let set: ImageSet
    public let batchSize: Int
    public let shuffle: Bool
    public let dropLast: Bool
    public let flipProbability: Float
    public let seed: UInt64
    public let prefetch: Int

    public init(_ set: ImageSet, batchSize: Int, shuffle: Bool = true, dropLast: Bool = false,
                flipProbability: Float = 0, seed: UInt64 = 0, prefetch: Int = 2) {
        precondition(batchSize > 0, "batch size must be positive")
        self.set = set
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.dropLast = dropLast
        self.flipProbability = flipProbability
        self.seed = seed
        self.prefetch = max(0, prefetch)
    }

    public var batchesPerEpoch: Int {
        dropLast ? set.count / batchSize : (set.count + batchSize - 1) / batchSize
    }

    /// The image order of epoch `epoch`.
    public func order(epoch: Int) -> [Int] {
        guard shuffle else { return Array(0 ..< set.count) }
        var rng = SeededRandom(seed: seed, stream: "shuffle \(epoch)")
        return rng.permutation(set.count)
    }

    /// Which positions of epoch `epoch`'s order are flipped.
    func flips(epoch: Int) -> [Bool] {
        guard flipProbability > 0 else { return [Bool](repeating: false, count: set.count) }
        var rng = SeededRandom(seed: seed, stream: "flip \(epoch)")
        return (0 ..< set.count).map { _ in rng.unit() < flipProbability }
    }

    /// The batches of one epoch, in order.
    public func epoch(_ epoch: Int) -> EpochIterator {
        EpochIterator(loader: self, epoch: epoch)
    }

    /// Assembles the images at `indices` into a float buffer scaled to [0, 1], flipping where `flip` says.
    public static func assemble(_ set: ImageSet, indices: [Int], flip: [Bool]) -> RawBatch {
        let size = set.imageSize
        var out = [Float](repeating: 0, count: indices.count * size)
        var labels = [Int64](repeating: 0, count: indices.count)
        out.withUnsafeMutableBufferPointer { dst in
            set.pixels.withUnsafeBufferPointer { src in
                for (k, i) in indices.enumerated() {
                    let s = src.baseAddress! + i * size
                    let d = dst.baseAddress! + k * size
                    for j in 0 ..< size { d[j] = unitScale[Int(s[j])] }
                    if flip[k] { Transforms.flipHorizontally(d, channels: set.channels, height: set.height, width: set.width) }
                    labels[k] = Int64(set.labels[i])
                }
            }
        }
        return RawBatch(pixels: out, labels: labels, indices: indices,
                        shape: [indices.count, set.channels, set.height, set.width])
    }

    /// Tensors from a raw batch (on the calling thread).
    public static func tensors(_ raw: RawBatch) throws -> Batch {
        Batch(images: try Tensor(raw.pixels, shape: raw.shape), labels: try Tensor(raw.labels, shape: [raw.labels.count]),
              indices: raw.indices)
    }
}

/// `Float(v) / 255` for every byte value: exactly torchvision's `ToTensor` scaling, by table lookup.
let unitScale: [Float] = (0 ..< 256).map { Float($0) / 255 }

/// Iterates one epoch's batches; a background thread keeps up to `prefetch` assembled batches ready.
public final class EpochIterator {
    private let loader: BatchLoader
    private let plan: [[Int]]
    private let flipPlan: [[Bool]]
    private var position = 0
    private let queue: PrefetchQueue?

    init(loader: BatchLoader, epoch: Int) {
        self.loader = loader
        let order = loader.order(epoch: epoch)
        let flips = loader.flips(epoch: epoch)
        var plan: [[Int]] = [], flipPlan: [[Bool]] = []
        var start = 0
        while start < order.count {
            let end = min(start + loader.batchSize, order.count)
            if end - start < loader.batchSize && loader.dropLast { break }
            plan.append(Array(order[start ..< end]))
            flipPlan.append(Array(flips[start ..< end]))
            start = end
        }
        self.plan = plan
        self.flipPlan = flipPlan
        if loader.prefetch > 0 && plan.count > 1 {
            let q = PrefetchQueue(capacity: loader.prefetch)
            let set = loader.set
            let thread = Thread { [plan, flipPlan] in
                for (k, indices) in plan.enumerated() {
                    if q.isCancelled { break }
                    q.push(BatchLoader.assemble(set, indices: indices, flip: flipPlan[k]))
                }
            }
            thread.name = "gpz-prefetch"
            thread.start()
            queue = q
        } else {
            queue = nil
        }
    }

    deinit { queue?.cancel() }

    public var count: Int { plan.count }

    /// The next batch as buffers, or nil at the end of the epoch.
    public func nextRaw() -> RawBatch? {
        guard position < plan.count else { return nil }
        defer { position += 1 }
        if let queue { return queue.pop() }
        return BatchLoader.assemble(loader.set, indices: plan[position], flip: flipPlan[position])
    }

    /// The next batch as tensors, or nil at the end of the epoch.
    public func next() throws -> Batch? {
        guard let raw = nextRaw() else { return nil }
        return try BatchLoader.tensors(raw)
    }
}

/// A bounded FIFO between the prefetch thread and the consumer.
final class PrefetchQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [RawBatch] = []
    private let capacity: Int
    private var cancelled = false

    init(capacity: Int) { self.capacity = max(1, capacity) }

    var isCancelled: Bool {
        condition.lock()
        defer { condition.unlock() }
        return cancelled
    }

    func push(_ item: RawBatch) {
        condition.lock()
        while items.count >= capacity && !cancelled { condition.wait() }
        if !cancelled { items.append(item) }
        condition.broadcast()
        condition.unlock()
    }

    func pop() -> RawBatch {
        condition.lock()
        while items.isEmpty { condition.wait() }
        let item = items.removeFirst()
        condition.broadcast()
        condition.unlock()
        return item
    }

    func cancel() {
        condition.lock()
        cancelled = true
        items.removeAll()
        condition.broadcast()
        condition.unlock()
    }
}

/// Batch-assembly throughput: how many images per second the loader turns into float tensors.
public enum LoaderBenchmark {
    public struct Result: Sendable, Codable {
        public var images: Int
        public var seconds: Double
        public var imagesPerSecond: Double
        public var batchSize: Int
        public var prefetch: Int
        public var flip: Bool
        public var shape: [Int]
    }

    /// The longest measurement `run` accepts, in seconds.
    public static let maximumSeconds = 3600.0

    /// Runs whole epochs over `set` until at least `minimumSeconds` have passed (and at least one epoch),
    /// creating the tensors as a training loop would. `minimumSeconds` must lie in 0…`maximumSeconds` (an
    /// infinite or absurd duration would never return).
    public static func run(_ set: ImageSet, batchSize: Int = 128, prefetch: Int = 2, flip: Bool = false,
                           minimumSeconds: Double = 2, seed: UInt64 = 0) throws -> Result {
        guard minimumSeconds >= 0, minimumSeconds <= maximumSeconds else {
            throw DataError(.badOption, file: "--seconds", "\(minimumSeconds), expected 0–\(Int(maximumSeconds))")
        }
        let loader = BatchLoader(set, batchSize: batchSize, shuffle: true, dropLast: false,
                                 flipProbability: flip ? 0.5 : 0, seed: seed, prefetch: prefetch)
        let start = DispatchTime.now().uptimeNanoseconds
        var images = 0
        var epoch = 0
        var elapsed = 0.0
        repeat {
            let it = loader.epoch(epoch)
            while let batch = try it.next() { images += batch.indices.count }
            epoch += 1
            elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        } while elapsed < minimumSeconds
        return Result(images: images, seconds: elapsed, imagesPerSecond: Double(images) / elapsed, batchSize: batchSize,
                      prefetch: prefetch, flip: flip, shape: set.shape)
    }
}
