import Dispatch
import Foundation
import GPZData
import GPZModels
import GPZTensor

/// How `EdgeRunner` sends the features.
public struct EdgeRunOptions: Sendable {
    /// The encoding of Z on the wire; INT8 takes the scale of each request's values (one scale per request, so
    /// per sample at `batch` 1).
    public var encoding = WireEncoding.fp32
    /// Samples per request.
    public var batch = 1
    /// Requests in flight at once (the edge's model itself runs one batch at a time).
    public var concurrency = 1
    /// Compress the request body (`Content-Encoding`).
    public var compression: BodyCompression?

    public init() {}
}

/// What `gpz edge` measured: accuracy end to end and in process, bytes on the wire and the latency split.
/// Times are milliseconds per request (a request carries `batch` samples); bytes are per sample.
public struct EdgeRunReport: Codable, Sendable, Equatable {
    public struct Latency: Codable, Sendable, Equatable {
        public var mean: Double
        public var p50: Double
        public var p99: Double
        public var max: Double
    }

    public struct Bytes: Codable, Sendable, Equatable {
        /// The request body as sent (compressed with `compression`), per sample.
        public var requestPerSample: Double
        /// The request body before compression, per sample.
        public var uncompressedRequestPerSample: Double
        /// Z's own bytes per sample (the binary section: values × bytes per value).
        public var zPerSample: Double
        /// The response body per sample.
        public var responsePerSample: Double
        /// 1 − sent / uncompressed (0 without compression).
        public var compressionSaving: Double

        enum CodingKeys: String, CodingKey {
            case requestPerSample = "request_per_sample", uncompressedRequestPerSample = "uncompressed_request_per_sample"
            case zPerSample = "z_per_sample", responsePerSample = "response_per_sample"
            case compressionSaving = "compression_saving"
        }
    }

    public struct Latencies: Codable, Sendable, Equatable {
        /// From the start of the edge's compute to the decoded answer.
        public var endToEnd: Latency
        /// The edge half (normalisation, edge(x), copying Z out).
        public var edge: Latency
        /// The HTTP round trip minus the cloud's compute: the transfer both ways, the server's decoding and
        /// queueing, and the HTTP stacks.
        public var transferAndServer: Latency
        /// The cloud half's compute, as the server reported it (`gpz_compute_seconds`).
        public var cloud: Latency
        /// The HTTP round trip.
        public var roundTrip: Latency

        enum CodingKeys: String, CodingKey {
            case endToEnd = "end_to_end", edge, transferAndServer = "transfer_and_server", cloud
            case roundTrip = "round_trip"
        }
    }

    public var checkpoint: String
    public var architecture: String
    public var split: String
    public var splitIndex: Int
    /// Z's per-sample shape.
    public var shape: [Int]
    public var server: String
    public var modelName: String
    public var encoding: WireEncoding
    public var compression: String?
    public var batch: Int
    public var concurrency: Int
    public var samples: Int
    public var requests: Int
    /// Top-1 accuracy of the served answers.
    public var accuracy: Double
    /// Top-1 accuracy of the whole model in process, FP32: what the split costs nothing.
    public var inProcessAccuracy: Double
    /// Top-1 accuracy of cloud(Z as the server receives it) computed in process: the encoding's cost alone.
    public var inProcessAccuracyAsSent: Double
    /// The share of served predictions equal to the in-process ones on Z as sent (1 unless the server computes
    /// differently).
    public var agreement: Double
    public var bytes: Bytes
    public var latencyMs: Latencies
    public var wallSeconds: Double
    public var samplesPerSecond: Double

    enum CodingKeys: String, CodingKey {
        case checkpoint, architecture, split, splitIndex = "split_index", shape, server, modelName = "model_name"
        case encoding, compression, batch, concurrency, samples, requests, accuracy
        case inProcessAccuracy = "in_process_accuracy", inProcessAccuracyAsSent = "in_process_accuracy_as_sent"
        case agreement, bytes, latencyMs = "latency_ms", wallSeconds = "wall_seconds"
        case samplesPerSecond = "samples_per_second"
    }
}

/// The edge half of a model on a set of images: computes Z = edge(x) batch by batch, sends it to `gpz serve`
/// with `EdgeClient`, and measures the accuracy of the answers, the bytes sent and the latency split into the
/// edge's compute, the transfer (with the server's own overhead) and the cloud's compute (which the server
/// reports). libtorch objects are not thread-safe: every model call runs on one serial queue.
public final class EdgeRunner: @unchecked Sendable {
    /// Progress: requests answered, of all.
    public typealias Progress = @Sendable (_ done: Int, _ total: Int) -> Void

    // Touched only on `queue` (and in `init`).
    private let model: StagedModel
    public let split: SplitPoint
    private let normalization: Normalization
    /// The defender's noise on Z before it is encoded (`gpz edge --noise`), and the seed of its per-image draws.
    private let noise: FeatureNoise?
    private let noiseSeed: UInt64
    private let queue = DispatchQueue(label: "gpz.edge.model", qos: .userInitiated)

    public init(model: StagedModel, split: SplitPoint, normalization: Normalization, noise: FeatureNoise? = nil,
                noiseSeed: UInt64 = 0) {
        model.eval()
        self.model = model
        self.split = split
        self.normalization = normalization
        self.noise = noise
        self.noiseSeed = noiseSeed
    }

    /// Z of the images starting at position `first` with the defender's noise, image i's drawn from
    /// `FeatureNoise.accountingSeed(noiseSeed, image: i)`, exactly as a scan's `accuracy_as_sent` draws it.
    private func withNoise(_ z: Tensor, first: Int) throws -> Tensor {
        guard let noise else { return z }
        return try noise.apply(z, sampleSeeds: (first..<first + z.size(0)).map {
            FeatureNoise.accountingSeed(noiseSeed, image: $0)
        })
    }

    /// One request's measurements.
    private struct Record: Sendable {
        var position: Int
        var predictions: [Int]
        var edge: Double
        var roundTrip: Double
        var cloud: Double
        var endToEnd: Double
        var exchange: EdgeClient.Exchange
    }

    /// A batch's images as a tensor, made and used on the queue only.
    private final class Images: @unchecked Sendable {
        let tensor: Tensor
        /// The position of the batch's first image in the set sent.
        let first: Int
        init(_ tensor: Tensor, first: Int) {
            self.tensor = tensor
            self.first = first
        }
    }

    /// Runs the edge on every image of `images` (in order, `options.batch` per request), sends Z through `client`
    /// and reports. One warm-up request (the first batch) goes first and is not counted. The in-process accuracies
    /// are computed afterwards, outside the timed part.
    public func run(images: ImageSet, client: EdgeClient, options: EdgeRunOptions, checkpoint: String,
                    progress: Progress? = nil) async throws -> EdgeRunReport {
        precondition(options.batch >= 1 && options.concurrency >= 1)
        guard images.count > 0 else { throw EdgeClientError("no images to send") }
        let metadata = try await client.metadata()
        if case .string(let served)? = metadata.parameters?["split"], served != split.name {
            throw EdgeClientError("--split: the server at \(client.configuration.baseURL) serves split '\(served)', "
                                  + "the edge computes up to '\(split.name)'")
        }
        if let input = metadata.inputs.first, Array(input.shape.dropFirst()) != split.shape {
            throw EdgeClientError("--split: the server takes z \(input.shape), the edge's split '\(split.name)' "
                                  + "gives \(split.shape) per sample")
        }
        let positions = stride(from: 0, to: images.count, by: options.batch).map {
            Array($0..<Swift.min($0 + options.batch, images.count))
        }
        let batches = try await onQueue {
            try positions.map { indices in
                let raw = BatchLoader.assemble(images, indices: indices, flip: [Bool](repeating: false, count: indices.count))
                return Images(try BatchLoader.tensors(raw).images, first: indices[0])
            }
        }
        // Warm-up: the connection, the server's first call, the edge's first call.
        _ = try await request(batches[0], client: client, options: options, position: 0)

        let next = Counter()
        let start = ContinuousClock.now
        let records = try await withThrowingTaskGroup(of: [Record].self) { group in
            for _ in 0..<Swift.min(options.concurrency, batches.count) {
                group.addTask {
                    var mine: [Record] = []
                    while let position = await next.take(below: batches.count) {
                        mine.append(try await self.request(batches[position], client: client, options: options,
                                                           position: position))
                        progress?(await next.finished(), batches.count)
                    }
                    return mine
                }
            }
            var all: [Record] = []
            for try await records in group { all += records }
            return all.sorted { $0.position < $1.position }
        }
        let wall = (ContinuousClock.now - start).secondsValue

        // In process, untimed: the whole model in FP32, and the cloud half on Z as the server received it.
        let reference = try await onQueue { [self] in
            try withNoGrad {
                try zip(batches, records).map { images, record -> (fp32: [Int], asSent: [Int]) in
                    let input = try normalization.apply(images.tensor)
                    let z = try model.edge(input, upTo: split.index)
                    let values = try withNoise(z, first: images.first).toFloats()
                    let sent = FeatureQuantizer.received(values, as: options.encoding.encoding(for: values))
                    let fp32 = try model.cloud(z, from: split.index).argmax(dim: 1).toInts()
                    let asSent = try model.cloud(try Tensor(sent, shape: z.shape), from: split.index)
                        .argmax(dim: 1).toInts()
                    return (fp32, asSent)
                }
            }
        }
        let labels = images.labels
        var correct = 0, correctFP32 = 0, correctAsSent = 0, agreeing = 0
        for (record, (fp32, asSent)) in zip(records, reference) {
            for (offset, predicted) in record.predictions.enumerated() {
                let label = labels[positions[record.position][offset]]
                correct += predicted == label ? 1 : 0
                correctFP32 += fp32[offset] == label ? 1 : 0
                correctAsSent += asSent[offset] == label ? 1 : 0
                agreeing += predicted == asSent[offset] ? 1 : 0
            }
        }
        let samples = Double(images.count)
        func perSample(_ value: (EdgeClient.Exchange) -> Int) -> Double {
            Double(records.reduce(0) { $0 + value($1.exchange) }) / samples
        }
        let sent = perSample(\.requestBytes), uncompressed = perSample(\.uncompressedBytes)
        return EdgeRunReport(
            checkpoint: checkpoint, architecture: model.config.architecture.description, split: split.name,
            splitIndex: split.index, shape: split.shape, server: client.configuration.baseURL,
            modelName: client.configuration.modelName, encoding: options.encoding,
            compression: options.compression?.rawValue, batch: options.batch, concurrency: options.concurrency,
            samples: images.count, requests: records.count,
            accuracy: Double(correct) / samples, inProcessAccuracy: Double(correctFP32) / samples,
            inProcessAccuracyAsSent: Double(correctAsSent) / samples, agreement: Double(agreeing) / samples,
            bytes: .init(requestPerSample: sent, uncompressedRequestPerSample: uncompressed,
                         zPerSample: perSample(\.featureBytes), responsePerSample: perSample(\.responseBytes),
                         compressionSaving: uncompressed > 0 ? 1 - sent / uncompressed : 0),
            latencyMs: .init(endToEnd: Self.latencyStatistics(records.map(\.endToEnd)), edge: Self.latencyStatistics(records.map(\.edge)),
                             transferAndServer: Self.latencyStatistics(records.map { $0.roundTrip - $0.cloud }),
                             cloud: Self.latencyStatistics(records.map(\.cloud)), roundTrip: Self.latencyStatistics(records.map(\.roundTrip))),
            wallSeconds: wall, samplesPerSecond: samples / Swift.max(wall, 1e-9))
    }

    /// One batch: the edge on the queue, then the exchange.
    private func request(_ images: Images, client: EdgeClient, options: EdgeRunOptions,
                         position: Int) async throws -> Record {
        let (values, shape, edgeStart, edge) = try await onQueue { [self] in
            let start = ContinuousClock.now
            let z = try withNoGrad {
                try withNoise(try model.edge(try normalization.apply(images.tensor), upTo: split.index), first: images.first)
            }
            let values = try z.toFloats()
            return (values, z.shape, start, ContinuousClock.now - start)
        }
        let exchange = try await client.exchange(values, shape: shape, encoding: options.encoding.encoding(for: values),
                                                 outputs: [OutputChoice(name: ServedSignature.classOutput, binary: true)],
                                                 compression: options.compression)
        guard let predictions = exchange.result.predictedClasses, predictions.count == shape[0] else {
            throw EdgeClientError("response: expected \(shape[0]) classes")
        }
        let cloud = exchange.result.computeSeconds ?? 0
        return Record(position: position, predictions: predictions, edge: edge.secondsValue * 1000,
                      roundTrip: exchange.roundTrip.secondsValue * 1000, cloud: cloud * 1000,
                      endToEnd: (ContinuousClock.now - edgeStart).secondsValue * 1000, exchange: exchange)
    }

    /// `body` on the model's queue.
    private func onQueue<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }

    /// Mean, median, 99th percentile (nearest rank) and maximum of `values`.
    public static func latencyStatistics(_ values: [Double]) -> EdgeRunReport.Latency {
        guard !values.isEmpty else { return .init(mean: 0, p50: 0, p99: 0, max: 0) }
        let sorted = values.sorted()
        return .init(mean: values.reduce(0, +) / Double(values.count), p50: percentile(sorted, 0.50),
                     p99: percentile(sorted, 0.99), max: sorted.last!)
    }

    /// The nearest-rank percentile q of `sorted` (ascending, not empty): the smallest value with at least
    /// q · n values at or below it.
    public static func percentile(_ sorted: [Double], _ q: Double) -> Double {
        let rank = Swift.max(1, Int((q * Double(sorted.count)).rounded(.up)))
        return sorted[Swift.min(rank, sorted.count) - 1]
    }
}

/// Hands out positions 0, 1, … once each, and counts finished ones.
private actor Counter {
    private var next = 0
    private var done = 0

    func take(below limit: Int) -> Int? {
        guard next < limit else { return nil }
        defer { next += 1 }
        return next
    }

    func finished() -> Int {
        done += 1
        return done
    }
}

extension Duration {
    /// The duration in seconds.
    public var secondsValue: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }
}
