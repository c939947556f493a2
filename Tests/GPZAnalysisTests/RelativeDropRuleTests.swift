import XCTest
import GPZAnalysis
import GPZTestSupport

/// The paper code's a-priori rule on given sequences, and the locator built on it.
final class RelativeDropRuleTests: XCTestCase {
    private let vgg19Candidates = [13, 17, 26, 30, 39, 43, 52]
    private let rule = RelativeDropRule()

    private func selected(_ values: [Double], _ candidates: [Int]? = nil) throws -> [Int] {
        try rule.select(splits: candidates ?? Array(vgg19Candidates.prefix(values.count)), values: values).splits
    }

    func testGapsBetweenTheTwoLargestDropsAllBelowThresholdGiveOneSplit() throws {
        // Drops 0.2, 0.75, 0.1, 0.7222: largest gap 1 (→ 26), second gap 3, gap 2 (0.1) < 0.2 between them.
        let selection = try rule.select(splits: [13, 17, 26, 30, 39], values: [10, 8, 2, 1.8, 0.5])
        XCTAssertEqual(selection.splits, [26])
        XCTAssertEqual(selection.largestGap, 1)
        XCTAssertEqual(selection.secondGap, 3)
        for (drop, expected) in zip(selection.drops, [0.2, 0.75, 0.1, 1.3 / 1.8]) { assertClose(drop, expected) }
    }

    func testAGapAtOrAboveThresholdBetweenGivesTwoSplits() throws {
        // Drops 0.2, 0.75, 0.25, 0.7333: gap 2 (0.25) separates the two largest → 26 and 39.
        XCTAssertEqual(try selected([10, 8, 2, 1.5, 0.4]), [26, 39])
        // Exactly 0.2 separates too: drops 0.75, 0.2 (= (5 − 4)/5), 0.75; ties go to the earlier gap.
        XCTAssertEqual(try selected([20, 5, 4, 1]), [17, 30])
        // A rise counts by its size: drops 0.2, 0.75, −0.5, 0.7333 → |−0.5| ≥ 0.2.
        XCTAssertEqual(try selected([10, 8, 2, 3, 0.8]), [26, 39])
    }

    func testSecondLargestDropBeforeTheLargest() throws {
        // Drops 0.8, 0.05, 0.4737, 0.9: largest gap 3 (→ 39), second gap 0 (→ 17), gap 2 ≥ 0.2 between.
        let zone = try APrioriLocator.locate(.meanRadius, candidates: [13, 17, 26, 30, 39], values: [10, 2, 1.9, 1, 0.1])
        XCTAssertEqual(zone.selected, [39, 17])
        XCTAssertEqual(zone.first, 17)
        XCTAssertEqual(zone.range, [17, 39])
    }

    func testAdjacentLargestDropsGiveOneSplit() throws {
        // Drops 0.5, 0.8, 0.1: largest gap 1, second gap 0, nothing between them.
        XCTAssertEqual(try selected([10, 5, 1, 0.9]), [26])
    }

    func testSingleGap() throws {
        let selection = try rule.select(splits: [3, 8], values: [4, 1])
        XCTAssertEqual(selection.splits, [8])
        XCTAssertNil(selection.secondGap)
        // A rise still selects the split after the only gap.
        XCTAssertEqual(try selected([1, 4], [3, 8]), [8])
    }

    func testZeroPreviousValueCountsAsNoDrop() throws {
        // Drops 0 (previous value 0), 0.8, 0.1.
        let selection = try rule.select(splits: [1, 2, 3, 4], values: [0, 5, 1, 0.9])
        XCTAssertEqual(selection.drops[0], 0)
        XCTAssertEqual(selection.splits, [3])
    }

    func testTiesPickTheEarlierGapFirst() throws {
        // Drops 0.5, 0.5, 0.5: Python's stable sort orders the gaps 0, 1, 2.
        let selection = try rule.select(splits: [1, 2, 3, 4], values: [4, 2, 1, 0.5])
        XCTAssertEqual(selection.largestGap, 0)
        XCTAssertEqual(selection.secondGap, 1)
        XCTAssertEqual(selection.splits, [2])
    }

    func testConfigurableSeparation() throws {
        XCTAssertEqual(try RelativeDropRule(separation: 0.3).select(splits: [13, 17, 26, 30, 39],
                                                                    values: [10, 8, 2, 1.5, 0.4]).splits, [26])
    }

    func testZoneReportsRuleAndNumbers() throws {
        let zone = try APrioriLocator.locate(.meanRadius, candidates: [1, 2, 3, 4, 5], values: [10, 8, 2, 1.8, 0.5])
        XCTAssertEqual(zone.rule, "paper_r2c_mean_drop")
        XCTAssertTrue(zone.ruleDescription.contains("0.2"))
        XCTAssertEqual(zone.first, 3)
        XCTAssertEqual(zone.range, [3, 3])
        XCTAssertEqual(zone.values, [10, 8, 2, 1.8, 0.5])
        XCTAssertEqual(zone.drops.count, 4)
    }

    /// A 2×2 pooling divides R_c² by about 4 without tightening the classes; the share ignores it.
    func testShareVariantIgnoresWidthChanges() throws {
        let candidates = [1, 2, 3, 4]
        let radius = try APrioriLocator.locate(.meanRadius, candidates: candidates, values: [100, 25, 20, 2])
        let share = try APrioriLocator.locate(.intraClassShare, candidates: candidates, values: [0.9, 0.9, 0.8, 0.1])
        XCTAssertEqual(radius.selected, [4, 2])
        XCTAssertEqual(share.selected, [4])
        XCTAssertEqual(share.rule, "intra_share_drop")
    }

    func testInvalidInput() {
        assertThrowsError(AnalysisError.self, "3 splits but 2 criterion values",
                          try rule.select(splits: [1, 2, 3], values: [1, 2]))
        assertThrowsError(AnalysisError.self, "at least 2 split(s) needed, got 1",
                          try rule.select(splits: [1], values: [1]))
        assertThrowsError(AnalysisError.self, "splits must be strictly increasing (forward order), got [2, 1]",
                          try rule.select(splits: [2, 1], values: [1, 2]))
        assertThrowsError(AnalysisError.self, "criterion at split 2 is not finite (nan)",
                          try rule.select(splits: [1, 2], values: [1, .nan]))
    }
}
