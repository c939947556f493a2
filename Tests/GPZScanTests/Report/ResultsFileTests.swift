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

/// results.csv and results.json: one CSV row per split with the verdict's columns, JSON that round-trips and matches
/// the v5 schema for every kind of recommendation, and a schema check that catches old and incomplete results.
final class ResultsFileTests: ReportTestCase {
    func testCSVHasOneRowPerSplitWithTheVerdictColumns() throws {
        let results = try ReportFixture.cnn4(writingGridsTo: runDirectory)
        let lines = ResultsCSV.text(results).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        XCTAssertEqual(lines.count, 1 + 5)
        XCTAssertEqual(lines[0], ResultsCSV.columns)
        for column in ["leakage", "leakage_sd", "leakage_upper", "protects", "paper_threshold_protects",
                       "zone_frequency", "candidate", "mse_seeds", "apriori_zone", "recommended"] {
            XCTAssertTrue(ResultsCSV.columns.contains(column), column)
        }
        XCTAssertTrue(lines.dropFirst().allSatisfy { $0.count == ResultsCSV.columns.count })
        func cell(_ row: Int, _ column: String) -> String { lines[row][ResultsCSV.columns.firstIndex(of: column)!] }
        // block4: three seeds, the best (0.0410) gives L = 1 − 0.0410/0.0436 (the logits' decoder failed, so the
        // envelope adds nothing), selected in 27 of 30 resamples, recommended.
        XCTAssertEqual(cell(4, "name"), "block4")
        XCTAssertEqual(cell(4, "shape"), "512x2x2")
        XCTAssertEqual(cell(4, "mse_seeds"), "3")
        XCTAssertEqual(try XCTUnwrap(Double(cell(4, "leakage"))), 1 - 0.0410 / 0.0436, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(Double(cell(4, "leakage_upper"))), 1 - 0.0410 / 0.0436, accuracy: 1e-12)
        XCTAssertEqual(cell(4, "protects"), "true")
        XCTAssertEqual(cell(4, "paper_threshold_protects"), "true")
        XCTAssertEqual(cell(4, "zone_frequency"), "0.9")
        XCTAssertEqual(cell(4, "apriori_zone"), "true")
        XCTAssertEqual(cell(4, "recommended"), "true")
        // block3 leaks and is selected in 3 of 30; block1 was attacked with one seed.
        XCTAssertEqual(cell(3, "protects"), "false")
        XCTAssertEqual(cell(3, "zone_frequency"), "0.1")
        XCTAssertEqual(cell(3, "recommended"), "false")
        XCTAssertEqual(cell(1, "mse_seeds"), "1")
        XCTAssertEqual(cell(1, "leakage_sd"), "")
        XCTAssertEqual(cell(1, "paper_threshold_protects"), "false")
        // The logits: attacked, not a candidate, so no zone frequency; their decoder (MSE 0.0440) did no better
        // than the class-mean image: a failed attack, which does not protect.
        XCTAssertEqual(cell(5, "candidate"), "false")
        XCTAssertEqual(cell(5, "zone_frequency"), "")
        XCTAssertEqual(cell(5, "leakage"), "0.0")
        XCTAssertEqual(cell(5, "protects"), "false")
    }

    func testResultsRoundTripAndMatchTheSchema() throws {
        let outcomes: [(ReportFixture.Outcome, String)] = [(.partition, "partition"), (.noPartition, "no_partition"),
                                                           (.none, "none")]
        for (outcome, kind) in outcomes {
            let results = try ReportFixture.cnn4(writingGridsTo: runDirectory, outcome: outcome)
            let data = try ResultsJSON.encoder().encode(results)
            try ResultsSchema.check(data)
            XCTAssertEqual(try ResultsJSON.decoder().decode(ScanResults.self, from: data), results)
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
            XCTAssertEqual(object["schema"] as? String, "gpz-scan-results-v5")
            let split = try XCTUnwrap((object["splits"] as? [[String: Any]])?[3])
            XCTAssertEqual(Set(split.keys), ["statistics", "bounds", "cost", "attack", "leakage", "candidate",
                                             "paper_threshold_protects"])
            let recommendation = try XCTUnwrap(object["recommendation"] as? [String: Any])
            XCTAssertEqual(recommendation["kind"] as? String, kind)
            let headline = try XCTUnwrap(object["headline"] as? [String: Any])
            XCTAssertNotNil(headline["zone_pair"], "the headline is one flat object")
        }
        // The vgg fixture has splits that were not attacked: null attack and leakage.
        let vgg = try ResultsJSON.encoder().encode(ReportFixture.vgg16(writingGridsTo: runDirectory))
        try ResultsSchema.check(vgg)
        let splits = try XCTUnwrap((JSONSerialization.jsonObject(with: vgg) as? [String: Any])?["splits"] as? [[String: Any]])
        XCTAssertTrue(splits.contains { $0["attack"] == nil || $0["attack"] is NSNull })
    }

    /// The schema rejects an older version, required fields missing, and fields of the wrong type or value.
    func testSchemaCatchesOldAndIncompleteResults() throws {
        let results = try ReportFixture.cnn4(writingGridsTo: runDirectory)
        var object = try XCTUnwrap(JSONSerialization.jsonObject(with: ResultsJSON.encoder().encode(results)) as? [String: Any])
        let schema = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: ResultsSchema.url)) as? [String: Any])
        XCTAssertEqual(ResultsSchema.validate(object, against: schema, path: "$"), [])
        object["schema"] = "gpz-scan-results-v3"
        var splits = try XCTUnwrap(object["splits"] as? [[String: Any]])
        var statistics = try XCTUnwrap(splits[0]["statistics"] as? [String: Any])
        statistics["intra_share"] = nil
        splits[0]["statistics"] = statistics
        splits[1]["leakage"] = "high"
        object["splits"] = splits
        var recommendation = try XCTUnwrap(object["recommendation"] as? [String: Any])
        recommendation["kind"] = nil
        object["recommendation"] = recommendation
        var wrongKind = try XCTUnwrap(object["recommendation"] as? [String: Any])
        wrongKind["kind"] = "partial"
        let problems = ResultsSchema.validate(object, against: schema, path: "$").sorted()
        XCTAssertEqual(problems.count, 4, "\(problems)")
        for expected in ["$.schema: expected gpz-scan-results-v5", "$.splits[0].statistics.intra_share: missing",
                         "$.splits[1].leakage: expected object or null", "$.recommendation.kind: missing"] {
            XCTAssertTrue(problems.contains { $0.hasPrefix(expected) }, "\(expected) not in \(problems)")
        }
        object["recommendation"] = wrongKind
        XCTAssertTrue(ResultsSchema.validate(object, against: schema, path: "$")
            .contains("$.recommendation.kind: partial is not one of partition, no_partition, none, inconclusive"))
    }
}
