import XCTest
@testable import GPZAnalysis

/// The post-hoc boundary from leakage scores: worst case over attackers, seed uncertainty, the logits apart.
final class LeakageBoundaryTests: XCTestCase {
    private typealias Outcome = (index: Int, name: String, candidate: Bool, isLogits: Bool, mse: [String: [Double]])

    private func outcome(_ index: Int, _ mse: [String: [Double]], logits: Bool = false) -> Outcome {
        (index, logits ? "logits" : "block\(index)", !logits, logits, mse)
    }

    /// Leakage 1 − MSE/0.04 with a clear boundary at block 3 (its decoder beats the floor, by 2.5 %); block 4's
    /// and the logits' decoders do no better than the floor: their attacks failed, so they are inconclusive, and
    /// block 3, whose own attack worked, is the only candidate that protects.
    func testBoundaryIsFirstOfTheProtectingTail() throws {
        let result = try LeakageBoundary(outcomes: [
            outcome(1, ["decoder": [0.002]]), outcome(2, ["decoder": [0.01]]), outcome(3, ["decoder": [0.039]]),
            outcome(4, ["decoder": [0.039]]), outcome(5, ["decoder": [0.05]], logits: true),
        ], classMeanMSE: 0.04)
        XCTAssertEqual(result.splits.map(\.leakage), [0.95, 0.75, 0.025000000000000022, 0.025000000000000022, 0])
        XCTAssertEqual(result.boundary, 3)
        XCTAssertEqual(result.lastLeaking, 2)
        XCTAssertEqual(result.logitsProtect, false)
        XCTAssertEqual(result.splits.map(\.inconclusive), [false, false, false, false, true])
    }

    /// An inadequate attacker cannot produce a partition: a decoder no better than the class-mean image at the
    /// deepest candidates is a failed attack, and the split is inconclusive, not protected.
    func testAFailedAttackIsInconclusiveNotProtection() throws {
        let result = try LeakageBoundary(outcomes: [
            outcome(1, ["decoder": [0.002]]), outcome(2, ["decoder": [0.01]]), outcome(3, ["decoder": [0.0777]]),
            outcome(4, ["decoder": [0.04]]),
        ], classMeanMSE: 0.04)
        XCTAssertEqual(result.splits[2].leakage, 0)
        XCTAssertFalse(result.splits[2].adequate)
        XCTAssertTrue(result.splits[2].inconclusive)
        XCTAssertFalse(result.splits[2].protects)
        XCTAssertNil(result.boundary, "no candidate protects: the deepest two attacks failed")
    }

    /// The cloud computes every deeper split from Z, so a split leaks at least as much as any deeper split: a
    /// shallow decoder that failed (L 0.05) is overruled by the deeper split's L 0.5, and flagged.
    func testTheEnvelopeOverDeeperSplits() throws {
        let result = try LeakageBoundary(outcomes: [
            outcome(1, ["decoder": [0.038]]), outcome(2, ["decoder": [0.02]]), outcome(3, ["decoder": [0.039]]),
            outcome(4, ["decoder": [0.0395]], logits: true),
        ], classMeanMSE: 0.04)
        XCTAssertEqual(result.splits.map(\.leakageUpper), [0.5, 0.5, 0.025000000000000022, 0.012499999999999956])
        XCTAssertEqual(result.splits.map(\.weakerThanDeeper), [true, false, false, false])
        XCTAssertFalse(result.splits[0].protects, "block 1 leaks as much as block 2 does")
        XCTAssertEqual(result.boundary, 3)
        XCTAssertEqual(result.logitsProtect, true)
    }

    /// A decoder that failed to train (the stronger one at block 4) is not read as protection: the baseline
    /// decoder's lower MSE there is the worst case, so block 4 leaks and nothing protects.
    func testFailedDecoderIsOutvotedByTheStrongestAttacker() throws {
        let result = try LeakageBoundary(outcomes: [
            outcome(3, ["decoder": [0.008], "strong": [0.006]]),
            outcome(4, ["decoder": [0.0103], "strong": [0.0832]]),
        ], classMeanMSE: 0.0436)
        XCTAssertEqual(result.splits[1].attacker, "decoder")
        XCTAssertFalse(result.splits[1].protects)
        XCTAssertNil(result.boundary)
    }

    /// An attacker keeps its best decoder: the split is judged by the maximum leakage over seeds, not their mean.
    func testTheWorstSeedDecides() throws {
        let result = try LeakageBoundary(outcomes: [
            outcome(1, ["decoder": [0.0380, 0.0381, 0.0379]]), outcome(2, ["decoder": [0.0395, 0.0395, 0.034]]),
        ], classMeanMSE: 0.04)
        XCTAssertEqual(result.splits[0].leakage, 1 - 0.0379 / 0.04, accuracy: 1e-15)
        XCTAssertEqual(result.splits[0].leakageSD.map { ($0 * 1e4).rounded() }, 25)
        XCTAssertFalse(result.splits[0].protects, "its own best decoder stays under τ; the deeper split's does not")
        XCTAssertTrue(result.splits[0].weakerThanDeeper)
        XCTAssertEqual(result.splits[1].leakage, 0.15, accuracy: 1e-12, "the mean would be 0.058, under τ")
        XCTAssertFalse(result.splits[1].protects)
        XCTAssertNil(result.boundary, "the deepest candidate leaks, so no tail protects")
    }

    /// Every split one seed does not settle is replicated: the boundary, the splits after it and the logits,
    /// any of which a better decoder could turn into a leak.
    func testReplicateSplitsAreEverySplitOneSeedDoesNotSettle() throws {
        let bounded = try LeakageBoundary(outcomes: [
            outcome(1, ["decoder": [0.002]]), outcome(2, ["decoder": [0.03]]), outcome(3, ["decoder": [0.039]]),
            outcome(4, ["decoder": [0.0395]]), outcome(5, ["decoder": [0.0385]], logits: true),
        ], classMeanMSE: 0.04)
        XCTAssertEqual(bounded.boundary, 3)
        XCTAssertEqual(LeakageBoundary.replicateSplits(bounded.splits, threshold: 0.1), [3, 4, 5],
                       "block 2 leaks 0.25 with one seed already; the boundary, block 4 and the logits could flip")
        let leaking = try LeakageBoundary(outcomes: [
            outcome(1, ["decoder": [0.002]]), outcome(2, ["decoder": [0.01]]), outcome(3, ["decoder": [0.03]]),
            outcome(4, ["decoder": [0.02]]), outcome(5, ["decoder": [0.037]], logits: true),
        ], classMeanMSE: 0.04)
        XCTAssertEqual(LeakageBoundary.replicateSplits(leaking.splits, threshold: 0.1), [5],
                       "every candidate leaks at least as much as block 4 (0.5); only the logits (0.075) could protect")
    }

    /// L₁ > τ settles a split: more seeds can only raise its best decoder's leakage, and the deeper splits' too.
    func testSplitsOneSeedSettlesAreNotReplicated() throws {
        let leaking = try LeakageBoundary(outcomes: [
            outcome(1, ["decoder": [0.002]]), outcome(2, ["decoder": [0.01]]), outcome(3, ["decoder": [0.015]]),
            outcome(4, ["decoder": [0.03]], logits: true),
        ], classMeanMSE: 0.04)
        XCTAssertEqual(LeakageBoundary.replicateSplits(leaking.splits, threshold: 0.1), [])
        XCTAssertTrue(LeakageBoundary.settledByOneSeed(leaking.splits[2], threshold: 0.1))
        XCTAssertFalse(LeakageBoundary.settledByOneSeed(leaking.splits[3], threshold: 0.3))
    }

    func testRejectsBadInput() {
        XCTAssertThrowsError(try LeakageBoundary(outcomes: [outcome(1, [:])], classMeanMSE: 0.04))
        XCTAssertThrowsError(try LeakageBoundary(outcomes: [], classMeanMSE: 0))
    }
}
