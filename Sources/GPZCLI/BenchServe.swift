import ArgumentParser
import Foundation
import GPZData
import GPZModels
import GPZServe
import GPZTensor
import GPZTraining

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `gpz bench serve`: a bounded load test of `gpz serve` on loopback.
struct BenchServe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Load-test `gpz serve` on loopback: throughput, p50/p99 latency per concurrency, the server's RSS.",
        discussion: """
        Starts `gpz serve --checkpoint DIR --split NAME --port 0` as a child process on 127.0.0.1, sends one \
        warm-up request, then for each --concurrency level --requests inference requests (--batch samples of \
        seeded random Z of the split's shape, --encoding) with that many in flight, stopping early at \
        --time-cap-s per level. Reported per level: requests answered 200 and otherwise, throughput, latency \
        (mean, p50, p99, max, ms; the HTTP round trip on the client), and the server's resident memory (VmRSS) \
        after the level; and the RSS after the first third and after the last third of all requests, to show \
        that memory stays flat. The server is stopped at the end.
        """
    )

    @Option(help: "Checkpoint directory written by `gpz train`.")
    var checkpoint: String

    @Option(help: "The split served (a name or a 1-based index).")
    var split: String

    @Option(help: "Requests per concurrency level.")
    var requests = 600

    @Option(help: "Concurrency levels, comma-separated.")
    var concurrency = "1,4,16"

    @Option(help: "Samples per request.")
    var batch = 1

    @Option(help: "Encoding of Z: fp32, fp16 or int8.")
    var encoding = WireEncoding.fp32

    @Option(help: "Seconds per level after which no new request is sent.")
    var timeCapS = 60.0

    @Option(help: "The server's --max-concurrency.")
    var serverConcurrency = ServeConfiguration().maxConcurrency

    @Flag(help: "Print one JSON document instead of a table.")
    var json = false

    struct Level: Codable {
        var concurrency: Int
        var sent: Int
        var ok: Int
        var failed: Int
        var seconds: Double
        var requestsPerSecond: Double
        var samplesPerSecond: Double
        var latencyMs: EdgeRunReport.Latency
        var rssMiBAfter: Double

        enum CodingKeys: String, CodingKey {
            case concurrency, sent, ok, failed, seconds, requestsPerSecond = "requests_per_second"
            case samplesPerSecond = "samples_per_second", latencyMs = "latency_ms", rssMiBAfter = "rss_mib_after"
        }
    }

    struct Report: Codable {
        var checkpoint: String
        var split: String
        var shape: [Int]
        var batch: Int
        var encoding: WireEncoding
        var requestBytes: Int
        var serverMaxConcurrency: Int
        var levels: [Level]
        var rssMiBStart: Double
        var rssMiBAfterFirstThird: Double
        var rssMiBAfterLastThird: Double
        var date: String

        enum CodingKeys: String, CodingKey {
            case checkpoint, split, shape, batch, encoding, requestBytes = "request_bytes"
            case serverMaxConcurrency = "server_max_concurrency", levels, rssMiBStart = "rss_mib_start"
            case rssMiBAfterFirstThird = "rss_mib_after_first_third", rssMiBAfterLastThird = "rss_mib_after_last_third"
            case date
        }
    }

    func levels() throws -> [Int] {
        let values = concurrency.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ ($0 ?? 0) >= 1 && ($0 ?? 0) <= 1024 }) else {
            throw ValidationError("--concurrency: expected comma-separated integers in 1…1024, got '\(concurrency)'")
        }
        return values.map { $0! }
    }

    func validate() throws {
        _ = try levels()
        guard requests >= 1 else { throw ValidationError("--requests: expected at least 1, got \(requests)") }
        guard (1...4096).contains(batch) else { throw ValidationError("--batch: expected 1…4096, got \(batch)") }
        guard timeCapS.isFinite, timeCapS > 0 else {
            throw ValidationError("--time-cap-s: expected a positive number, got \(timeCapS)")
        }
    }

    func run() async throws {
        try await reportingErrors {
            let (model, _) = try CheckpointStore.loadModel(URL(fileURLWithPath: checkpoint))
            let point: SplitPoint
            do {
                point = try model.split(named: split)
            } catch let error as ModelError {
                throw EdgeOptionError("--split: \(error.message)")
            }
            var generator = SeededRandom(seed: 0x6770_7a)
            let count = batch * point.shape.reduce(1, *)
            let features = (0..<count).map { _ in Float.random(in: -1...1, using: &generator) }
            let shape = [batch] + point.shape
            guard let executable = Bundle.main.executableURL else {
                throw EdgeOptionError("cannot find the gpz executable")
            }
            let arguments = ["serve", "--checkpoint", checkpoint, "--split", split, "--port", "0",
                             "--max-concurrency", String(serverConcurrency)]
            let server = try ServeProcess(executable: executable, arguments: arguments, readyWithin: 120)
            defer { server.stop() }
            let levels = try self.levels()
            let total = requests * levels.count
            let body = InferenceCodec.encodeRequest(features: features, shape: shape,
                                                    encoding: encoding.encoding(for: features), binary: true,
                                                    outputs: [OutputChoice(name: "logits", binary: true)])
            let report: Report = try await EdgeClient.with(.init(baseURL: server.url, timeout: .seconds(60),
                                            maxConnections: levels.max() ?? 1)) { client in
                _ = try await client.infer(features, shape: shape, encoding: encoding.encoding(for: features))
                let start = server.rssMiB()
                var firstThird = start
                var done = 0
                var results: [Level] = []
                for level in levels {
                    note("gpz bench serve: concurrency \(level), \(requests) requests")
                    let measured = try await measure(client, features: features, shape: shape, concurrency: level) {
                        done += 1
                        if done == total / 3 { firstThird = server.rssMiB() }
                    }
                    results.append(Level(concurrency: level, sent: measured.sent, ok: measured.latencies.count,
                                         failed: measured.sent - measured.latencies.count,
                                         seconds: measured.seconds,
                                         requestsPerSecond: Double(measured.latencies.count) / measured.seconds,
                                         samplesPerSecond: Double(measured.latencies.count * batch) / measured.seconds,
                                         latencyMs: EdgeRunner.latencyStatistics(measured.latencies),
                                         rssMiBAfter: server.rssMiB()))
                }
                let lastThird = server.rssMiB()  // after every request
                let date = ISO8601DateFormatter().string(from: Date())
                return Report(checkpoint: checkpoint, split: point.name, shape: point.shape, batch: batch,
                              encoding: encoding, requestBytes: body.bytes.count,
                              serverMaxConcurrency: serverConcurrency, levels: results, rssMiBStart: start,
                              rssMiBAfterFirstThird: firstThird, rssMiBAfterLastThird: lastThird, date: date)
            }
            if json {
                print(try jsonLine(report))
            } else {
                print("split \(report.split) Z [\(point.shape.map(String.init).joined(separator: ", "))], batch \(batch), "
                      + "\(encoding.rawValue), \(report.requestBytes) bytes/request, server --max-concurrency "
                      + "\(serverConcurrency)")
                print("concurrency   ok  failed   req/s  samples/s   mean ms    p50 ms    p99 ms    max ms  RSS MiB")
                for l in report.levels {
                    print(String(format: "%11d %4d %7d %7.1f %10.1f %9.3f %9.3f %9.3f %9.3f %8.1f", l.concurrency, l.ok,
                                 l.failed, l.requestsPerSecond, l.samplesPerSecond, l.latencyMs.mean, l.latencyMs.p50,
                                 l.latencyMs.p99, l.latencyMs.max, l.rssMiBAfter))
                }
                print(String(format: "server RSS: %.1f MiB after warm-up, %.1f after the first third, %.1f after the last third",
                             report.rssMiBStart, report.rssMiBAfterFirstThird, report.rssMiBAfterLastThird))
            }
        }
    }

    /// `requests` requests with `concurrency` in flight, none started after the time cap; the round-trip times of
    /// those answered 200 (ms), how many were sent, and the seconds the level took.
    private func measure(_ client: EdgeClient, features: [Float], shape: [Int], concurrency: Int,
                         onDone: @escaping () -> Void) async throws -> (latencies: [Double], sent: Int, seconds: Double) {
        let start = ContinuousClock.now
        let cap = start + .milliseconds(Int64(timeCapS * 1000))
        let encoded = encoding.encoding(for: features)
        var latencies: [Double] = []
        var sent = 0
        try await withThrowingTaskGroup(of: Double?.self) { group in
            func launch() {
                sent += 1
                group.addTask {
                    do {
                        return try await client.exchange(features, shape: shape, encoding: encoded).roundTrip.secondsValue
                            * 1000
                    } catch let error as EdgeClientError where error.status != nil {
                        return nil
                    }
                }
            }
            for _ in 0..<Swift.min(concurrency, requests) { launch() }
            while let latency = try await group.next() {
                if let latency { latencies.append(latency) }
                onDone()
                if sent < requests && ContinuousClock.now < cap { launch() }
            }
        }
        return (latencies, sent, (ContinuousClock.now - start).secondsValue)
    }
}
