import GPZAnalysis
import GPZPipeline
import XCTest

final class ScanVerdictTests: XCTestCase {
    /// cnn4-like rows: R_c² falls most between splits 2 and 3, so the paper rule's zone starts at 3.
    private func fixture(mse: [Double?]) throws -> (splits: [ScanSplit], zone: APrioriZone) {
        let radii = [20.0, 18.0, 3.0, 2.5, 2.0]
        let zone = try APrioriLocator.locate(.meanRadius, candidates: [1, 2, 3, 4, 5], values: radii)
        let splits = (0..<5).map { (i: Int) -> ScanSplit in
            let macs: Int = 100 * (i + 1), params: Int = 10 * (i + 1), bytes: Int = 16 * (5 - i)
            return ScanSplit(name: "s\(i + 1)", index: i + 1, shape: [4], d: 4, r2cMean: radii[i], r2cMin: 0, r2cMax: 1,
                      intraShare: 0.5, sigma2: 1, effectiveDimension: nil, hGlobalPerDim: 0, hClassMixturePerDim: 0,
                      mse: mse[i], mseStd: nil, mseSumChannels: nil, psnr: nil, ssim: nil, cosine: nil,
                      accuracyWithDefense: nil, grid: nil, edgeParams: params, edgeMacs: macs, bytes: bytes)
        }
        return (splits, zone)
    }

    func testRecommendsTheEarliestProtectingSplitInTheZone() throws {
        let (splits, zone) = try fixture(mse: [0.004, 0.006, 0.015, 0.03, 0.05])
        XCTAssertEqual(zone.first, 3)
        let r = ScanVerdict.recommend(splits: splits, apriori: zone, threshold: 0.02)
        XCTAssertEqual(r.split, 4)
        XCTAssertEqual(r.name, "s4")
        XCTAssertEqual(r.edgeMacs, 400)
        XCTAssertEqual(r.bytes, 32)
        XCTAssertTrue(r.inZone)
    }

    func testFallsBackOutsideTheZoneAndSaysSo() throws {
        let (splits, zone) = try fixture(mse: [0.004, 0.03, 0.01, nil, 0.01])
        let r = ScanVerdict.recommend(splits: splits, apriori: zone, threshold: 0.02)
        XCTAssertEqual(r.split, 2)
        XCTAssertFalse(r.inZone)
        XCTAssertTrue(r.rule.contains("no split in the a-priori zone"), r.rule)
    }

    func testNoRecommendationWhenEverySplitLeaks() throws {
        let (splits, zone) = try fixture(mse: [0.001, 0.002, 0.003, 0.004, 0.005])
        let r = ScanVerdict.recommend(splits: splits, apriori: zone, threshold: 0.02)
        XCTAssertNil(r.split)
        XCTAssertTrue(r.rule.contains("every split leaks"), r.rule)
    }

    func testHeadlineRatioAndResistance() throws {
        let (splits, zone) = try fixture(mse: [0.004, 0.006, 0.016, 0.03, 0.05])
        let h = ScanVerdict.headline(splits: splits, apriori: zone, testAccuracy: 0.9)
        XCTAssertEqual(h.shallowestSplit, 1)
        XCTAssertEqual(h.gpzSplit, 3)
        XCTAssertEqual(h.featureSplit, 2)
        XCTAssertEqual(try XCTUnwrap(h.mseRatioGpzVsShallowest), 4.0, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(h.resistance), 1 - 0.006 / 0.016, accuracy: 1e-12)
    }

    func testHeadlineIsNullWithoutAttacks() throws {
        let (splits, zone) = try fixture(mse: [nil, nil, nil, nil, nil])
        let h = ScanVerdict.headline(splits: splits, apriori: zone, testAccuracy: 0.5)
        XCTAssertNil(h.mseRatioGpzVsShallowest)
        XCTAssertNil(h.resistance)
    }
}
