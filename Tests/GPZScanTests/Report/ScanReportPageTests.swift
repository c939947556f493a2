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

/// The scan report as a page: self-contained, in the documented order, written into the run directory, the same for
/// the same results, escaped, free of non-finite text, and still rendered from sparse results.
///
/// `GPZ_REPORT_EXAMPLE=/some/dir swift test --filter ScanReportPageTests` also writes the realistic example report
/// (and its grids) into that directory, to look at in a browser.
final class ScanReportPageTests: ReportTestCase {
    func testReportIsSelfContained() throws {
        let results = try ReportFixture.cnn4(writingGridsTo: runDirectory)
        let html = try ScanReport.html(results, runDirectory: runDirectory)
        XCTAssertFalse(html.contains("http://"), "no network references")
        XCTAssertFalse(html.contains("https://"), "no network references")
        XCTAssertFalse(html.lowercased().contains("<script"), "no JavaScript")
        XCTAssertFalse(html.contains("<link"), "no external style sheets")
        XCTAssertTrue(html.contains("<svg"))
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>"))
        XCTAssertEqual(html.components(separatedBy: "data:image/png;base64,").count - 1,
                       results.splits.filter { $0.mse != nil }.count, "one embedded grid per attacked split")
        XCTAssertTrue(html.contains("image-rendering: pixelated"))
        XCTAssertTrue(html.contains("MSE (channel-summed, paper code)"))
        XCTAssertTrue(html.contains(HTMLDocument.escape(APrioriCriterion.meanRadius.ruleDescription)))
        XCTAssertTrue(html.contains(results.configHash))
        for split in results.splits { XCTAssertTrue(html.contains(split.name)) }
    }

    func testReportsInTheDocumentedOrder() throws {
        let results = try ReportFixture.cnn4(writingGridsTo: runDirectory)
        let html = try ScanReport.html(results, runDirectory: runDirectory)
        let anchors = ["id=\"summary\"", "id=\"privacy\"", "id=\"reconstructions\"", "id=\"splits\"", "id=\"cost\"",
                       "id=\"training\"", "id=\"provenance\"", "id=\"run\""]
        let offsets = try anchors.map { anchor in
            try XCTUnwrap(html.range(of: anchor), "missing \(anchor)").lowerBound
        }
        XCTAssertEqual(offsets, offsets.sorted())
    }

    func testWriteStoresTheReportInTheRunDirectory() throws {
        let results = try ReportFixture.cnn4(writingGridsTo: runDirectory)
        let url = try ScanReport.write(results, runDirectory: runDirectory)
        XCTAssertEqual(url.lastPathComponent, "report.html")
        XCTAssertEqual(url.deletingLastPathComponent().standardizedFileURL.path, runDirectory.standardizedFileURL.path)
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8),
                       try ScanReport.html(results, runDirectory: runDirectory))
        if let example = ProcessInfo.processInfo.environment["GPZ_REPORT_EXAMPLE"] {
            let target = URL(fileURLWithPath: example, isDirectory: true)
            try? FileManager.default.removeItem(at: target)
            try FileManager.default.copyItem(at: runDirectory, to: target)
        }
    }

    func testSameResultsGiveTheSamePage() throws {
        let results = try ReportFixture.cnn4(writingGridsTo: runDirectory)
        XCTAssertEqual(try ScanReport.html(results, runDirectory: runDirectory),
                       try ScanReport.html(results, runDirectory: runDirectory))
    }

    func testStudyNameAndTextsAreEscaped() throws {
        var results = try ReportFixture.cnn4(writingGridsTo: runDirectory)
        results.name = "<script>alert('x')</script>"
        results.splits[0].statistics = try ReportFixture.recoded(results.splits[0].statistics, ["name": "a&b<i>"])
        results.recommendation.rule = "MSE >= 0.02 & \"cheapest\""
        let html = try ScanReport.html(results, runDirectory: runDirectory)
        XCTAssertFalse(html.contains("<script>"))
        XCTAssertTrue(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"))
        XCTAssertFalse(html.contains("a&b<i>"))
        XCTAssertTrue(html.contains("a&amp;b&lt;i&gt;"))
        XCTAssertTrue(html.contains("MSE &gt;= 0.02 &amp; &quot;cheapest&quot;"))
    }

    func testNonFiniteValuesNeverReadAsNaNOrInf() throws {
        var results = try ReportFixture.cnn4(writingGridsTo: runDirectory)
        results.splits[1].bounds = try ReportFixture.recoded(results.splits[1].bounds, [
            "h_global_per_dim": "-inf", "h_class_mixture_per_dim": "nan",
        ])
        results.splits[2].statistics = try ReportFixture.recoded(results.splits[2].statistics, ["sigma2": "inf"])
        results.splits[3].attack?.psnr = .nan
        results.splits[0].statistics = try ReportFixture.recoded(results.splits[0].statistics, ["r2c_mean": 0])
        results.recommendation.leakage = .nan
        results.recommendation.leakageUpper = .infinity
        results.timing["odd"] = .nan
        XCTAssertEqual(results.splits[1].hGlobalPerDim, -.infinity)
        XCTAssertTrue(results.splits[1].hClassMixturePerDim.isNaN)
        let html = try ScanReport.html(results, runDirectory: runDirectory)
        XCTAssertEqual(Self.nonFiniteWords(in: html), [])
        XCTAssertTrue(html.contains("<td class=\"num\">∞</td>"), "an infinite σ² reads as the symbol")
    }

    func testSparseResultsStillRender() throws {
        var results = try ReportFixture.cnn4(writingGridsTo: runDirectory)
        results.splits = []
        results.baselines = nil
        results.zones.leakage = nil
        results.zones.paperThreshold = nil
        results.headline.verdict = nil
        results.recommendation = ScanVerdict.recommend(splits: [], zone: results.zones.zone, leakage: nil, threshold: 0.1)
        results.timing = [:]
        results.perEpoch = [ScanEpochStatistics(epoch: 1, testAccuracy: 0.5, r2cMean: [], intraShare: [])]
        let html = try ScanReport.html(results, runDirectory: runDirectory)
        XCTAssertTrue(html.contains("No split was attacked"))
        XCTAssertTrue(html.contains("Rule: no split was attacked."))
        XCTAssertTrue(html.contains("no data"))
        XCTAssertFalse(html.contains("id=\"run\""))
        XCTAssertFalse(html.contains("class-mean image MSE"), "no baselines without an attack")
        XCTAssertEqual(Self.nonFiniteWords(in: html), [])
    }
}
