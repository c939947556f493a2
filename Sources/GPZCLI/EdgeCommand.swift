import ArgumentParser
import Dispatch
import Foundation
import GPZAttacks
import GPZData
import GPZModels
import GPZReport
import GPZScan
import GPZServe
import GPZTensor
import GPZTraining

/// `gpz edge`: the edge half of a checkpoint on its private images, Z sent to `gpz serve`.
struct EdgeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edge",
        abstract: "Run the edge half of a checkpoint on its private images and send Z to `gpz serve`.",
        discussion: """
        The images are the checkpoint's private set (its test split, re-derived from its data plan and checked \
        against its membership hash), class-interleaved, the first --limit of them. Each request carries --batch \
        samples' Z (encoded as --encoding; INT8 takes one scale per request, so --batch 1 sends exactly what \
        `gpz attack --encoding int8` attacks); --concurrency requests are in flight at once. One warm-up request \
        goes first and is not counted.

        Reported: the served accuracy, the whole model's accuracy in process (FP32) and the cloud half's accuracy \
        in process on Z as sent (the encoding's own cost), the bytes per sample on the wire (request body, Z \
        itself, response), and the latency per request split into the edge's compute, the transfer (plus the \
        server's decoding and queueing) and the cloud's compute (the server's gpz_compute_seconds), with mean, \
        p50 and p99. Progress goes to stderr; --json prints one JSON document on stdout.
        """
    )

    @Option(help: "The server's base URL: http://HOST:PORT or https://HOST:PORT.")
    var server: String

    @Option(help: "Checkpoint directory written by `gpz train` (the server must serve the same one).")
    var checkpoint: String

    @Option(help: "The split the edge computes up to: a name (e.g. block3) or a 1-based index (as `gpz serve --split`).")
    var split: String

    @Option(help: "The model name the server serves, in /v2/models/{name}.")
    var modelName = ServeConfiguration().modelName

    @Option(help: "File holding the bearer token to send.")
    var tokenFile: String?

    @Option(help: "Encoding of Z on the wire: fp32, fp16 or int8 (symmetric, one scale per request).")
    var encoding = WireEncoding.fp32

    @Option(help: "Data set of the private images (default: the checkpoint's own).")
    var data: String?

    @Option(help: "Send the first N class-interleaved private images (default: all of them).")
    var limit: Int?

    @Option(help: "Samples per request.")
    var batch = 1

    @Option(help: "Requests in flight at once.")
    var concurrency = 1

    @Option(help: "Compress the request body: gzip or deflate (HTTP Content-Encoding; the server inflates it).")
    var compress: BodyCompression?

    @Option(help: "PEM certificate(s) to trust for an https:// server (e.g. its self-signed certificate).")
    var cacert: String?

    @Option(help: "Seconds one request may take.")
    var timeoutS = 30.0

    @Flag(help: "Print one JSON document (the report) on stdout.")
    var json = false

    @OptionGroup var deviceOption: DeviceOption

    func run() throws {
        try reportingErrors {
            try checkOptions()
            try deviceOption.apply(fallback: .cpu)
            let clientConfiguration = try self.clientConfiguration()
            let (model, info) = try CheckpointStore.loadModel(URL(fileURLWithPath: checkpoint))
            let point: SplitPoint
            do {
                point = try model.split(named: split)
            } catch let error as ModelError {
                throw EdgeOptionError("--split: \(error.message)")
            }
            let images = try privateImages(info)
            try checkServer(clientConfiguration, split: point)
            note("gpz edge: \(images.count) private images, \(info.model.architecture) split \(point.name) "
                 + "(Z [\(point.shape.map(String.init).joined(separator: ", "))]), \(encoding.rawValue)"
                 + (compress.map { " + \($0.rawValue)" } ?? "") + ", batch \(batch), concurrency \(concurrency) → "
                 + server)
            var options = EdgeRunOptions()
            options.encoding = encoding
            options.batch = batch
            options.concurrency = concurrency
            options.compression = compress
            let settings = options
            let runner = EdgeRunner(model: model, split: point, normalization: info.normalization)
            let bar = LockedProgressBar()
            let report = try blocking {
                try await EdgeClient.with(clientConfiguration) { client in
                    try await runner.run(images: images, client: client, options: settings,
                                         checkpoint: checkpoint) { done, total in
                        bar.update(done, total)
                    }
                }
            }
            if json {
                print(try jsonLine(report))
            } else {
                print(Self.table(report))
            }
        }
    }

    /// Checks the options that need no files, naming the first bad one.
    func checkOptions() throws {
        guard server.hasPrefix("http://") || server.hasPrefix("https://"),
              let url = URL(string: server), url.host != nil, url.path.isEmpty || url.path == "/" else {
            throw EdgeOptionError("--server: expected http://HOST:PORT or https://HOST:PORT, got '\(server)'")
        }
        guard (1...4096).contains(batch) else { throw EdgeOptionError("--batch: expected 1…4096, got \(batch)") }
        guard (1...256).contains(concurrency) else {
            throw EdgeOptionError("--concurrency: expected 1…256, got \(concurrency)")
        }
        if let limit, limit < 1 { throw EdgeOptionError("--limit: expected at least 1, got \(limit)") }
        guard timeoutS.isFinite, timeoutS > 0, timeoutS <= 3600 else {
            throw EdgeOptionError("--timeout-s: expected more than 0 and at most 3600 seconds, got \(timeoutS)")
        }
        if cacert != nil, !server.hasPrefix("https://") {
            throw EdgeOptionError("--cacert: only for an https:// --server")
        }
    }

    func clientConfiguration() throws -> EdgeClient.Configuration {
        var token: String?
        if let tokenFile {
            _ = try BearerToken.read(from: tokenFile)  // the same checks as the server's
            token = try String(contentsOfFile: tokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        var pem: [UInt8]?
        if let cacert {
            guard let data = FileManager.default.contents(atPath: cacert), !data.isEmpty, data.count <= 1 << 20 else {
                throw EdgeOptionError("--cacert \(cacert): no such file, empty, or over 1 MiB")
            }
            pem = [UInt8](data)
        }
        let base = server.hasSuffix("/") ? String(server.dropLast()) : server
        return EdgeClient.Configuration(baseURL: base, modelName: modelName, token: token, trustedCertificatesPEM: pem,
                                        timeout: .milliseconds(Int64((timeoutS * 1000).rounded(.up))),
                                        maxConnections: concurrency)
    }

    /// Asks the server for its model's metadata before anything else: an unreachable server, a wrong token or
    /// model name, or another split than the edge's is an error naming the option.
    func checkServer(_ configuration: EdgeClient.Configuration, split point: SplitPoint) throws {
        let metadata: ModelMetadata
        do {
            metadata = try blocking {
                try await EdgeClient.with(configuration) { try await $0.metadata() }
            }
        } catch let error as EdgeClientError {
            switch error.status {
            case nil: throw EdgeOptionError("--server \(server): no answer from the server (\(error.message))")
            case 401: throw EdgeOptionError("--token-file: the server refused the token (\(error.message))")
            case 404: throw EdgeOptionError("--model-name: \(error.message)")
            default: throw error
            }
        }
        if case .string(let served)? = metadata.parameters?["split"], served != point.name {
            throw EdgeOptionError("--split: the server at \(server) serves split '\(served)', the edge computes up "
                                  + "to '\(point.name)'")
        }
    }

    /// The first --limit class-interleaved private images of the checkpoint's data plan (or of --data's test
    /// split, converted to the model's input).
    func privateImages(_ info: CheckpointInfo) throws -> ImageSet {
        var images: ImageSet
        if data == nil || data == info.config.dataset {
            var config = AttackConfig()
            config.evaluateLimit = limit
            images = try AttackData(info: info, config: config).evaluationImages
        } else {
            var plan = info.config.splitPlan
            plan.side = info.model.imageSize
            plan.channels = info.model.channels
            let roles: Roles
            do {
                roles = try Roles.make(try Catalog.load(data!), plan: plan)
            } catch let error as DataError {
                throw EdgeOptionError("--data: \(error)")
            }
            guard roles.classNames.count <= info.model.classes else {
                throw EdgeOptionError("--data: \(data!) has \(roles.classNames.count) classes, the model "
                                      + "\(info.model.classes)")
            }
            images = ImageStreams.classInterleaved(roles.privateSet.images)
            if let limit, limit < images.count { images = images.subset(Array(0..<limit)) }
        }
        return images
    }

    /// The report as a table for people.
    static func table(_ r: EdgeRunReport) -> String {
        func row(_ name: String, _ l: EdgeRunReport.Latency) -> String {
            name.padding(toLength: 22, withPad: " ", startingAt: 0)
                + String(format: "%9.3f %9.3f %9.3f %9.3f", l.mean, l.p50, l.p99, l.max)
        }
        let lines = [
            "split \(r.split) (index \(r.splitIndex), Z [\(r.shape.map(String.init).joined(separator: ", "))]), "
                + "\(r.encoding.rawValue)\(r.compression.map { " + \($0)" } ?? ""), \(r.samples) samples in "
                + "\(r.requests) requests (batch \(r.batch), concurrency \(r.concurrency))",
            String(format: "accuracy served %.4f | in process: FP32 %.4f, on Z as sent %.4f | agreement %.4f",
                   r.accuracy, r.inProcessAccuracy, r.inProcessAccuracyAsSent, r.agreement),
            String(format: "bytes/sample: request %.1f%@, Z %.1f, response %.1f", r.bytes.requestPerSample,
                   r.compression == nil ? "" : String(format: " (uncompressed %.1f, saving %.1f %%)",
                                                      r.bytes.uncompressedRequestPerSample,
                                                      100 * r.bytes.compressionSaving),
                   r.bytes.zPerSample, r.bytes.responsePerSample),
            "latency per request (ms)   mean       p50       p99       max",
            row("  edge compute", r.latencyMs.edge),
            row("  transfer + server", r.latencyMs.transferAndServer),
            row("  cloud compute", r.latencyMs.cloud),
            row("  end to end", r.latencyMs.endToEnd),
            String(format: "throughput %.1f samples/s over %.2f s", r.samplesPerSecond, r.wallSeconds),
        ]
        return lines.joined(separator: "\n")
    }
}

/// A bad `gpz edge` option or file: one line naming it, exit status 2.
struct EdgeOptionError: Error, CustomStringConvertible, BadInput {
    let description: String
    init(_ description: String) { self.description = description }
}

extension EdgeClientError: BadInput {}
extension WireEncoding: ExpressibleByArgument {}
extension BodyCompression: ExpressibleByArgument {}

/// A progress bar that several tasks update.
final class LockedProgressBar: @unchecked Sendable {
    private let lock = NSLock()
    private var bar: ProgressBar?

    func update(_ done: Int, _ total: Int) {
        lock.lock()
        defer { lock.unlock() }
        if bar == nil { bar = ProgressBar("requests", total: total, unit: "requests") }
        bar?.update(done, [])
    }
}

/// Runs `body` on Swift's concurrency pool and waits for it on this thread (the CLI's commands are synchronous).
func blocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let box = ResultBox<T>()
    Task {
        do { box.finish(.success(try await body())) } catch { box.finish(.failure(error)) }
    }
    return try box.wait().get()
}

private final class ResultBox<T: Sendable>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<T, any Error>?

    func finish(_ result: Result<T, any Error>) {
        self.result = result
        done.signal()
    }

    func wait() -> Result<T, any Error> {
        done.wait()
        return result!
    }
}
