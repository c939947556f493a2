import Foundation
import GPZConfig
import GPZData
import GPZModels
import GPZTensor
import GPZTestSupport
import GPZTraining
import XCTest
@testable import GPZServe

/// `gpz edge` as a process against an in-process server: one JSON document on stdout, progress on stderr, the
/// numbers consistent with the checkpoint; bad options are one-line errors naming the option, exit status 2.
final class EdgeCommandTests: SeededTestCase {
    /// A cnn4 of width 4 trained one epoch on 120 stripes written as a CSV file, so that `gpz edge` can re-derive
    /// the private images from the checkpoint's data plan (a CSV has no test split: the private images are held
    /// out of its training split).
    private static let lock = NSLock()
    nonisolated(unsafe) private static var trained: URL?

    private func csvCheckpoint() throws -> URL {
        Self.lock.lock()
        defer { Self.lock.unlock() }
        if let trained = Self.trained { return trained }
        // Kept for the test process (both tests use it), removed at its exit.
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("gpz-edge-cli-\(ProcessInfo.processInfo.processIdentifier)")
        try? FileManager.default.removeItem(at: directory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        atexit {
            try? FileManager.default.removeItem(at: FileManager.default.temporaryDirectory
                .appendingPathComponent("gpz-edge-cli-\(ProcessInfo.processInfo.processIdentifier)"))
        }
        let stripes = StripesFixture.images(count: 120, offset: 0)
        var lines: [String] = []
        for i in 0..<stripes.count {
            let pixels = stripes.pixels[(i * 256)..<((i + 1) * 256)].map(String.init)
            lines.append(([String(stripes.labels[i])] + pixels).joined(separator: ","))
        }
        let csv = directory.appendingPathComponent("stripes.csv")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: csv)
        var config = TrainingConfig()
        config.dataset = "csv:\(csv.path),shape=16x16"
        config.privateSource = .train
        config.epochs = 1
        config.learningRate = 3e-3
        config.batchSize = 16
        config.cnn4Width = 4
        let checkpoint = directory.appendingPathComponent("checkpoint")
        try FileManager.default.createDirectory(at: checkpoint, withIntermediateDirectories: true)
        _ = try TargetTrainer(config: config, dataset: try Catalog.load(config.dataset))
            .run(directory: checkpoint, resume: false)
        Self.trained = checkpoint
        return checkpoint
    }

    private struct Report: Decodable {
        struct Bytes: Decodable {
            let z_per_sample: Double
            let request_per_sample: Double
            let uncompressed_request_per_sample: Double
            let compression_saving: Double
        }
        struct Latency: Decodable { let mean: Double, p50: Double, p99: Double }
        struct Latencies: Decodable { let edge: Latency, cloud: Latency, transfer_and_server: Latency, end_to_end: Latency }
        let split: String
        let encoding: String
        let compression: String?
        let samples: Int
        let requests: Int
        let accuracy: Double
        let in_process_accuracy: Double
        let in_process_accuracy_as_sent: Double
        let agreement: Double
        let bytes: Bytes
        let latency_ms: Latencies
    }

    func testEdgeReportsOneJSONDocument() async throws {
        let checkpoint = try csvCheckpoint()
        try await withServer(split: "block2", checkpoint: checkpoint) { running, _ in
            let base = ["edge", "--server", running.url, "--checkpoint", checkpoint.path, "--split", "block2",
                        "--limit", "10", "--json"]
            let fp32 = try GPZExecutable.run(base, besides: Self.self)
            XCTAssertEqual(fp32.status, 0, fp32.stderr)
            XCTAssertEqual(fp32.stdout.filter { $0 == "\n" }.count, 1, "one JSON document: \(fp32.stdout)")
            XCTAssertTrue(fp32.stderr.contains("gpz edge: 10 private images"), fp32.stderr)
            let report = try JSONDecoder().decode(Report.self, from: Data(fp32.stdout.utf8))
            XCTAssertEqual(report.split, "block2")
            XCTAssertEqual(report.encoding, "fp32")
            XCTAssertNil(report.compression)
            XCTAssertEqual(report.samples, 10)
            XCTAssertEqual(report.requests, 10)
            XCTAssertEqual(report.accuracy, report.in_process_accuracy, "FP32 loses nothing on the wire")
            XCTAssertEqual(report.agreement, 1)
            XCTAssertEqual(report.bytes.z_per_sample, 512)
            XCTAssertGreaterThan(report.latency_ms.cloud.mean, 0)

            let int8 = try GPZExecutable.run(base + ["--encoding", "int8", "--batch", "3", "--concurrency", "2",
                                                     "--compress", "deflate"], besides: Self.self)
            XCTAssertEqual(int8.status, 0, int8.stderr)
            let quantised = try JSONDecoder().decode(Report.self, from: Data(int8.stdout.utf8))
            XCTAssertEqual(quantised.requests, 4)
            XCTAssertEqual(quantised.bytes.z_per_sample, 128)
            XCTAssertEqual(quantised.compression, "deflate")
            XCTAssertEqual(quantised.accuracy, quantised.in_process_accuracy_as_sent)
            XCTAssertEqual(quantised.in_process_accuracy, report.in_process_accuracy, "the same images")

            let table = try GPZExecutable.run(Array(base.dropLast()) + ["--encoding", "fp16"], besides: Self.self)
            XCTAssertEqual(table.status, 0, table.stderr)
            XCTAssertTrue(table.stdout.contains("bytes/sample: request"), table.stdout)
            XCTAssertTrue(table.stdout.contains("  cloud compute"), table.stdout)

            let mismatch = try GPZExecutable.run(["edge", "--server", running.url, "--checkpoint", checkpoint.path,
                                                  "--split", "block3", "--limit", "2"], besides: Self.self)
            XCTAssertEqual(mismatch.status, 2, mismatch.stderr)
            XCTAssertTrue(mismatch.stderr.hasPrefix("error: --split: the server at \(running.url) serves split "
                                                    + "'block2', the edge computes up to 'block3'"), mismatch.stderr)
        }
    }

    /// `gpz edge --noise σ` sends exactly the noisy Z whose accuracy `gpz attack --noise σ` reports as
    /// `accuracy_as_sent` on the same images: the served accuracy equals the attack's accounting.
    func testEdgeNoiseServesTheAccuracyTheAttackReports() async throws {
        let checkpoint = try csvCheckpoint()
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("gpz-edge-noise-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        let attack = try GPZExecutable.run(["attack", "--checkpoint", checkpoint.path, "--splits", "block2", "--epochs", "1",
                                            "--evaluate-limit", "24", "--noise", "1.5", "--out", out.path, "--json"],
                                           besides: Self.self)
        XCTAssertEqual(attack.status, 0, attack.stderr)
        struct Attack: Decodable {
            struct Split: Decodable { let accuracy_as_sent: Double? }
            let splits: [Split]
        }
        let reported = try XCTUnwrap(try JSONDecoder().decode(Attack.self, from: Data(attack.stdout.utf8)).splits.first?.accuracy_as_sent)
        try await withServer(split: "block2", checkpoint: checkpoint) { running, _ in
            let edge = try GPZExecutable.run(["edge", "--server", running.url, "--checkpoint", checkpoint.path, "--split",
                                              "block2", "--limit", "24", "--batch", "5", "--noise", "1.5", "--json"],
                                             besides: Self.self)
            XCTAssertEqual(edge.status, 0, edge.stderr)
            XCTAssertTrue(edge.stderr.contains("Gaussian noise σ 1.5"), edge.stderr)
            let report = try JSONDecoder().decode(Report.self, from: Data(edge.stdout.utf8))
            XCTAssertEqual(report.accuracy, reported, "served with noise against the attack's accuracy as sent")
            XCTAssertEqual(report.in_process_accuracy_as_sent, reported)
            let bad = try GPZExecutable.run(["edge", "--server", running.url, "--checkpoint", checkpoint.path, "--split",
                                             "block2", "--noise=-1"], besides: Self.self)
            XCTAssertEqual(bad.status, 2)
            XCTAssertTrue(bad.stderr.hasPrefix("error: --noise: "), bad.stderr)
        }
    }

    /// `--deploy-row FILE --link RATE:DELAY`: each run adds its row to the sweep file (the run of the same split,
    /// link and encoding replaces it), the row holds the run's own report, and without --json the sweep so far is
    /// printed as a table; the file is a sweep the report loads.
    func testEdgeWritesItsDeploymentRow() async throws {
        let checkpoint = try csvCheckpoint()
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("gpz-edge-row-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: out) }
        let file = out.appendingPathComponent(DeploySweep.fileName)
        try await withServer(split: "block2", checkpoint: checkpoint) { running, _ in
            let base = ["edge", "--server", running.url, "--checkpoint", checkpoint.path, "--split", "block2",
                        "--limit", "4", "--deploy-row", file.path, "--emulation", "tbf+relay"]
            let fp32 = try GPZExecutable.run(base + ["--link", "10mbit:40ms", "--json"], besides: Self.self)
            XCTAssertEqual(fp32.status, 0, fp32.stderr)
            XCTAssertEqual(fp32.stdout.filter { $0 == "\n" }.count, 1, "--json: the run's report, as without the row")
            let int8 = try GPZExecutable.run(base + ["--link", "10mbit:40ms", "--encoding", "int8"], besides: Self.self)
            XCTAssertEqual(int8.status, 0, int8.stderr)
            let again = try GPZExecutable.run(base + ["--link", "1gbit:1ms"], besides: Self.self)
            XCTAssertEqual(again.status, 0, again.stderr)
            let lines = again.stdout.split(separator: "\n")
            XCTAssertEqual(lines.count, 5, "header, column names, three rows: \(again.stdout)")
            XCTAssertTrue(lines[0].hasPrefix("emulation: tbf+relay; "), again.stdout)
            XCTAssertTrue(lines[0].hasSuffix("; 4 private images per run, batch 1, concurrency 1"), again.stdout)
            XCTAssertTrue(lines[3].hasPrefix("block2   10mbit/40ms    int8    "), again.stdout)
            XCTAssertTrue(lines[4].hasPrefix("block2   1gbit/1ms      fp32    "), again.stdout)

            let sweep = try XCTUnwrap(try DeploySweep.load(from: out))
            XCTAssertEqual(sweep.checkpoint, checkpoint.standardizedFileURL.path)
            XCTAssertEqual(sweep.emulation, "tbf+relay")
            XCTAssertEqual(sweep.limit, 4)
            XCTAssertEqual(sweep.links.map(\.name), ["10mbit/40ms", "1gbit/1ms"])
            XCTAssertEqual(sweep.runs.map { "\($0.split) \($0.link) \($0.encodingLabel)" },
                           ["block2 10mbit/40ms fp32", "block2 10mbit/40ms int8", "block2 1gbit/1ms fp32"])
            let row = sweep.runs[0]
            let report = try JSONDecoder().decode(Report.self, from: Data(fp32.stdout.utf8))
            XCTAssertEqual(try CanonicalJSON.line(XCTUnwrap(row.report)), fp32.stdout.trimmingCharacters(in: .newlines),
                           "the row holds the run's report as --json printed it")
            XCTAssertEqual(row.samples, 4)
            XCTAssertEqual(row.splitIndex, 2)
            XCTAssertEqual(row.shape, [8, 4, 4])
            XCTAssertEqual(row.accuracy, report.accuracy)
            XCTAssertEqual(row.zBytesPerSample, report.bytes.z_per_sample)
            XCTAssertEqual(row.requestBytesPerSample, report.bytes.request_per_sample)
            XCTAssertEqual(row.edgeMs, report.latency_ms.edge.mean)
            XCTAssertEqual(row.transferMs, report.latency_ms.transfer_and_server.mean)
            XCTAssertEqual(row.cloudMs, report.latency_ms.cloud.mean)
            XCTAssertEqual(row.endToEndMs, report.latency_ms.end_to_end.mean)
            XCTAssertEqual(row.endToEndP50Ms, report.latency_ms.end_to_end.p50)
            XCTAssertEqual(row.endToEndP99Ms, report.latency_ms.end_to_end.p99)
            let document = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
            let rows = try XCTUnwrap(document["runs"] as? [[String: Any]])
            XCTAssertTrue(rows[0]["compression"] is NSNull, "compression: null, as the schema has it")

            // The same split, link and encoding measured again replaces its row; another emulation is refused
            // before anything is measured.
            let replaced = try GPZExecutable.run(base + ["--link", "10mbit:40ms", "--encoding", "int8"], besides: Self.self)
            XCTAssertEqual(replaced.status, 0, replaced.stderr)
            XCTAssertEqual(try DeploySweep.load(from: out)?.runs.count, 3)
            let other = try GPZExecutable.run(Array(base.dropLast()) + ["netem", "--link", "1gbit:1ms"], besides: Self.self)
            XCTAssertEqual(other.status, 2, other.stderr)
            XCTAssertEqual(other.stderr, "error: --emulation: \(file.path) records the emulation 'tbf+relay', not 'netem'\n")
        }
    }

    /// Bad options and files: one line naming the option, exit status 2, nothing on stdout.
    func testBadInputExitsWithStatus2() throws {
        let checkpoint = try csvCheckpoint().path
        let cases: [([String], String)] = [
            (["--server", "ftp://x"], "error: --server: expected http://HOST:PORT or https://HOST:PORT, got 'ftp://x'"),
            (["--batch", "0"], "error: --batch: expected 1…4096, got 0"),
            (["--concurrency", "300"], "error: --concurrency: expected 1…256, got 300"),
            (["--limit", "0"], "error: --limit: expected at least 1, got 0"),
            (["--timeout-s", "0"], "error: --timeout-s: expected more than 0"),
            (["--cacert", "/nonexistent.pem"], "error: --cacert: only for an https:// --server"),
            (["--token-file", "/nonexistent-token"], "error: --token-file /nonexistent-token: no such file"),
            (["--encoding", "int4"], "error: The value 'int4' is invalid for '--encoding <encoding>'"),
            (["--split", "block9"], "error: --split: cnn4 has no split 'block9'"),
            (["--data", "csv:/nonexistent.csv"], "error: --data: "),
            (["--server", "http://127.0.0.1:1"], "error: --server http://127.0.0.1:1: no answer from the server ("),
            (["--link", "10mbit:40ms"], "error: --link: only with --deploy-row"),
            (["--deploy-row", "deploy.json"], "error: --deploy-row: needs --link RATE:DELAY"),
            (["--deploy-row", "deploy.json", "--link", "10mbit"], "error: --link: expected RATE:DELAY such as 10mbit:40ms"),
            (["--deploy-row", "/nonexistent/deploy.json", "--link", "10mbit:40ms"],
             "error: --deploy-row /nonexistent/deploy.json: no such directory /nonexistent"),
        ]
        for (arguments, message) in cases {
            var full = ["edge", "--server", "http://127.0.0.1:1", "--checkpoint", checkpoint, "--split", "block2",
                        "--timeout-s", "2"]
            full += arguments
            let run = try GPZExecutable.run(full, besides: Self.self)
            XCTAssertEqual(run.status, 2, "\(arguments): \(run.stderr)")
            XCTAssertTrue(run.stderr.hasPrefix(message), "\(arguments): \(run.stderr)")
            XCTAssertEqual(run.stderr.filter { $0 == "\n" }.count, 1, run.stderr)
            XCTAssertEqual(run.stdout, "")
        }
    }
}
