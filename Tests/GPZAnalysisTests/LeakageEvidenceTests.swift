import XCTest
@testable import GPZAnalysis

/// The evidence a protected split must carry: converged attacks, a budget curve that has flattened, no
/// re-identification above chance.
final class LeakageEvidenceTests: XCTestCase {
    private let classMean = 0.04
    private let floor = 0.0395

    /// A screening run (5 epochs, unconverged), three converged seeds at the full budget and the ladder's rungs at
    /// seed 0, all under 40 epochs. `half` is the MSE at half the data; `fullConverged` flags seed 2's run.
    private func runs(half: Double, fullConverged: Bool = true, ladder: Bool = true,
                      reidentifies: Bool? = false) -> [AttackRun] {
        func run(_ seed: UInt64, _ budget: Double, _ epochs: Int, _ mse: Double, converged: Bool = true) -> AttackRun {
            AttackRun(attacker: "decoder", seed: seed, budget: budget, epochs: epochs, mse: mse, mseError: 0.0001,
                      converged: converged, reidentifies: reidentifies)
        }
        var runs = [run(0, 1, 5, 0.0392, converged: false),
                    run(0, 1, 40, 0.0385), run(1, 1, 40, 0.0386), run(2, 1, 40, 0.0387, converged: fullConverged)]
        if ladder { runs += [run(0, 0.25, 40, 0.0399), run(0, 0.5, 40, half)] }
        return runs
    }

    private func judge(_ runs: [AttackRun], deeper: [AttackRun]? = nil) throws -> LeakageBoundary {
        var splits = [LeakageBoundary.SplitRuns(index: 1, name: "block1", candidate: true, isLogits: false, runs: runs)]
        if let deeper {
            splits.append(.init(index: 2, name: "block2", candidate: true, isLogits: false, runs: deeper))
        }
        return try LeakageBoundary(splits: splits, classMeanMSE: classMean, adequacyMSE: floor)
    }

    /// Flat: the last doubling raises L by 0.00125, under its uncertainty max(SE 0.0001/0.04, seed sd 0.0025).
    func testAFlatConvergedCurveProtects() throws {
        let split = try judge(runs(half: 0.03855)).splits[0]
        XCTAssertEqual(split.budgetCurve.map(\.budget), [0.25, 0.5, 1])
        XCTAssertEqual(split.budgetCurve.map(\.seed), [0, 0, 0])
        XCTAssertEqual(split.budgetRising, false)
        XCTAssertTrue(split.converged, "the unconverged 5-epoch screen is not the last training stage")
        XCTAssertEqual(split.leakage, 1 - 0.0385 / 0.04, accuracy: 1e-12)
        XCTAssertEqual(split.open, [])
        XCTAssertTrue(split.protects)
    }

    /// The ladder refuses protection on a rising curve: 0.0396 → 0.0385 raises L by 0.0275 > 0.0025.
    func testARisingCurveIsInconclusiveNeverProtected() throws {
        let split = try judge(runs(half: 0.0396)).splits[0]
        XCTAssertEqual(split.budgetRising, true)
        XCTAssertEqual(split.open, [.budgetRising])
        XCTAssertFalse(split.protects)
        XCTAssertTrue(split.inconclusive)
    }

    func testAnUnconvergedRunOfTheLastStageIsInconclusive() throws {
        let split = try judge(runs(half: 0.03855, fullConverged: false)).splits[0]
        XCTAssertFalse(split.converged)
        XCTAssertEqual(split.open, [.notConverged])
        XCTAssertFalse(split.protects)
    }

    func testALearnedAttackWithoutALadderIsInconclusive() throws {
        let split = try judge(runs(half: 0, ladder: false)).splits[0]
        XCTAssertNil(split.budgetRising)
        XCTAssertEqual(split.open, [.noLadder])
        XCTAssertFalse(split.protects)
    }

    /// Re-identification at a deeper split makes every shallower split leak too (the cloud computes the deeper
    /// features), and settles them: no further run could make them protect.
    func testReidentificationLeaksAndCarriesToShallowerSplits() throws {
        let result = try judge(runs(half: 0.03855), deeper: runs(half: 0.03855, reidentifies: true))
        XCTAssertEqual(result.splits.map(\.reidentifies), [false, true])
        XCTAssertEqual(result.splits.map(\.reidentifiesUpper), [true, true])
        XCTAssertEqual(result.splits.map(\.protects), [false, false])
        XCTAssertEqual(result.splits.map(\.inconclusive), [false, false])
        XCTAssertNil(result.boundary)
        XCTAssertTrue(LeakageBoundary.settledByOneSeed(result.splits[0], threshold: 0.1))
    }

    /// The worst case over seeds and budgets: a lucky rung (the quarter-budget decoder at 0.03) decides L.
    func testTheBestDecoderOfAnyRunDecides() throws {
        var lucky = runs(half: 0.03855)
        lucky[4].mse = 0.03
        let split = try judge(lucky).splits[0]
        XCTAssertEqual(split.leakage, 0.25, accuracy: 1e-12)
        XCTAssertFalse(split.protects)
        XCTAssertFalse(split.inconclusive, "it leaks")
    }
}
