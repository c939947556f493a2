import ArgumentParser
import Foundation
import GPZModels
import GPZServe
import GPZTensor

/// `gpz edge`: the edge half of a checkpoint on its private images, Z sent to `gpz serve`. The options become an
/// `EdgeConfiguration`; checking them, the server and the images, the run and the deployment row are GPZServe's
/// (`EdgeSession`); this prints.
struct EdgeCommand: AsyncParsableCommand {
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

        --deploy-row FILE --link RATE:DELAY records the run as one row of a deployment sweep (deploy.json, schema \
        gpz-deploy-sweep-v1, docs/deploy.md): FILE is created, or must be a sweep of the same checkpoint, \
        --emulation and --limit; the row replaces the one of the same split, link, encoding and compression, or \
        is appended. Without --json the sweep so far is then printed as a table.
        """
    )

    /// The library's defaults, which the options take.
    static let defaults = EdgeConfiguration(server: "", checkpoint: "", split: "")

    @Option(help: "The server's base URL: http://HOST:PORT or https://HOST:PORT.")
    var server: String

    @Option(help: "Checkpoint directory written by `gpz train` (the server must serve the same one).")
    var checkpoint: String

    @Option(help: "The split the edge computes up to: a name (e.g. block3) or a 1-based index (as `gpz serve --split`).")
    var split: String

    @Option(help: "The model name the server serves, in /v2/models/{name}.")
    var modelName = defaults.modelName

    @Option(help: "File holding the bearer token to send.")
    var tokenFile: String?

    @Option(help: "Encoding of Z on the wire: fp32, fp16 or int8 (symmetric, one scale per request).")
    var encoding = defaults.requests.encoding

    @Option(help: "The defender's Gaussian noise on Z before it is encoded: σ times each feature's spread on the target's training images (0: none), as a scan's attack.noise.")
    var noise = defaults.noise

    @Option(help: "Seed of the noise's per-image draws (a scan's attack.seed): the same σ, seed and images send exactly the noisy Z whose accuracy a scan reports as accuracy_as_sent.")
    var noiseSeed = defaults.noiseSeed

    @Option(help: "Data set of the private images (default: the checkpoint's own).")
    var data: String?

    @Option(help: "Send the first N class-interleaved private images (default: all of them).")
    var limit: Int?

    @Option(help: "Samples per request.")
    var batch = defaults.requests.batch

    @Option(help: "Requests in flight at once.")
    var concurrency = defaults.requests.concurrency

    @Option(help: "Compress the request body: gzip or deflate (HTTP Content-Encoding; the server inflates it).")
    var compress: BodyCompression?

    @Option(help: "PEM certificate(s) to trust for an https:// server (e.g. its self-signed certificate).")
    var cacert: String?

    @Option(help: "Seconds one request may take.")
    var timeoutS = defaults.timeoutSeconds

    @Option(help: "Record the run as a row of the deployment sweep in this file (created, or merged into).")
    var deployRow: String?

    @Option(help: "With --deploy-row: the link the run is measured on, RATE:DELAY (e.g. 10mbit:40ms; named 10mbit/40ms).")
    var link: String?

    @Option(help: "With --deploy-row: how the link is emulated, e.g. netem or tbf+relay (default: \(EdgeConfiguration.noEmulation)).")
    var emulation: String?

    @Flag(help: "Print one JSON document (the report) on stdout.")
    var json = false

    @OptionGroup var deviceOption: DeviceOption

    func run() async throws {
        try await reportingErrors {
            let bar = LockedProgressBar()
            let outcome = try await EdgeSession.run(configuration(), note: { note($0) }) { done, total in
                bar.update(done, total)
            }
            if json {
                print(try jsonLine(outcome.report))
            } else if let sweep = outcome.sweep {
                print(Self.table(sweep, batch: outcome.report.batch, concurrency: outcome.report.concurrency))
            } else {
                print(Self.table(outcome.report))
            }
        }
    }

    /// The options as GPZServe takes them, unchecked.
    func configuration() -> EdgeConfiguration {
        var configuration = EdgeConfiguration(server: server, checkpoint: checkpoint, split: split)
        configuration.modelName = modelName
        configuration.tokenFile = tokenFile
        configuration.cacert = cacert
        configuration.timeoutSeconds = timeoutS
        configuration.data = data
        configuration.limit = limit
        configuration.requests.encoding = encoding
        configuration.noise = noise
        configuration.noiseSeed = noiseSeed
        configuration.requests.batch = batch
        configuration.requests.concurrency = concurrency
        configuration.requests.compression = compress
        configuration.device = deviceOption.device
        configuration.deployRow = deployRow
        configuration.link = link
        configuration.emulation = emulation
        return configuration
    }

    /// A sweep's rows as a table for people, one line per split × link × encoding.
    static func table(_ sweep: DeploySweep, batch: Int, concurrency: Int) -> String {
        func left(_ text: String, _ width: Int) -> String {
            text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
        }
        func right(_ text: String, _ width: Int) -> String {
            text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
        }
        var lines = [
            "emulation: \(sweep.emulation); \(sweep.date); \(sweep.limit) private images per run, batch \(batch), "
                + "concurrency \(concurrency)",
            [left("split", 8), left("link", 14), left("enc", 12), right("B/sample", 9), right("Z B", 7),
             right("edge ms", 8), right("transfer", 9), right("cloud ms", 8), right("e2e ms", 8), right("e2e p99", 8),
             right("acc", 6), right("acc in-proc", 11)].joined(separator: " "),
        ]
        for r in sweep.runs {
            lines.append([left(r.split, 8), left(r.link, 14),
                          left(r.encoding.rawValue + (r.compression.map { "+" + $0 } ?? ""), 12),
                          String(format: "%9.0f %7.0f %8.2f %9.2f %8.2f %8.2f %8.2f %6.3f %11.3f",
                                 r.requestBytesPerSample, r.zBytesPerSample, r.edgeMs, r.transferMs, r.cloudMs,
                                 r.endToEndMs, r.endToEndP99Ms, r.accuracy, r.inProcessAccuracy)]
                .joined(separator: " "))
        }
        return lines.joined(separator: "\n")
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
