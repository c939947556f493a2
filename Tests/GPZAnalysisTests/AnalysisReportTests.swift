import Foundation
import GPZConfig
import GPZTestSupport
import XCTest
import GPZAnalysis
import GPZModels
import GPZTensor

final class AnalysisReportTests: SeededTestCase {
    /// Three splits whose classes tighten with depth.
    private func statistics() throws -> [SplitStatistics] {
        let splits = (1...3).map { vectorSplit($0, "s\($0)", dimension: 4) }
        let accumulator = try SplitStatisticsAccumulator(splits: splits, classes: 2)
        let labels = (0..<40).map { $0 % 2 }
        let centres = try Tensor(labels.map { Double($0) * 3 }, shape: [40, 1])
        let noise = try Tensor.randn([40, 4], dtype: .float64)
        try accumulator.add(features: [1: noise + centres, 2: noise * 0.9 + centres, 3: noise * 0.1 + centres],
                            labels: labels)
        return try accumulator.statistics()
    }

    func testJSONHasTheIssueKeys() throws {
        let report = try AnalysisReport(statistics: statistics(), labels: .truth)
        let data = try ResultsJSON.encoder().encode(report)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        let splits = try XCTUnwrap(object["splits"] as? [[String: Any]])
        XCTAssertEqual(splits.count, 3)
        for key in ["name", "index", "d", "sigma2", "r2c_mean", "intra_share", "eff_dim", "h_global", "h_class",
                    "h_class_mixture", "hxz_lower_minus_const", "hxz_constant", "missing_classes", "r2c"] {
            XCTAssertNotNil(splits[0][key], key)
        }
        XCTAssertEqual(splits[2]["name"] as? String, "s3")
        let zone = try XCTUnwrap(object["gpz_apriori"] as? [String: Any])
        XCTAssertEqual(zone["rule"] as? String, "paper_r2c_mean_drop")
        // R² falls by 1 − 0.81 = 19 % into split 2 and by 1 − 0.01/0.81 ≈ 99 % into split 3.
        XCTAssertEqual(zone["first"] as? Int, 3)
        XCTAssertEqual(zone["range"] as? [Int], [3, 3])
        XCTAssertEqual(object["labels"] as? String, "true")
        XCTAssertEqual((object["gpz_apriori_variants"] as? [[String: Any]])?.first?["rule"] as? String,
                       "intra_share_drop")
        XCTAssertEqual(try ResultsJSON.decoder().decode(AnalysisReport.self, from: data), report)
    }

    func testCandidatesAndAgreementFromStatistics() throws {
        let statistics = try statistics()
        let zone = try APrioriLocator.locate(.meanRadius, statistics: statistics, candidates: [1, 2])
        XCTAssertEqual(zone.first, 2)
        assertThrowsError(AnalysisError.self, "candidate split 4 was not analysed; analysed: 1, 2, 3",
                          try APrioriLocator.locate(.meanRadius, statistics: statistics, candidates: [1, 4]))
        let posthoc = try PostHocLocator.locate(splits: [1, 2, 3], mse: [0.01, 0.015, 0.06])
        let agreement = try ZoneAgreement(apriori: try APrioriLocator.locate(.intraClassShare, statistics: statistics),
                                          posthoc: posthoc, statistics: statistics, criterion: .intraClassShare)
        XCTAssertEqual(agreement.score, "-intra_share")
        XCTAssertTrue(agreement.sameFirstSplit)
        assertClose(agreement.spearman, 1)
    }
}
