import Foundation
import GPZConfig
import GPZModels
import GPZTensor
import XCTest
@testable import GPZServe

/// `gpz edge --deploy-row`'s row (`DeploySweep.Run`, the one declaration of deploy.json's rows): what it takes from
/// the edge's report, how rows merge into a sweep file, and the options that go with it.
final class DeployRowTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("gpz-deploy-row-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    static func report(split: String = "block2", index: Int = 2, encoding: WireEncoding = .fp32,
                       compression: String? = nil, e2e: Double = 27.5) -> EdgeRunReport {
        func latency(_ mean: Double) -> EdgeRunReport.Latency { .init(mean: mean, p50: mean - 0.5, p99: mean + 4, max: mean + 9) }
        return EdgeRunReport(
            checkpoint: "/srv/ckpt", architecture: "cnn4", split: split, splitIndex: index, shape: [64, 8, 8],
            server: "http://10.77.0.2:8001", modelName: "gpz", encoding: encoding, compression: compression, batch: 1,
            concurrency: 1, samples: 200, requests: 200, accuracy: 0.71, inProcessAccuracy: 0.715,
            inProcessAccuracyAsSent: 0.71, agreement: 1,
            bytes: .init(requestPerSample: 16549, uncompressedRequestPerSample: 16549, zPerSample: 16384,
                         responsePerSample: 120.5, compressionSaving: 0),
            latencyMs: .init(endToEnd: latency(e2e), edge: latency(1.04), transferAndServer: latency(e2e - 2.3),
                             cloud: latency(1.22), roundTrip: latency(e2e - 1.1)),
            wallSeconds: 5.5, samplesPerSecond: 36.36)
    }

    /// The row is what the sweep script's heredoc computed: the means per request, the end-to-end percentiles, the
    /// bytes per sample, the accuracies and the whole report, under the schema's keys.
    func testRowTakesTheMeansPercentilesBytesAndAccuraciesOfTheReport() throws {
        let report = Self.report()
        let run = try DeploySweep.Run(report: report, link: "10mbit/40ms")
        let row = try XCTUnwrap(JSONSerialization.jsonObject(with: ResultsJSON.encoder().encode(run)) as? [String: Any])
        XCTAssertEqual(Set(row.keys), [
            "split", "split_index", "shape", "link", "encoding", "compression", "request_bytes_per_sample",
            "z_bytes_per_sample", "edge_ms", "transfer_ms", "cloud_ms", "end_to_end_ms", "end_to_end_p50_ms",
            "end_to_end_p99_ms", "accuracy", "in_process_accuracy", "in_process_accuracy_as_sent", "samples", "report",
        ])
        XCTAssertTrue(row["compression"] is NSNull, "compression is written as null, not left out")
        XCTAssertEqual(row["split"] as? String, "block2")
        XCTAssertEqual(row["split_index"] as? Int, 2)
        XCTAssertEqual(row["shape"] as? [Int], [64, 8, 8])
        XCTAssertEqual(row["link"] as? String, "10mbit/40ms")
        XCTAssertEqual(row["encoding"] as? String, "fp32")
        XCTAssertEqual(row["request_bytes_per_sample"] as? Double, 16549)
        XCTAssertEqual(row["z_bytes_per_sample"] as? Double, 16384)
        XCTAssertEqual(row["edge_ms"] as? Double, 1.04)
        XCTAssertEqual(row["transfer_ms"] as? Double, 25.2)
        XCTAssertEqual(row["cloud_ms"] as? Double, 1.22)
        XCTAssertEqual(row["end_to_end_ms"] as? Double, 27.5)
        XCTAssertEqual(row["end_to_end_p50_ms"] as? Double, 27)
        XCTAssertEqual(row["end_to_end_p99_ms"] as? Double, 31.5)
        XCTAssertEqual(row["accuracy"] as? Double, 0.71)
        XCTAssertEqual(row["in_process_accuracy"] as? Double, 0.715)
        XCTAssertEqual(row["in_process_accuracy_as_sent"] as? Double, 0.71)
        XCTAssertEqual(row["samples"] as? Int, 200)
        // The report is `gpz edge --json`'s document, byte for byte once both are canonical.
        let embedded = try XCTUnwrap(run.report)
        XCTAssertEqual(try CanonicalJSON.line(embedded), try CanonicalJSON.line(report))
        XCTAssertEqual(try ResultsJSON.decoder().decode(DeploySweep.Run.self, from: ResultsJSON.encoder().encode(run)), run)

        let gzip = try DeploySweep.Run(report: Self.report(encoding: .int8, compression: "gzip"), link: "1gbit/1ms")
        XCTAssertEqual(gzip.compression, "gzip")
        XCTAssertEqual(gzip.encodingLabel, "int8 + gzip")
    }

    /// Rows merge: a new split, link or encoding is appended (links in the order first measured), the same one
    /// replaces its row; the file is a sweep `DeploySweep.load` accepts, with the schema's fields.
    func testRowsMergeIntoOneSweepFile() throws {
        let file = directory.appendingPathComponent("deploy.json")
        var configuration = EdgeConfiguration(server: "http://127.0.0.1:1", checkpoint: directory.path + "/./ckpt",
                                              split: "block2")
        configuration.deployRow = file.path
        configuration.link = "10mbit:40ms"
        configuration.emulation = "tbf+relay"
        configuration.limit = 200
        try configuration.check()
        let slow = try DeployRow(configuration, images: 1000)
        configuration.link = "1gbit:1ms"
        let fast = try DeployRow(configuration, images: 1000)

        _ = try slow.record(Self.report())
        _ = try fast.record(Self.report())
        _ = try slow.record(Self.report(encoding: .int8))
        _ = try slow.record(Self.report(split: "block3", index: 3))
        let sweep = try slow.record(Self.report(e2e: 99))  // measured again: replaces the first row
        XCTAssertEqual(try DeploySweep.load(from: directory), sweep)
        XCTAssertEqual(sweep.schema, DeploySweep.schemaName)
        XCTAssertEqual(sweep.checkpoint, directory.path + "/ckpt")
        XCTAssertEqual(sweep.emulation, "tbf+relay")
        XCTAssertEqual(sweep.limit, 200)
        XCTAssertEqual(sweep.links, [.init(name: "10mbit/40ms", rate: "10mbit", delayMs: 40),
                                     .init(name: "1gbit/1ms", rate: "1gbit", delayMs: 1)])
        XCTAssertEqual(sweep.runs.map { "\($0.split) \($0.link) \($0.encodingLabel) \($0.endToEndMs)" }, [
            "block2 10mbit/40ms fp32 99.0", "block2 1gbit/1ms fp32 27.5", "block2 10mbit/40ms int8 27.5",
            "block3 10mbit/40ms fp32 27.5",
        ])
        let document = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        XCTAssertEqual(Set(document.keys), ["schema", "date", "checkpoint", "emulation", "limit", "links", "runs"])
        XCTAssertNotNil(try Regex(#"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"#).wholeMatch(in: sweep.date), sweep.date)

        // A file of another checkpoint, emulation or image count does not take the row.
        configuration.emulation = "netem"
        XCTAssertThrowsError(try DeployRow(configuration, images: 1000).sweep()) { error in
            XCTAssertEqual("\(error)", "--emulation: \(file.path) records the emulation 'tbf+relay', not 'netem'")
        }
        configuration.emulation = "tbf+relay"
        configuration.limit = nil
        XCTAssertThrowsError(try DeployRow(configuration, images: 1000).sweep()) { error in
            XCTAssertEqual("\(error)", "--limit: \(file.path) records runs on 200 private images, not 1000")
        }
        configuration.limit = 200
        configuration.checkpoint = "/srv/other"
        XCTAssertThrowsError(try DeployRow(configuration, images: 1000).sweep()) { error in
            XCTAssertTrue("\(error)".hasPrefix("--deploy-row \(file.path): a sweep of the checkpoint "), "\(error)")
        }
        try Data("{\"schema\": 1}".utf8).write(to: file)
        XCTAssertThrowsError(try slow.sweep()) { error in
            XCTAssertTrue("\(error)".hasPrefix("--deploy-row \(file.path): not a deployment sweep"), "\(error)")
        }
    }

    /// The options that go with --deploy-row, checked before anything is loaded; errors name the option.
    func testDeployRowOptionsAreChecked() throws {
        func refused(_ change: (inout EdgeConfiguration) -> Void, _ message: String, line: UInt = #line) {
            var configuration = EdgeConfiguration(server: "http://127.0.0.1:1", checkpoint: "c", split: "block2")
            change(&configuration)
            XCTAssertThrowsError(try configuration.check(), line: line) { error in
                XCTAssertTrue(error is EdgeOptionError, line: line)
                XCTAssertTrue("\(error)".hasPrefix(message), "\(error)", line: line)
            }
        }
        refused({ $0.link = "10mbit:40ms" }, "--link: only with --deploy-row")
        refused({ $0.emulation = "netem" }, "--emulation: only with --deploy-row")
        refused({ $0.deployRow = "d.json" }, "--deploy-row: needs --link RATE:DELAY")
        for bad in ["10mbit", "10mbit:40", "10mb:40ms", "fast:40ms", ":40ms", "10mbit:ms", "10mbit:40ms:1", "1e3bit:1ms"] {
            refused({ $0.deployRow = "d.json"; $0.link = bad }, "--link: expected RATE:DELAY such as 10mbit:40ms")
        }
        refused({ $0.deployRow = "d.json"; $0.link = "1gbit:1ms"; $0.emulation = "tbf relay" }, "--emulation: expected")
        var configuration = EdgeConfiguration(server: "http://127.0.0.1:1", checkpoint: "c", split: "block2")
        configuration.deployRow = directory.appendingPathComponent("missing/deploy.json").path
        configuration.link = "100Mbit:0.5ms"
        XCTAssertNoThrow(try configuration.check())
        XCTAssertEqual(try EdgeConfiguration.link("100Mbit:0.5ms"), .init(name: "100Mbit/0.5ms", rate: "100Mbit", delayMs: 0.5))
        XCTAssertThrowsError(try DeployRow(configuration, images: 10)) { error in
            XCTAssertTrue("\(error)".contains(": no such directory "), "\(error)")
        }
    }
}
