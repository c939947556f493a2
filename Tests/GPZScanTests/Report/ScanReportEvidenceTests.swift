import Foundation
import GPZAnalysis
import GPZAttacks
@testable import GPZReport
@testable import GPZScan
import XCTest

/// The report's "Attack evidence" section: a row per attacked split with its runs, convergence and verdict, the
/// label-only re-identification rate, and the leakage-against-budget chart where the ladder ran.
final class ScanReportEvidenceTests: ReportTestCase {
    func testEvidenceShowsRunsConvergenceTheFloorAndTheBudgetCurve() throws {
        var results = try ReportFixture.cnn4(writingGridsTo: runDirectory)
        func run(_ seed: UInt64, _ budget: Double, _ mse: Double, reidentifies: Bool = false) -> AttackRun {
            AttackRun(attacker: "decoder", seed: seed, budget: budget, epochs: 40, mse: mse, mseError: 0.0002,
                      converged: true, reidentifies: reidentifies)
        }
        let leakage = try LeakageBoundary(splits: [
            .init(index: 3, name: "block3", candidate: true, isLogits: false, runs: [run(0, 1, 0.0102)]),
            .init(index: 4, name: "block4", candidate: true, isLogits: false,
                  runs: [run(0, 1, 0.0410), run(1, 1, 0.0412), run(2, 1, 0.0415), run(0, 0.25, 0.0430),
                         run(0, 0.5, 0.0411)]),
            .init(index: 5, name: "logits", candidate: false, isLogits: true,
                  runs: [run(0, 1, 0.0420, reidentifies: true), run(0, 0.5, 0.0421)]),
        ], classMeanMSE: 0.0436, adequacyMSE: 0.0433)
        results.zones.leakage = leakage
        results.baselines = results.baselines?.with(
            labelOnlyMSE: 0.0433, auxImages: 12_000,
            reidentification: .init(embedding: .init(candidates: 10, trials: 2_000, hits: 240, rate: 0.12, lower: 0.106,
                                                     upper: 0.135, chance: 0.1),
                                    ssim: .init(candidates: 10, trials: 2_000, hits: 250, rate: 0.125, lower: 0.11,
                                                upper: 0.14, chance: 0.1)))
        let html = try ScanReport.html(results, runDirectory: runDirectory)
        let section = try Self.section("evidence", of: html)
        XCTAssertTrue(section.contains("<td>block4 (split 4)</td><td class=\"num\">5</td><td>yes</td>"), section)
        XCTAssertTrue(section.contains("leaks (a deeper split re-identifies its originals)"), section)
        XCTAssertTrue(section.contains("leaks (re-identifies its originals)"), section)
        XCTAssertTrue(section.contains("re-identifies 0.12 [0.11, 0.14] in the embedding"), section)
        XCTAssertTrue(section.contains("Leakage against the attacker"), "block4's ladder: a budget chart")
        XCTAssertEqual(leakage.splits[1].budgetCurve.map(\.budget), [0.25, 0.5, 1])
    }
}
