import XCTest
import GPZAnalysis
import GPZTestSupport

/// The post-hoc zone from attack MSE values, Spearman's ρ, and the agreement between the two zones.
final class PostHocLocatorTests: XCTestCase {
    private let mse = [0.005, 0.01, 0.015, 0.04, 0.05]

    func testThresholdAndLargestJump() throws {
        let zone = try PostHocLocator.locate(splits: [1, 2, 3, 4, 5], mse: mse)
        XCTAssertEqual(zone.threshold, 0.02)
        XCTAssertEqual(zone.firstAboveThreshold, 4)
        // Jumps 0.005, 0.005, 0.025, 0.01: the largest leads into split 4.
        XCTAssertEqual(zone.largestJumpSplit, 4)
        XCTAssertEqual(zone.jumps.count, 4)
        assertClose(zone.jumps[2], 0.025)
        XCTAssertEqual(try PostHocLocator.locate(splits: [1, 2, 3, 4, 5], mse: mse, threshold: 0.012).firstAboveThreshold, 3)
        XCTAssertEqual(try PostHocLocator.locate(splits: [1, 2], mse: [0.01, 0.02]).firstAboveThreshold, 2)
    }

    func testNoSplitAboveThresholdAndSingleSplit() throws {
        let zone = try PostHocLocator.locate(splits: [2, 5], mse: [0.001, 0.002])
        XCTAssertNil(zone.firstAboveThreshold)
        XCTAssertEqual(zone.largestJumpSplit, 5)
        let single = try PostHocLocator.locate(splits: [7], mse: [0.5])
        XCTAssertEqual(single.firstAboveThreshold, 7)
        XCTAssertNil(single.largestJumpSplit)
    }

    func testInvalidInput() {
        assertThrowsError(AnalysisError.self, "2 splits but 3 MSE values",
                          try PostHocLocator.locate(splits: [1, 2], mse: [1, 2, 3]))
        assertThrowsError(AnalysisError.self, "at least 1 split(s) needed, got 0",
                          try PostHocLocator.locate(splits: [], mse: []))
        assertThrowsError(AnalysisError.self, "MSE at split 2 is not finite (inf)",
                          try PostHocLocator.locate(splits: [1, 2], mse: [1, .infinity]))
    }

    func testAverageRanksAndSpearman() throws {
        XCTAssertEqual(RankCorrelation.averageRanks([10, 20, 20, 30]), [1, 2.5, 2.5, 4])
        XCTAssertEqual(RankCorrelation.averageRanks([3, 1, 2]), [3, 1, 2])
        assertClose(try RankCorrelation.spearman([1, 2, 3, 4], [10, 20, 35, 40]), 1)
        assertClose(try RankCorrelation.spearman([1, 2, 3, 4], [4, 3, 2, 1]), -1)
        // Ranks (1, 2.5, 2.5, 4) and (1, 2, 3, 4) about 2.5: covariance 4.5, variances 4.5 and 5,
        // ρ = 4.5/√22.5 = 0.9486832980505138.
        assertClose(try RankCorrelation.spearman([1, 2, 2, 3], [1, 2, 3, 4]), 4.5 / 22.5.squareRoot())
        XCTAssertNil(try RankCorrelation.spearman([1, 1, 1], [1, 2, 3]))
        assertThrowsError(AnalysisError.self, "rank correlation needs equal lengths, got 3 and 2",
                          try RankCorrelation.spearman([1, 2, 3], [1, 2]))
        assertThrowsError(AnalysisError.self, "rank correlation needs at least two pairs, got 1",
                          try RankCorrelation.spearman([1], [1]))
    }

    func testAgreement() throws {
        // Mean R_c² falls most between splits 2 and 3: the a-priori zone starts at 3.
        let radii = [10.0, 8, 2, 1.8, 0.5]
        let apriori = try APrioriLocator.locate(.meanRadius, candidates: [1, 2, 3, 4, 5], values: radii)
        let posthoc = try PostHocLocator.locate(splits: [1, 2, 3, 4, 5], mse: mse)
        let scores = Dictionary(uniqueKeysWithValues: zip([1, 2, 3, 4, 5], radii.map { -$0 }))
        let agreement = try ZoneAgreement(apriori: apriori, posthoc: posthoc, scores: scores, scoreName: "-r2c_mean")
        XCTAssertFalse(agreement.sameFirstSplit)
        XCTAssertEqual(agreement.aprioriFirst, 3)
        XCTAssertEqual(agreement.posthocFirst, 4)
        XCTAssertEqual(agreement.distance, 1)
        XCTAssertEqual(agreement.jumpDistance, 1)
        XCTAssertTrue(agreement.withinK)
        XCTAssertEqual(agreement.correlationSplits, [1, 2, 3, 4, 5])
        assertClose(agreement.spearman, 1)
        let strict = try ZoneAgreement(apriori: apriori, posthoc: posthoc, scores: [3: 1, 4: 0], scoreName: "x", k: 0)
        XCTAssertFalse(strict.withinK)
        assertClose(strict.spearman, -1)
        let none = try ZoneAgreement(apriori: apriori, posthoc: try PostHocLocator.locate(splits: [3], mse: [0.01]),
                                     scores: scores, scoreName: "-r2c_mean")
        XCTAssertNil(none.posthocFirst)
        XCTAssertNil(none.distance)
        XCTAssertFalse(none.withinK)
        XCTAssertNil(none.spearman)
    }
}
