import GPZOptim
import XCTest

final class EarlyStoppingTests: XCTestCase {
    /// A curve that falls, then flattens: the rule stops `patience` checks after the last real improvement, not
    /// before, and calls it converged.
    func testStopsOnAPlateauAndNotBefore() throws {
        var rule = try EarlyStopping(patience: 3, minRelativeImprovement: 0.01, maxChecks: 50)
        let curve = [1.0, 0.6, 0.4, 0.3, 0.299, 0.2995, 0.2991, 0.2990]
        var stoppedAt: Int?
        for (check, loss) in curve.enumerated() where rule.observe(loss) {
            stoppedAt = check
            break
        }
        XCTAssertEqual(rule.bestCheck, 3, "0.299 is not a 1 % improvement on 0.3")
        XCTAssertEqual(stoppedAt, 6, "three checks without improvement after check 3")
        XCTAssertEqual(rule.stop, .plateau)
        XCTAssertTrue(rule.converged)
        XCTAssertEqual(rule.best, 0.3)
        XCTAssertEqual(rule.history.count, 7)
    }

    /// Every check improving: the run goes to the maximum and is not converged.
    func testASteadyDeclineRunsToTheMaximumUnconverged() throws {
        var rule = try EarlyStopping(patience: 2, minRelativeImprovement: 0.01, maxChecks: 10)
        var checks = 0
        var loss = 1.0
        while !rule.observe(loss) {
            checks += 1
            loss *= 0.9
        }
        XCTAssertEqual(rule.history.count, 10)
        XCTAssertEqual(checks, 9)
        XCTAssertEqual(rule.stop, .maximum)
        XCTAssertFalse(rule.converged)
    }

    /// A late improvement restarts the patience count.
    func testAnImprovementResetsThePatience() throws {
        var rule = try EarlyStopping(patience: 2, minRelativeImprovement: 0, maxChecks: 100)
        for loss in [1.0, 1.0, 0.5, 0.5] { XCTAssertFalse(rule.observe(loss), "\(loss)") }
        XCTAssertTrue(rule.observe(0.6))
        XCTAssertEqual(rule.bestCheck, 2)
    }

    func testANonFiniteLossStopsUnconverged() throws {
        var rule = try EarlyStopping()
        XCTAssertFalse(rule.observe(0.5))
        XCTAssertTrue(rule.observe(.nan))
        XCTAssertEqual(rule.stop, .diverged)
        XCTAssertFalse(rule.converged)
        XCTAssertTrue(rule.observe(0.1), "a stopped rule stays stopped")
        XCTAssertEqual(rule.history.count, 2)
    }

    func testBadSettingsAreRefusedByName() {
        XCTAssertThrowsError(try EarlyStopping(patience: 0)) { XCTAssertTrue("\($0)".contains("patience"), "\($0)") }
        XCTAssertThrowsError(try EarlyStopping(minRelativeImprovement: 1)) {
            XCTAssertTrue("\($0)".contains("minimum relative improvement"), "\($0)")
        }
        XCTAssertThrowsError(try EarlyStopping(maxChecks: 0)) { XCTAssertTrue("\($0)".contains("maximum checks"), "\($0)") }
    }
}
