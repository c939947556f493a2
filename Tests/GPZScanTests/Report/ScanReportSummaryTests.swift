import Foundation
import GPZAnalysis
import GPZAttacks
import GPZConfig
import GPZData
import GPZModels
import GPZTraining
@testable import GPZReport
@testable import GPZScan
import XCTest

/// The cnn4 fixture's verdict, and the scan report's summary that leads with it: the recommendation and its cost,
/// the zone's stability, the baselines, the post-hoc boundary and the headline, for a clear zone, an unclear one, no
/// partition and none.
final class ScanReportSummaryTests: ReportTestCase {
    /// The numbers the report tests below expect, computed by hand from the fixture's MSEs.
    func testFixtureVerdictIsTheHandComputedOne() throws {
        let results = try ReportFixture.cnn4(writingGridsTo: runDirectory)
        let zone = results.zones.zone
        XCTAssertEqual(zone.candidates, [1, 2, 3, 4])
        XCTAssertEqual(zone.split, 4)
        XCTAssertEqual(zone.replicates, 30)
        XCTAssertEqual(zone.frequencies, [0, 0, 0.1, 0.9])
        XCTAssertTrue(zone.clear)
        XCTAssertEqual(zone.featureSplit, 3)
        let leakage = try XCTUnwrap(results.zones.leakage)
        XCTAssertEqual(leakage.boundary, 4)
        XCTAssertEqual(leakage.lastLeaking, 3)
        XCTAssertEqual(leakage.logitsProtect, false, "the logits' decoder (0.0440) did no better than the floor")
        XCTAssertEqual(results.splits[4].leakage?.inconclusive, true)
        let block4 = try XCTUnwrap(results.splits[3].leakage)
        XCTAssertEqual(block4.mse, [0.0415, 0.0420, 0.0410])
        XCTAssertEqual(block4.leakage, 1 - 0.0410 / 0.0436, accuracy: 1e-12, "the best of the three seeds")
        XCTAssertEqual(try XCTUnwrap(block4.leakageSD), 0.0005 / 0.0436, accuracy: 1e-12)
        XCTAssertTrue(block4.protects)
        let block3 = try XCTUnwrap(results.splits[2].leakage)
        XCTAssertFalse(block3.protects)
        XCTAssertEqual(block3.mse, [0.0102], "L₁ = 0.766 > τ: one seed settles block3, so it is not replicated")
        XCTAssertEqual(results.attack.replicatedSplits, [4, 5], "every split one seed does not settle")
        XCTAssertEqual(results.attack.seeds, [0, 1, 2])
        let r = results.recommendation
        XCTAssertEqual(r.kind, .partition)
        XCTAssertEqual(r.split, 4)
        XCTAssertEqual(r.name, "block4")
        XCTAssertTrue(r.matchesZone)
        XCTAssertEqual(r.bytes, 4 * 2_048)
        XCTAssertEqual(r.edgeMacs, 57_212_928)
        let pair = try XCTUnwrap(results.headline.verdict?.zonePair)
        XCTAssertEqual(pair.feature, 3)
        XCTAssertEqual(pair.mseFeature, 0.0102, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(pair.resistance), 1 - 0.0102 / 0.0415, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(results.headline.verdict?.zoneOverShallowest), 0.0415 / 0.0039, accuracy: 1e-12)
        XCTAssertEqual(results.zones.paperThreshold?.firstAboveThreshold, 4)
        XCTAssertEqual(results.splits.map(\.paperThresholdProtects), [false, false, false, true, true])
        XCTAssertEqual(results.splits.map(\.candidate), [true, true, true, true, false])
        XCTAssertEqual(results.splits[3].intraShare, 0.292, accuracy: 1e-12)
        XCTAssertEqual(results.splits[3].sigma2, 140.4 / 0.292 / 2_048, accuracy: 1e-12)
    }

    /// The summary leads with the recommendation and its cost, then the zone's stability, the baselines, the
    /// post-hoc boundary and the headline, in that order.
    func testSummaryLeadsWithTheRecommendation() throws {
        let results = try ReportFixture.cnn4(writingGridsTo: runDirectory)
        let html = try ScanReport.html(results, runDirectory: runDirectory)
        let section = try Self.section("summary", of: html)
        let expected = [
            "Recommended split: block4 (split 4)",
            // L = 1 − 0.0410/0.0436 of the best of the three seeds; the logits' failed attack adds nothing.
            "beat the label-only floor by more than 0.1 or re-identified its originals above chance; leakage 0.0596 of "
                + "its best decoder (0.0596 with the deeper splits&#39;), reconstruction MSE 0.04150; the edge runs "
                + "57.2 M MACs with 1.55 M parameters and sends 8.00 KiB per image; the a-priori zone&#39;s split.",
            "no attacker we ran (decoder: 3 seeds, aux data all)",
            "The zone is clear: the share rule selects block4 (split 4) in 90.00 % of 30 resamples (clear at 66.67 %).",
            "class-mean image MSE 0.04360, global-mean image MSE 0.08710 on the 10000 evaluated images",
            "block4 (split 4): from there on every candidate&#39;s leakage (best decoder, with the deeper splits&#39;) "
                + "is at most 0.1; the logits are inconclusive (no attack beat the label-only floor)",
            // 0.0415 / 0.0039 = 10.64; resistance 1 − 0.0102/0.0415.
            "MSE 0.04150 at the zone&#39;s block4 against 0.01020 at block3 before it (resistance 75.42 %)",
            "10.6× the MSE at the shallowest candidate block1 (split 1)",
            "the a-priori zone is at the post-hoc boundary",
            "channel-summed MSE ≥ 0.02 from block4 (split 4) on",
        ]
        let offsets = try expected.map { text in
            try XCTUnwrap(section.range(of: text), "summary lacks: \(text)\n\(section)").lowerBound
        }
        XCTAssertEqual(offsets, offsets.sorted(), "summary order")
    }

    /// The attainable label-only floor is shown beside the oracle when the results have it, and not otherwise.
    func testSummaryShowsTheAttainableLabelOnlyFloor() throws {
        var results = try ReportFixture.cnn4(writingGridsTo: runDirectory)
        let fact = "attainable label-only (aux class means under the cloud&#39;s predicted label) MSE"
        XCTAssertFalse(try Self.section("summary", of: ScanReport.html(results, runDirectory: runDirectory))
            .contains(fact))
        results.baselines = try XCTUnwrap(results.baselines).with(labelOnlyMSE: 0.05, auxImages: 12_000)
        let summary = try Self.section("summary", of: ScanReport.html(results, runDirectory: runDirectory))
        XCTAssertTrue(summary.contains("class-mean image MSE 0.04360, global-mean image MSE 0.08710 on the 10000 "
                                       + "evaluated images; \(fact) 0.05000 from 12000 aux images"), summary)
    }

    func testSummaryOfAnUnclearZoneAndADifferentRecommendation() throws {
        let unclear = try ReportFixture.cnn4(writingGridsTo: runDirectory, zoneVotesForBlock3: 12)
        XCTAssertEqual(unclear.zones.zone.split, 4)
        XCTAssertFalse(unclear.zones.zone.clear)
        XCTAssertTrue(try Self.section("summary", of: ScanReport.html(unclear, runDirectory: runDirectory))
            .contains("The zone is not clear: the share rule selects block4 (split 4) in 60.00 % of 30 resamples"))
        // A tie goes to the earlier candidate: the zone is block3, and the boundary (block4) no longer matches it.
        let tie = try ReportFixture.cnn4(writingGridsTo: runDirectory, zoneVotesForBlock3: 15)
        XCTAssertEqual(tie.zones.zone.split, 3)
        XCTAssertEqual(tie.recommendation.split, 4)
        XCTAssertFalse(tie.recommendation.matchesZone)
        let summary = try Self.section("summary", of: ScanReport.html(tie, runDirectory: runDirectory))
        XCTAssertTrue(summary.contains("The zone is not clear: the share rule selects block3 (split 3) in 50.00 % of 30"))
        XCTAssertTrue(summary.contains("the a-priori zone is block3 (split 3)."))
        XCTAssertTrue(summary.contains("the a-priori zone is 1 candidate position shallower than the post-hoc boundary"),
                      "the zone is one candidate shallower than the boundary")
    }

    func testSummaryOfNoPartitionAndNone() throws {
        let noPartition = try ReportFixture.cnn4(writingGridsTo: runDirectory, outcome: .noPartition)
        XCTAssertEqual(noPartition.recommendation.kind, .noPartition)
        XCTAssertEqual(noPartition.recommendation.split, 5)
        var summary = try Self.section("summary", of: ScanReport.html(noPartition, runDirectory: runDirectory))
        XCTAssertTrue(summary.hasPrefix("id=\"summary\">\n<p class=\"recommendation\"><strong>No partition protects: "
                                        + "only the classifier output (logits) does"), summary)
        XCTAssertFalse(summary.contains("Recommended split"))
        // block4: L̄ = 1 − 0.0219/0.0436, the least-leaking candidate.
        XCTAssertTrue(summary.contains("none: no block-level candidate protects (least leakage 0.498 at block4 "
                                       + "(split 4)); the logits protect"), summary)
        XCTAssertTrue(summary.contains("class-mean image MSE 0.04360"))

        let none = try ReportFixture.cnn4(writingGridsTo: runDirectory, outcome: .none)
        XCTAssertEqual(none.recommendation.kind, .none)
        XCTAssertNil(none.recommendation.split)
        let html = try ScanReport.html(none, runDirectory: runDirectory)
        summary = try Self.section("summary", of: html)
        XCTAssertTrue(summary.hasPrefix("id=\"summary\">\n<p class=\"recommendation\"><strong>No split protects: "
                                        + "every attacked split leaks more than the class label."), summary)
        XCTAssertTrue(summary.contains("; the logits leak"))
        XCTAssertFalse(html.contains("recommended split\""), "no split is starred")
        XCTAssertEqual(Self.nonFiniteWords(in: html), [])
    }
}
