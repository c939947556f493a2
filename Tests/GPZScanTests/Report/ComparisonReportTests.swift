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

/// The comparison page of a plan's studies, and the seed range of a study's resistance.
///
/// `GPZ_REPORT_EXAMPLE=/some/dir swift test --filter ComparisonReportTests` also writes the example comparison page
/// as `/some/dir-comparison.html`.
final class ComparisonReportTests: ReportTestCase {
    /// The resistance's seed range: 1 − (0.010 ± 0.001) / (0.040 ± 0.002) spans 1 − 0.011/0.038 … 1 − 0.009/0.042.
    func testResistanceSeedRange() throws {
        let pair = try JSONDecoder().decode(SplitPair.self, from: Data("""
            {"feature": 3, "feature_name": "block3", "decision": 4, "decision_name": "block4",
             "mse_feature": 0.010, "mse_decision": 0.040, "ratio": 4, "resistance": 0.75}
            """.utf8))
        var results = try ReportFixture.cnn4(writingGridsTo: runDirectory)
        results.splits = try results.splits.map { split in
            var split = split
            let sd = [3: 0.001, 4: 0.002][split.index]
            split.leakage = try split.leakage.map { leakage in
                var json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(leakage)) as! [String: Any]
                json["mse_sd"] = sd ?? NSNull()
                return try JSONDecoder().decode(SplitLeakage.self, from: JSONSerialization.data(withJSONObject: json))
            }
            return split
        }
        let bounds = try XCTUnwrap(ComparisonReport.seedRange(pair, results))
        XCTAssertEqual(bounds.lowerBound, 1 - 0.011 / 0.038, accuracy: 1e-12)
        XCTAssertEqual(bounds.upperBound, 1 - 0.009 / 0.042, accuracy: 1e-12)
    }

    func testComparisonReport() throws {
        let onehot = try ReportFixture.cnn4(writingGridsTo: runDirectory)
        var smoothed = try ReportFixture.cnn4(writingGridsTo: runDirectory, outcome: .noPartition)
        smoothed.name = "ls+<b>"
        smoothed.config.target.labels = .smoothed(0.3)
        smoothed.splits = try smoothed.splits.map { split in
            var split = split
            split.statistics = try ReportFixture.recoded(split.statistics, ["r2c_mean": split.r2cMean / 3])
            return split
        }
        smoothed.perEpoch = nil
        let html = ComparisonReport.html(studies: [
            (name: "onehot", results: onehot, reportPath: "onehot/report.html"),
            (name: "ls+<b>", results: smoothed, reportPath: "ls+/report.html"),
        ], worstCase: try PlanComparison.worstCases([onehot, onehot]), title: "Labels & smoothing",
           description: "one-hot vs LS+ <compare>")
        XCTAssertTrue(html.contains("<title>Labels &amp; smoothing</title>"))
        XCTAssertTrue(html.contains("one-hot vs LS+ &lt;compare&gt;"))
        XCTAssertTrue(html.contains("href=\"onehot/report.html\""))
        XCTAssertTrue(html.contains("href=\"ls+/report.html\""))
        XCTAssertTrue(html.contains("ls+&lt;b&gt;"))
        XCTAssertFalse(html.contains("ls+<b>"))
        XCTAssertTrue(html.contains("ls:0.3"))
        // Each study's zone with its frequency, its boundary and its recommendation.
        XCTAssertTrue(html.contains("block4 (split 4) (90.00 %)"))
        XCTAssertTrue(html.contains("no partition (logits)"))
        XCTAssertTrue(html.contains("75.42 %"), "onehot's resistance 1 − 0.0102/0.0415")
        XCTAssertEqual(html.components(separatedBy: "<svg").count - 1, 6, "one chart per question, and the vortex")
        for question in ["1. Is there a split", "2. Does the a-priori locator", "3. How much more MSE",
                         "4. What does label smoothing", "5. How much stronger"] {
            XCTAssertTrue(html.contains(question), question)
        }
        XCTAssertTrue(html.contains("onehot: the share rule selects block4 (split 4) in 90.00 % of"))
        XCTAssertTrue(html.contains("worst case (fmnist-cnn4, fmnist-cnn4)"))
        XCTAssertFalse(html.contains("http://") || html.contains("https://"))
        XCTAssertEqual(Self.nonFiniteWords(in: html), [])

        if let example = ProcessInfo.processInfo.environment["GPZ_REPORT_EXAMPLE"] {
            try html.write(to: URL(fileURLWithPath: example + "-comparison.html"), atomically: true, encoding: .utf8)
        }
        let url = runDirectory.appendingPathComponent("comparison.html")
        try ComparisonReport.write(studies: [(name: "onehot", results: onehot, reportPath: "onehot/report.html")],
                                   title: "one", description: "", to: url)
        XCTAssertTrue(try String(contentsOf: url, encoding: .utf8).contains("<svg"))
        XCTAssertTrue(ComparisonReport.html(studies: [], title: "empty", description: "").contains("no studies"))
    }
}
