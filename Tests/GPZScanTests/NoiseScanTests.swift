import Foundation
import GPZConfig
import GPZScan
import GPZTestSupport
import XCTest

/// The defender's noise (`attack.noise`) through a scan: it is part of the attack (another hash, stored apart), the
/// cloud's accuracy on noisy Z is reported per split, and heavy noise costs accuracy that σ = 0 does not.
final class NoiseScanTests: XCTestCase {
    private var work: URL!

    override func setUpWithError() throws {
        work = try makeTemporaryDirectory("gpz-noise-scan")
    }

    private func results(_ out: URL) throws -> ScanResults {
        try ResultsJSON.decoder().decode(ScanResults.self, from: Data(contentsOf: ScanRunner.resultsURL(out)))
    }

    func testNoiseIsAnAttackSettingWithAccuracyAsSent() throws {
        let attack = "{epochs: 2, batch: 16, evaluate_limit: 40, seeds: 1, ladder: [], splits: \"2,logits\""
        let (clean, _) = try runTinyScan(in: work, attack: attack + "}", name: "clean")
        let (noisy, _) = try runTinyScan(in: work, attack: attack + ", noise: 20}", name: "noisy")
        let (plain, loud) = (try results(clean), try results(noisy))
        XCTAssertNotEqual(plain.attack.attackHash, loud.attack.attackHash)
        XCTAssertEqual(plain.target.trainingHash, loud.target.trainingHash, "the same target")
        let attacked = loud.splits.compactMap(\.attack)
        XCTAssertEqual(attacked.count, 2)
        XCTAssertTrue(plain.splits.compactMap(\.attack).allSatisfy { $0.accuracyAsSent == nil }, "σ 0 sends Z as it is")
        let logits = try XCTUnwrap(attacked.last?.accuracyAsSent)
        XCTAssertLessThan(logits, loud.target.testAccuracy - 0.1,
                          "σ 20 times the logits' spread must cost accuracy (clean \(loud.target.testAccuracy))")
        XCTAssertTrue(attacked.allSatisfy { $0.mse.isFinite })
    }
}
