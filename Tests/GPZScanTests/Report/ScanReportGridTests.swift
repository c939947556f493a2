import Foundation
import GPZAnalysis
import GPZAttacks
import GPZConfig
import GPZData
import GPZModels
import GPZTraining
@testable import GPZReport
@testable import GPZScan
import XCTest

/// The scan report's reconstruction grids and split axis: one embedded grid per attacked split, a note for a grid
/// that is missing, unreadable or not recorded, splits without an attack, and many splits whose labels stay apart.
///
/// `GPZ_REPORT_EXAMPLE=/some/dir swift test --filter ScanReportGridTests` also writes the vgg16 example page as
/// `/some/dir-vgg16.html`.
final class ScanReportGridTests: ReportTestCase {
    func testMissingGridYieldsANoteNotAnError() throws {
        var results = try ReportFixture.cnn4(writingGridsTo: runDirectory)
        try FileManager.default.removeItem(at: runDirectory.appendingPathComponent(results.splits[1].grid!))
        results.splits[2].attack?.grid = nil
        try Data("not an image".utf8).write(to: runDirectory.appendingPathComponent(results.splits[3].grid!))
        let html = try ScanReport.html(results, runDirectory: runDirectory)
        XCTAssertTrue(html.contains("grid missing: grids/decoder-2-block2.png"))
        XCTAssertTrue(html.contains("no grid recorded for this split"))
        XCTAssertTrue(html.contains("grid unreadable"))
        XCTAssertEqual(html.components(separatedBy: "data:image/png;base64,").count - 1, 2)
    }

    func testSplitsWithoutAttack() throws {
        var results = try ReportFixture.cnn4(writingGridsTo: runDirectory)
        for i in [0, 2] {
            results.splits[i].attack = nil
            results.splits[i].leakage = nil
            results.splits[i].paperThresholdProtects = nil
        }
        results.perEpoch = nil
        results.target.history = [0.9]
        let html = try ScanReport.html(results, runDirectory: runDirectory)
        XCTAssertEqual(html.components(separatedBy: "data:image/png;base64,").count - 1, 3)
        XCTAssertFalse(html.contains("Neural Vortex"))
        XCTAssertEqual(Self.nonFiniteWords(in: html), [])
        let csv = ResultsCSV.text(results).split(separator: "\n", omittingEmptySubsequences: false)
        let mse = try XCTUnwrap(ResultsCSV.columns.firstIndex(of: "mse"))
        XCTAssertEqual(csv[1].split(separator: ",", omittingEmptySubsequences: false)[mse], "")
        XCTAssertEqual(csv[2].split(separator: ",", omittingEmptySubsequences: false)[mse], "0.006")
    }

    func testManySplitsKeepTheirLabelsApart() throws {
        let results = try ReportFixture.vgg16(writingGridsTo: runDirectory)
        XCTAssertEqual(results.zones.zone.candidates.count, 18, "13 convolutions' .relu and 5 pools")
        XCTAssertFalse(results.zones.zone.candidateNames.contains { $0.hasSuffix(".bn") || $0 == "logits" })
        let html = try ScanReport.html(results, runDirectory: runDirectory)
        XCTAssertTrue(html.contains("transform=\"rotate(-45"), "long split names are turned")
        XCTAssertEqual(html.components(separatedBy: "data:image/png;base64,").count - 1,
                       results.splits.filter { $0.mse != nil }.count)
        XCTAssertEqual(ScanReport.vortexPositions(ScanReportView(results: results)).count, 7)
        XCTAssertEqual(Self.nonFiniteWords(in: html), [])
        if let example = ProcessInfo.processInfo.environment["GPZ_REPORT_EXAMPLE"] {
            try html.write(to: URL(fileURLWithPath: example + "-vgg16.html"), atomically: true, encoding: .utf8)
        }
    }
}
