import XCTest
@testable import GPZAnalysis

/// The post-hoc boundary from leakage scores: worst case over attackers, seed uncertainty, the logits apart.
final class LeakageBoundaryTests: XCTestCase {
    private typealias Outcome = (index: Int, name: String, candidate: Bool, isLogits: Bool, mse: [String: [Double]])

    private func outcome(_ index: Int, _ mse: [String: [Double]], logits: Bool = false) -> Outcome {
        (index, logits ? "logits" : "block\(index)", !logits, logits, mse)
    }

    /// Leakage 1 − MSE/0.04 with a clear boundary at block 3.
    func testBoundaryIsFirstOfTheProtectingTail() throws {
        let result = try LeakageBoundary(outcomes: [
            outcome(1, ["decoder": [0.002]]), outcome(2, ["decoder": [0.01]]), outcome(3, ["decoder": [0.039]]),
            outcome(4, ["decoder": [0.045]]), outcome(5, ["decoder": [0.05]], logits: true),
        ], classMeanMSE: 0.04)
        XCTAssertEqual(result.splits.map(\.leakage), [0.95, 0.75, 0.025000000000000022, 0, 0])
        XCTAssertEqual(result.boundary, 3)
        XCTAssertEqual(result.lastLeaking, 2)
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

    /// A split protects only when mean + sd of its leakage stays under τ: a wide seed spread keeps it leaking.
    func testSeedSpreadDecides() throws {
        let result = try LeakageBoundary(outcomes: [
            outcome(1, ["decoder": [0.0380, 0.0381, 0.0379]]), outcome(2, ["decoder": [0.04, 0.02, 0.045]]),
        ], classMeanMSE: 0.04)
        XCTAssertEqual(result.splits[0].leakageSD.map { ($0 * 1e4).rounded() }, 25)
        XCTAssertTrue(result.splits[0].protects)
        XCTAssertFalse(result.splits[1].protects, "L̄ = 0.125 alone already exceeds 0.1, its spread more so")
        XCTAssertNil(result.boundary, "a leaking candidate after a protecting one ends the tail")
    }

    func testReplicateSplitsSurroundTheBoundaryOrTheLeastLeakingCandidate() throws {
        let leaking = try LeakageBoundary(outcomes: [
            outcome(1, ["decoder": [0.002]]), outcome(2, ["decoder": [0.01]]), outcome(3, ["decoder": [0.03]]),
            outcome(4, ["decoder": [0.015]]), outcome(5, ["decoder": [0.03]], logits: true),
        ], classMeanMSE: 0.04)
        XCTAssertEqual(LeakageBoundary.replicateSplits(leaking.splits, threshold: 0.1, seeds: 3), [3, 5])
        let bounded = try LeakageBoundary(outcomes: [
            outcome(1, ["decoder": [0.002]]), outcome(2, ["decoder": [0.03]]), outcome(3, ["decoder": [0.039]]),
            outcome(4, ["decoder": [0.045]]),
        ], classMeanMSE: 0.04)
        XCTAssertEqual(LeakageBoundary.replicateSplits(bounded.splits, threshold: 0.1, seeds: 3), [2, 3])
    }

    /// L₁ > n·τ settles a split: block 3's L₁ = 0.625 and the logits' 0.25 both exceed 2 × 0.1, so with two seeds
    /// nothing is replicated; with three seeds the logits (0.25 ≤ 0.3) still could protect and are replicated.
    func testSplitsOneSeedSettlesAreNotReplicated() throws {
        let leaking = try LeakageBoundary(outcomes: [
            outcome(1, ["decoder": [0.002]]), outcome(2, ["decoder": [0.01]]), outcome(3, ["decoder": [0.015]]),
            outcome(4, ["decoder": [0.03]], logits: true),
        ], classMeanMSE: 0.04)
        XCTAssertEqual(LeakageBoundary.replicateSplits(leaking.splits, threshold: 0.1, seeds: 2), [])
        XCTAssertEqual(LeakageBoundary.replicateSplits(leaking.splits, threshold: 0.1, seeds: 3), [4])
        XCTAssertTrue(LeakageBoundary.settledByOneSeed(leaking.splits[2], threshold: 0.1, seeds: 3))
        // Whatever two more seeds give (at best L = 0), block 3's mean stays above τ.
        let worstCase = try LeakageBoundary(outcomes: [outcome(3, ["decoder": [0.015, 0.04, 0.04]])], classMeanMSE: 0.04)
        XCTAssertFalse(worstCase.splits[0].protects)
    }

    func testRejectsBadInput() {
        XCTAssertThrowsError(try LeakageBoundary(outcomes: [outcome(1, [:])], classMeanMSE: 0.04))
        XCTAssertThrowsError(try LeakageBoundary(outcomes: [], classMeanMSE: 0))
    }
}
