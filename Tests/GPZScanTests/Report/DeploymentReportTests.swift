import Foundation
import GPZData
import GPZModels
import GPZTensor
@testable import GPZReport
@testable import GPZScan
import XCTest

/// A deployment sweep (`deploy.json`) in a run directory puts each split's measured bytes and latency next to its
/// leakage, joined by split and by the encoding the attack observed; a broken sweep is an error naming the field.
final class DeploymentReportTests: ReportTestCase {
    /// A sweep of the fixture's checkpoint (`target`): block1 in FP32 and INT8, block4 in FP16, on two links.
    static func sweep(checkpoint: String = "/srv/runs/target", edgeMs: Double = 0.62) -> [String: Any] {
        func run(_ split: String, _ index: Int, _ link: String, _ encoding: String, e2e: Double) -> [String: Any] {
            ["split": split, "split_index": index, "shape": [1], "link": link, "encoding": encoding,
             "compression": NSNull(), "request_bytes_per_sample": 32935, "z_bytes_per_sample": 32768,
             "edge_ms": edgeMs, "transfer_ms": e2e - 2, "cloud_ms": 1.5, "end_to_end_ms": e2e,
             "end_to_end_p50_ms": e2e, "end_to_end_p99_ms": e2e + 4, "accuracy": 0.71, "in_process_accuracy": 0.71,
             "in_process_accuracy_as_sent": 0.71, "samples": 200, "report": [:] as [String: Any]]
        }
        return [
            "schema": "gpz-deploy-sweep-v1", "date": "2026-12-02T08:53:17Z", "checkpoint": checkpoint,
            "emulation": "tbf+relay", "limit": 200,
            "links": [["name": "10mbit/40ms", "rate": "10mbit", "delay_ms": 40.0],
                      ["name": "1gbit/1ms", "rate": "1gbit", "delay_ms": 1.0]],
            "runs": [run("block1", 1, "10mbit/40ms", "fp32", e2e: 110.6), run("block1", 1, "1gbit/1ms", "fp32", e2e: 6.6),
                     run("block1", 1, "10mbit/40ms", "int8", e2e: 90.1), run("block4", 4, "10mbit/40ms", "fp16", e2e: 86.4)],
        ]
    }

    func write(_ document: [String: Any]) throws {
        try JSONSerialization.data(withJSONObject: document)
            .write(to: runDirectory.appendingPathComponent(DeploySweep.fileName))
    }

    func testScanReportPutsLeakageNextToMeasuredLatencyPerEncoding() throws {
        let fp32 = try ReportFixture.cnn4(writingGridsTo: runDirectory)
        try write(Self.sweep())
        let html = try ScanReport.html(fp32, runDirectory: runDirectory)
        let section = try Self.section("deployment", of: html)
        // block1 in FP32: L = 1 − 0.0039 / 0.0436 = 0.91 (one seed), both links' latency as mean (p99).
        XCTAssertTrue(section.contains("<td>block1 (1)</td><td>fp32</td><td class=\"num\">0.91</td>"), section)
        XCTAssertTrue(section.contains("110.6 (114.6)"))
        XCTAssertTrue(section.contains("6.60 (10.6)"))
        // No study attacked INT8 or FP16 Z: a dash, never the FP32 leakage.
        XCTAssertTrue(section.contains("<td>block1 (1)</td><td>int8</td><td class=\"num\">—</td>"))
        XCTAssertTrue(section.contains("<td>block4 (4)</td><td>fp16</td><td class=\"num\">—</td>"))
        // The link block4 was not measured on, and the analytic MACs next to the measurements.
        XCTAssertTrue(section.contains("86.4 (90.4)</td><td class=\"num\">—</td>"))
        XCTAssertTrue(section.contains(ReportFormat.count(589_824)))
        XCTAssertEqual(section.components(separatedBy: "<svg").count - 1, 1)
        let offsets = try ["id=\"cost\"", "id=\"deployment\"", "id=\"training\""].map {
            try XCTUnwrap(html.range(of: $0)).lowerBound
        }
        XCTAssertEqual(offsets, offsets.sorted())
        XCTAssertEqual(Self.nonFiniteWords(in: html), [])
    }

    func testComparisonTakesTheWorstCaseOfTheStudiesThatAttackedEachEncoding() throws {
        let fp32 = try ReportFixture.cnn4(writingGridsTo: runDirectory)
        var int8 = fp32
        int8.name = "int8"
        int8.config.attack.encoding = .int8
        var weaker = fp32
        weaker.name = "weaker"
        weaker.config.attack.encoding = .int8
        weaker.splits = try fp32.splits.map { split in
            var split = split
            split.leakage = try split.leakage.map {
                try ReportFixture.recoded($0, ["mse": [0.02], "mse_mean": 0.02, "leakage": 0.5, "leakage_upper": 0.5])
            }
            return split
        }
        let sweep = try JSONDecoder().decode(DeploySweep.self, from: JSONSerialization.data(withJSONObject: Self.sweep()))
        let html = ComparisonReport.html(studies: [(name: "fp32", results: fp32, reportPath: "a"),
                                                   (name: "weaker", results: weaker, reportPath: "b"),
                                                   (name: "int8", results: int8, reportPath: "c")],
                                         title: "t", description: "", deployment: sweep)
        let section = try Self.section("deployment", of: html)
        XCTAssertTrue(section.contains("<td>block1 (1)</td><td>int8</td><td class=\"num\">0.91</td>"),
                      "the int8 study leaks more at block1 than the weaker one: its 0.91 counts")
        XCTAssertTrue(section.contains("<td>block1 (1)</td><td>fp32</td><td class=\"num\">0.91</td>"))

        let other = try JSONDecoder().decode(DeploySweep.self, from: JSONSerialization.data(
            withJSONObject: Self.sweep(checkpoint: "/srv/runs/another")))
        let unmatched = try Self.section("deployment", of: ComparisonReport.html(
            studies: [(name: "fp32", results: fp32, reportPath: "a")], title: "t", description: "", deployment: other))
        XCTAssertTrue(unmatched.contains("No study here attacked this checkpoint"))
        XCTAssertFalse(unmatched.contains("class=\"num\">0.91"))
        XCTAssertFalse(unmatched.contains("<svg"))
    }

    func testBrokenSweepIsAnErrorNamingTheFileAndField() throws {
        XCTAssertNil(try DeploySweep.load(from: runDirectory), "no deploy.json: no section")
        func refused(_ document: [String: Any], _ expected: String, line: UInt = #line) throws {
            try write(document)
            XCTAssertThrowsError(try DeploySweep.load(from: runDirectory), line: line) { error in
                let text = "\(error)"
                XCTAssertTrue(text.contains("deploy.json") && text.contains(expected), text, line: line)
            }
        }
        try refused(Self.sweep(edgeMs: -1), "runs[0].edge_ms: expected a finite value ≥ 0, got -1.0")
        var schema = Self.sweep()
        schema["schema"] = "gpz-deploy-sweep-v9"
        try refused(schema, "schema: expected 'gpz-deploy-sweep-v1'")
        var link = Self.sweep()
        var runs = link["runs"] as! [[String: Any]]
        runs[2]["link"] = "5g"
        link["runs"] = runs
        try refused(link, "runs[2].link: '5g' is not one of the links")
        var encoding = Self.sweep()
        runs = encoding["runs"] as! [[String: Any]]
        runs[1]["encoding"] = "bf16"
        encoding["runs"] = runs
        try refused(encoding, "field 'runs.Index 1.encoding'")
        var missing = Self.sweep()
        missing["links"] = nil
        try refused(missing, "missing field 'links'")

        try Data("{\"schema\": \"gpz-deploy".utf8).write(to: runDirectory.appendingPathComponent(DeploySweep.fileName))
        XCTAssertThrowsError(try DeploySweep.load(from: runDirectory)) { error in
            XCTAssertTrue("\(error)".contains("not a deployment sweep"), "\(error)")
        }
        let results = try ReportFixture.cnn4(writingGridsTo: runDirectory)
        XCTAssertThrowsError(try ScanReport.html(results, runDirectory: runDirectory), "the report does not hide it")
    }
}
