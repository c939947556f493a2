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

/// The scan report, results.csv, results.json and the comparison page: self-contained, escaped, free of
/// non-finite text, in the documented order, tolerant of missing grids, leading with the recommendation; and the
/// chart scale, Pareto front and number formatters they are built from.
///
/// `GPZ_REPORT_EXAMPLE=/some/dir swift test --filter ScanReportTests` also writes the realistic example report
/// (and its grids) into that directory, to look at in a browser.
final class ScanReportTests: XCTestCase {
    private var runDirectory: URL!

    override func setUpWithError() throws {
        runDirectory = FileManager.default.temporaryDirectory
            .appendingPathComponent("gpz-report-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: runDirectory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: runDirectory)
    }

    // MARK: - The fixture's verdict

    /// The numbers the report tests below expect, computed by hand from the fixture's MSEs.
    func testFixtureVerdictIsTheHandComputedOne() throws {
        let results = try ReportFixture.cnn4(writingGridsTo: runDirectory)
        let zone = results.gpz.zone
        XCTAssertEqual(zone.candidates, [1, 2, 3, 4])
        XCTAssertEqual(zone.split, 4)
        XCTAssertEqual(zone.replicates, 30)
        XCTAssertEqual(zone.frequencies, [0, 0, 0.1, 0.9])
        XCTAssertTrue(zone.clear)
        XCTAssertEqual(zone.featureSplit, 3)
        let leakage = try XCTUnwrap(results.gpz.leakage)
        XCTAssertEqual(leakage.boundary, 4)
        XCTAssertEqual(leakage.lastLeaking, 3)
        XCTAssertEqual(leakage.logitsProtect, true)
        let block4 = try XCTUnwrap(results.splits[3].leakage)
        XCTAssertEqual(block4.mse, [0.0415, 0.0420, 0.0410])
        XCTAssertEqual(block4.leakage, 1 - 0.0415 / 0.0436, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(block4.leakageSD), 0.0005 / 0.0436, accuracy: 1e-12)
        XCTAssertTrue(block4.protects)
        let block3 = try XCTUnwrap(results.splits[2].leakage)
        XCTAssertFalse(block3.protects)
        XCTAssertEqual(block3.mse, [0.0102], "L₁ = 0.766 > 3τ: one seed settles block3, so it is not replicated")
        XCTAssertEqual(results.attack.replicatedSplits, [4])
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
        XCTAssertEqual(results.gpz.paperThreshold?.firstAboveThreshold, 4)
        XCTAssertEqual(results.splits.map(\.paperThresholdProtects), [false, false, false, true, true])
        XCTAssertEqual(results.splits.map(\.candidate), [true, true, true, true, false])
        XCTAssertEqual(results.splits[3].intraShare, 0.292, accuracy: 1e-12)
        XCTAssertEqual(results.splits[3].sigma2, 140.4 / 0.292 / 2_048, accuracy: 1e-12)
    }

    // MARK: - Scan report

    func testReportIsSelfContained() throws {
        let results = try ReportFixture.cnn4(writingGridsTo: runDirectory)
        let html = try ScanReport.html(results, runDirectory: runDirectory)
        XCTAssertFalse(html.contains("http://"), "no network references")
        XCTAssertFalse(html.contains("https://"), "no network references")
        XCTAssertFalse(html.lowercased().contains("<script"), "no JavaScript")
        XCTAssertFalse(html.contains("<link"), "no external style sheets")
        XCTAssertTrue(html.contains("<svg"))
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>"))
        XCTAssertEqual(html.components(separatedBy: "data:image/png;base64,").count - 1,
                       results.splits.filter { $0.mse != nil }.count, "one embedded grid per attacked split")
        XCTAssertTrue(html.contains("image-rendering: pixelated"))
        XCTAssertTrue(html.contains("MSE (channel-summed, paper code)"))
        XCTAssertTrue(html.contains(HTMLDocument.escape(APrioriCriterion.meanRadius.ruleDescription)))
        XCTAssertTrue(html.contains(results.configHash))
        for split in results.splits { XCTAssertTrue(html.contains(split.name)) }
    }

    /// The summary leads with the recommendation and its cost, then the zone's stability, the baselines, the
    /// post-hoc boundary and the headline, in that order.
    func testSummaryLeadsWithTheRecommendation() throws {
        let results = try ReportFixture.cnn4(writingGridsTo: runDirectory)
        let html = try ScanReport.html(results, runDirectory: runDirectory)
        let section = try Self.section("summary", of: html)
        let expected = [
            "Recommended split: block4 (split 4)",
            // L̄ = 1 − 0.0415/0.0436, L̄ + sd with sd = 0.0005/0.0436 over the three seeds.
            "leakage 0.0482 (with its seed spread 0.0596), reconstruction MSE 0.04150; the edge runs 57.2 M MACs "
                + "with 1.55 M parameters and sends 8.00 KiB per image; the a-priori zone&#39;s split.",
            "3 decoder seeds, at most 0.1",
            "The zone is clear: the share rule selects block4 (split 4) in 90.00 % of 30 resamples (clear at 66.67 %).",
            "class-mean image MSE 0.04360, global-mean image MSE 0.08710 on the 10000 evaluated images",
            "block4 (split 4): from there on every candidate&#39;s leakage (mean + sd) is at most 0.1; the logits protect",
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

    func testSummaryOfAnUnclearZoneAndADifferentRecommendation() throws {
        let unclear = try ReportFixture.cnn4(writingGridsTo: runDirectory, zoneVotesForBlock3: 12)
        XCTAssertEqual(unclear.gpz.zone.split, 4)
        XCTAssertFalse(unclear.gpz.zone.clear)
        XCTAssertTrue(try Self.section("summary", of: ScanReport.html(unclear, runDirectory: runDirectory))
            .contains("The zone is not clear: the share rule selects block4 (split 4) in 60.00 % of 30 resamples"))
        // A tie goes to the earlier candidate: the zone is block3, and the boundary (block4) no longer matches it.
        let tie = try ReportFixture.cnn4(writingGridsTo: runDirectory, zoneVotesForBlock3: 15)
        XCTAssertEqual(tie.gpz.zone.split, 3)
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

    func testReportsInTheDocumentedOrder() throws {
        let results = try ReportFixture.cnn4(writingGridsTo: runDirectory)
        let html = try ScanReport.html(results, runDirectory: runDirectory)
        let anchors = ["id=\"summary\"", "id=\"privacy\"", "id=\"reconstructions\"", "id=\"splits\"", "id=\"cost\"",
                       "id=\"training\"", "id=\"provenance\"", "id=\"run\""]
        let offsets = try anchors.map { anchor in
            try XCTUnwrap(html.range(of: anchor), "missing \(anchor)").lowerBound
        }
        XCTAssertEqual(offsets, offsets.sorted())
    }

    func testWriteStoresTheReportInTheRunDirectory() throws {
        let results = try ReportFixture.cnn4(writingGridsTo: runDirectory)
        let url = try ScanReport.write(results, runDirectory: runDirectory)
        XCTAssertEqual(url.lastPathComponent, "report.html")
        XCTAssertEqual(url.deletingLastPathComponent().standardizedFileURL.path, runDirectory.standardizedFileURL.path)
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8),
                       try ScanReport.html(results, runDirectory: runDirectory))
        if let example = ProcessInfo.processInfo.environment["GPZ_REPORT_EXAMPLE"] {
            let target = URL(fileURLWithPath: example, isDirectory: true)
            try? FileManager.default.removeItem(at: target)
            try FileManager.default.copyItem(at: runDirectory, to: target)
        }
    }

    func testSameResultsGiveTheSamePage() throws {
        let results = try ReportFixture.cnn4(writingGridsTo: runDirectory)
        XCTAssertEqual(try ScanReport.html(results, runDirectory: runDirectory),
                       try ScanReport.html(results, runDirectory: runDirectory))
    }

    func testStudyNameAndTextsAreEscaped() throws {
        var results = try ReportFixture.cnn4(writingGridsTo: runDirectory)
        results.name = "<script>alert('x')</script>"
        results.splits[0].statistics = try ReportFixture.recoded(results.splits[0].statistics, ["name": "a&b<i>"])
        results.recommendation.rule = "MSE >= 0.02 & \"cheapest\""
        let html = try ScanReport.html(results, runDirectory: runDirectory)
        XCTAssertFalse(html.contains("<script>"))
        XCTAssertTrue(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"))
        XCTAssertFalse(html.contains("a&b<i>"))
        XCTAssertTrue(html.contains("a&amp;b&lt;i&gt;"))
        XCTAssertTrue(html.contains("MSE &gt;= 0.02 &amp; &quot;cheapest&quot;"))
    }

    func testNonFiniteValuesNeverReadAsNaNOrInf() throws {
        var results = try ReportFixture.cnn4(writingGridsTo: runDirectory)
        results.splits[1].bounds = try ReportFixture.recoded(results.splits[1].bounds, [
            "h_global_per_dim": "-inf", "h_class_mixture_per_dim": "nan",
        ])
        results.splits[2].statistics = try ReportFixture.recoded(results.splits[2].statistics, ["sigma2": "inf"])
        results.splits[3].attack?.psnr = .nan
        results.splits[0].statistics = try ReportFixture.recoded(results.splits[0].statistics, ["r2c_mean": 0])
        results.recommendation.leakage = .nan
        results.recommendation.leakageUpper = .infinity
        results.timing["odd"] = .nan
        XCTAssertEqual(results.splits[1].hGlobalPerDim, -.infinity)
        XCTAssertTrue(results.splits[1].hClassMixturePerDim.isNaN)
        let html = try ScanReport.html(results, runDirectory: runDirectory)
        XCTAssertEqual(Self.nonFiniteWords(in: html), [])
        XCTAssertTrue(html.contains("<td class=\"num\">∞</td>"), "an infinite σ² reads as the symbol")
    }

    func testMissingGridYieldsANoteNotAnError() throws {
        var results = try ReportFixture.cnn4(writingGridsTo: runDirectory)
        try FileManager.default.removeItem(at: runDirectory.appendingPathComponent(results.splits[1].grid!))
        results.splits[2].attack?.grid = nil
        try Data("not an image".utf8).write(to: runDirectory.appendingPathComponent(results.splits[3].grid!))
        let html = try ScanReport.html(results, runDirectory: runDirectory)
        XCTAssertTrue(html.contains("grid missing: grids/decoder-2-block2.png"))
        XCTAssertTrue(html.contains("no grid recorded for this split"))
        XCTAssertTrue(html.contains("grid unreadable"))
        XCTAssertEqual(html.components(separatedBy: "data:image/png;base64,").count - 1, 2)
    }

    func testSplitsWithoutAttack() throws {
        var results = try ReportFixture.cnn4(writingGridsTo: runDirectory)
        for i in [0, 2] {
            results.splits[i].attack = nil
            results.splits[i].leakage = nil
            results.splits[i].paperThresholdProtects = nil
        }
        results.perEpoch = nil
        results.target.history = [0.9]
        let html = try ScanReport.html(results, runDirectory: runDirectory)
        XCTAssertEqual(html.components(separatedBy: "data:image/png;base64,").count - 1, 3)
        XCTAssertFalse(html.contains("Neural Vortex"))
        XCTAssertEqual(Self.nonFiniteWords(in: html), [])
        let csv = ResultsCSV.text(results).split(separator: "\n", omittingEmptySubsequences: false)
        let mse = try XCTUnwrap(ResultsCSV.columns.firstIndex(of: "mse"))
        XCTAssertEqual(csv[1].split(separator: ",", omittingEmptySubsequences: false)[mse], "")
        XCTAssertEqual(csv[2].split(separator: ",", omittingEmptySubsequences: false)[mse], "0.006")
    }

    func testSparseResultsStillRender() throws {
        var results = try ReportFixture.cnn4(writingGridsTo: runDirectory)
        results.splits = []
        results.baselines = nil
        results.gpz.leakage = nil
        results.gpz.paperThreshold = nil
        results.headline.verdict = nil
        results.recommendation = ScanVerdict.recommend(splits: [], zone: results.gpz.zone, leakage: nil, threshold: 0.1)
        results.timing = [:]
        results.perEpoch = [ScanEpochStatistics(epoch: 1, testAccuracy: 0.5, r2cMean: [], intraShare: [])]
        let html = try ScanReport.html(results, runDirectory: runDirectory)
        XCTAssertTrue(html.contains("No split was attacked"))
        XCTAssertTrue(html.contains("Rule: no split was attacked."))
        XCTAssertTrue(html.contains("no data"))
        XCTAssertFalse(html.contains("id=\"run\""))
        XCTAssertFalse(html.contains("class-mean image MSE"), "no baselines without an attack")
        XCTAssertEqual(Self.nonFiniteWords(in: html), [])
    }

    func testManySplitsKeepTheirLabelsApart() throws {
        let results = try ReportFixture.vgg16(writingGridsTo: runDirectory)
        XCTAssertEqual(results.gpz.zone.candidates.count, 18, "13 convolutions' .relu and 5 pools")
        XCTAssertFalse(results.gpz.zone.candidateNames.contains { $0.hasSuffix(".bn") || $0 == "logits" })
        let html = try ScanReport.html(results, runDirectory: runDirectory)
        XCTAssertTrue(html.contains("transform=\"rotate(-45"), "long split names are turned")
        XCTAssertEqual(html.components(separatedBy: "data:image/png;base64,").count - 1,
                       results.splits.filter { $0.mse != nil }.count)
        XCTAssertEqual(ScanReport.vortexPositions(ScanReportView(results: results)).count, 7)
        XCTAssertEqual(Self.nonFiniteWords(in: html), [])
        if let example = ProcessInfo.processInfo.environment["GPZ_REPORT_EXAMPLE"] {
            try html.write(to: URL(fileURLWithPath: example + "-vgg16.html"), atomically: true, encoding: .utf8)
        }
    }

    // MARK: - results.csv and results.json

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
        // block4: three seeds, L̄ = 1 − 0.0415/0.0436, selected in 27 of 30 resamples, recommended.
        XCTAssertEqual(cell(4, "name"), "block4")
        XCTAssertEqual(cell(4, "shape"), "512x2x2")
        XCTAssertEqual(cell(4, "mse_seeds"), "3")
        XCTAssertEqual(try XCTUnwrap(Double(cell(4, "leakage"))), 1 - 0.0415 / 0.0436, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(Double(cell(4, "leakage_upper"))), (1 - 0.0415 / 0.0436) + 0.0005 / 0.0436,
                       accuracy: 1e-12)
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
        // The logits: attacked, not a candidate, so no zone frequency.
        XCTAssertEqual(cell(5, "candidate"), "false")
        XCTAssertEqual(cell(5, "zone_frequency"), "")
        XCTAssertEqual(cell(5, "leakage"), "0.0")
        XCTAssertEqual(cell(5, "protects"), "true")
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
            XCTAssertEqual(object["schema"] as? String, "gpz-scan-results-v3")
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

    /// The schema rejects what v3 no longer has and what it requires missing.
    func testSchemaCatchesOldAndIncompleteResults() throws {
        let results = try ReportFixture.cnn4(writingGridsTo: runDirectory)
        var object = try XCTUnwrap(JSONSerialization.jsonObject(with: ResultsJSON.encoder().encode(results)) as? [String: Any])
        let schema = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: ResultsSchema.url)) as? [String: Any])
        XCTAssertEqual(ResultsSchema.validate(object, against: schema, path: "$"), [])
        object["schema"] = "gpz-scan-results-v2"
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
        for expected in ["$.schema: expected gpz-scan-results-v3", "$.splits[0].statistics.intra_share: missing",
                         "$.splits[1].leakage: expected object or null", "$.recommendation.kind: missing"] {
            XCTAssertTrue(problems.contains { $0.hasPrefix(expected) }, "\(expected) not in \(problems)")
        }
        object["recommendation"] = wrongKind
        XCTAssertTrue(ResultsSchema.validate(object, against: schema, path: "$")
            .contains("$.recommendation.kind: partial is not one of partition, no_partition, none"))
    }

    // MARK: - Comparison report

    /// The resistance's seed range: 1 − (0.010 ± 0.001) / (0.040 ± 0.002) spans 1 − 0.011/0.038 … 1 − 0.009/0.042.
    func testResistanceSeedRange() throws {
        let pair = try JSONDecoder().decode(SplitPair.self, from: Data("""
            {"feature": 3, "feature_name": "block3", "decision": 4, "decision_name": "block4",
             "mse_feature": 0.010, "mse_decision": 0.040, "ratio": 4, "resistance": 0.75}
            """.utf8))
        var results = try ReportFixture.cnn4(writingGridsTo: runDirectory)
        results.splits = try results.splits.map { split in
            var split = split
            let sd = [3: 0.001, 4: 0.002][split.index]
            split.leakage = try split.leakage.map { leakage in
                var json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(leakage)) as! [String: Any]
                json["mse_sd"] = sd ?? NSNull()
                return try JSONDecoder().decode(SplitLeakage.self, from: JSONSerialization.data(withJSONObject: json))
            }
            return split
        }
        let bounds = try XCTUnwrap(ComparisonReport.seedRange(pair, results))
        XCTAssertEqual(bounds.lowerBound, 1 - 0.011 / 0.038, accuracy: 1e-12)
        XCTAssertEqual(bounds.upperBound, 1 - 0.009 / 0.042, accuracy: 1e-12)
    }

    func testComparisonReport() throws {
        let onehot = try ReportFixture.cnn4(writingGridsTo: runDirectory)
        var smoothed = try ReportFixture.cnn4(writingGridsTo: runDirectory, outcome: .noPartition)
        smoothed.name = "ls+<b>"
        smoothed.config.target.labels = .smoothed(0.3)
        smoothed.splits = try smoothed.splits.map { split in
            var split = split
            split.statistics = try ReportFixture.recoded(split.statistics, ["r2c_mean": split.r2cMean / 3])
            return split
        }
        smoothed.perEpoch = nil
        let html = ComparisonReport.html(studies: [
            (name: "onehot", results: onehot, reportPath: "onehot/report.html"),
            (name: "ls+<b>", results: smoothed, reportPath: "ls+/report.html"),
        ], worstCase: try PlanComparison.worstCases([onehot, onehot]), title: "Labels & smoothing",
           description: "one-hot vs LS+ <compare>")
        XCTAssertTrue(html.contains("<title>Labels &amp; smoothing</title>"))
        XCTAssertTrue(html.contains("one-hot vs LS+ &lt;compare&gt;"))
        XCTAssertTrue(html.contains("href=\"onehot/report.html\""))
        XCTAssertTrue(html.contains("href=\"ls+/report.html\""))
        XCTAssertTrue(html.contains("ls+&lt;b&gt;"))
        XCTAssertFalse(html.contains("ls+<b>"))
        XCTAssertTrue(html.contains("ls:0.3"))
        // Each study's zone with its frequency, its boundary and its recommendation.
        XCTAssertTrue(html.contains("block4 (split 4) (90.00 %)"))
        XCTAssertTrue(html.contains("no partition (logits)"))
        XCTAssertTrue(html.contains("75.42 %"), "onehot's resistance 1 − 0.0102/0.0415")
        XCTAssertEqual(html.components(separatedBy: "<svg").count - 1, 6, "one chart per question, and the vortex")
        for question in ["1. Is there a split", "2. Does the a-priori locator", "3. How much more MSE",
                         "4. What does label smoothing", "5. How much stronger"] {
            XCTAssertTrue(html.contains(question), question)
        }
        XCTAssertTrue(html.contains("onehot: the share rule selects block4 (split 4) in 90.00 % of"))
        XCTAssertTrue(html.contains("worst case (fmnist-cnn4, fmnist-cnn4)"))
        XCTAssertFalse(html.contains("http://") || html.contains("https://"))
        XCTAssertEqual(Self.nonFiniteWords(in: html), [])

        if let example = ProcessInfo.processInfo.environment["GPZ_REPORT_EXAMPLE"] {
            try html.write(to: URL(fileURLWithPath: example + "-comparison.html"), atomically: true, encoding: .utf8)
        }
        let url = runDirectory.appendingPathComponent("comparison.html")
        try ComparisonReport.write(studies: [(name: "onehot", results: onehot, reportPath: "onehot/report.html")],
                                   title: "one", description: "", to: url)
        XCTAssertTrue(try String(contentsOf: url, encoding: .utf8).contains("<svg"))
        XCTAssertTrue(ComparisonReport.html(studies: [], title: "empty", description: "").contains("no studies"))
    }

    // MARK: - Charts

    func testLinearScaleMapsKnownValuesToKnownPixels() {
        let scale = ChartScale(.linear, domain: 0...10, pixels: (start: 100, end: 600))
        XCTAssertEqual(scale.pixel(0), 100)
        XCTAssertEqual(scale.pixel(2.5), 225)
        XCTAssertEqual(scale.pixel(10), 600)
        XCTAssertNil(scale.pixel(.nan))
        let y = ChartScale(.linear, domain: 0...0.05, pixels: (start: 300, end: 20))
        XCTAssertEqual(y.pixel(0.02)!, 188, accuracy: 1e-9)
    }

    func testLogScaleMapsDecadesEvenly() {
        let scale = ChartScale(.log, domain: 1...1_000, pixels: (start: 400, end: 100))
        XCTAssertEqual(scale.pixel(1)!, 400, accuracy: 1e-9)
        XCTAssertEqual(scale.pixel(10)!, 300, accuracy: 1e-9)
        XCTAssertEqual(scale.pixel(1_000)!, 100, accuracy: 1e-9)
        XCTAssertNil(scale.pixel(0))
        XCTAssertNil(scale.pixel(-1))
    }

    func testTicksAndDomains() {
        XCTAssertEqual(ChartScale.domain(of: [0.0039, 0.0398, 0.02], kind: .linear, includeZero: true), 0...0.05,
                       "a step of room above a value that would sit on the frame")
        XCTAssertEqual(ChartScale.domain(of: [14.64, 24.51], kind: .linear), 14...26)
        XCTAssertEqual(ChartScale.domain(of: [26, 3715.8], kind: .log), 10...10_000)
        XCTAssertEqual(ChartScale.domain(of: [5, 5], kind: .log), 1...10)
        XCTAssertNil(ChartScale.domain(of: [-1, 0, .nan], kind: .log))
        let linear = ChartScale(.linear, domain: 0...0.05, pixels: (0, 1)).ticks()
        XCTAssertEqual(linear.count, 6)
        for (tick, expected) in zip(linear, [0, 0.01, 0.02, 0.03, 0.04, 0.05]) {
            XCTAssertEqual(tick, expected, accuracy: 1e-12)
        }
        XCTAssertEqual(ChartScale(.log, domain: 0.1...100, pixels: (0, 1)).ticks(), [0.1, 1, 10, 100])
        XCTAssertEqual(ChartScale(.log, domain: 1...100, pixels: (0, 1)).ticks(), [1, 2, 5, 10, 20, 50, 100])
        XCTAssertEqual(ChartScale.niceStep(0.0073), 0.01)
        XCTAssertEqual(ChartScale.niceStep(0.0031), 0.005)
    }

    func testChartLeavesOutMissingAndUnshowableValues() {
        var chart = SVGChart(title: "t", xAxis: .categories(["a", "b", "c", "d"]), xLabel: "x",
                             left: .init(label: "y"), right: .init(label: "log y", kind: .log))
        chart.series = [
            .init(name: "lin", points: [.init(x: 0, y: 1), .init(x: 1, y: nil), .init(x: 2, y: 3), .init(x: 3, y: .nan)],
                  color: "#000"),
            .init(name: "log", points: [.init(x: 0, y: 10), .init(x: 1, y: 0), .init(x: 2, y: -1), .init(x: 3, y: 100)],
                  color: "#111", side: .right, marker: .square),
        ]
        chart.bands = [.init(from: 0.5, to: 3.5, color: "#f00", label: "zone")]
        let svg = chart.svg()
        XCTAssertEqual(svg.components(separatedBy: "<circle").count - 1, 2 + 1, "two data circles and the legend's")
        XCTAssertEqual(svg.components(separatedBy: "<rect").count - 1, 2 + 2 + 1 + 1,
                       "two squares, the band and its bar, the legend's band and square")
        XCTAssertEqual(Self.nonFiniteWords(in: svg), [])
        XCTAssertTrue(svg.contains("<title>zone</title>"))
    }

    func testParetoFrontKeepsOnlyUndominatedSplits() {
        XCTAssertEqual(ParetoFront.positions(cost: [1, 2, 3, 4], privacy: [0.1, 0.05, 0.2, 0.2]), [0, 2])
        XCTAssertEqual(ParetoFront.positions(cost: [5, 1, 1], privacy: [0.3, 0.1, 0.2]), [2, 0])
        XCTAssertEqual(ParetoFront.positions(cost: [], privacy: []), [])
    }

    // MARK: - Formatting

    func testNumberFormatters() {
        XCTAssertEqual(ReportFormat.significant(0.0039), "0.003900")
        XCTAssertEqual(ReportFormat.significant(0.0398), "0.03980")
        XCTAssertEqual(ReportFormat.significant(3715.8), "3716")
        XCTAssertEqual(ReportFormat.significant(22.1), "22.10")
        XCTAssertEqual(ReportFormat.significant(9.99996), "10.00")
        XCTAssertEqual(ReportFormat.significant(1.234567e-5), "1.235e-5")
        XCTAssertEqual(ReportFormat.significant(2.5e7), "2.500e7")
        XCTAssertEqual(ReportFormat.significant(-0.5), "-0.5000")
        XCTAssertEqual(ReportFormat.significant(0), "0")
        XCTAssertEqual(ReportFormat.significant(nil), "—")
        XCTAssertEqual(ReportFormat.significant(.nan), "—")
        XCTAssertEqual(ReportFormat.significant(-.infinity), "−∞")
        XCTAssertEqual(ReportFormat.count(768), "768")
        XCTAssertEqual(ReportFormat.count(74_880), "74.9 k")
        XCTAssertEqual(ReportFormat.count(57_315_828), "57.3 M")
        XCTAssertEqual(ReportFormat.count(999_999), "1.00 M")
        XCTAssertEqual(ReportFormat.count(3_200_000_000), "3.20 G")
        XCTAssertEqual(ReportFormat.bytes(40), "40 B")
        XCTAssertEqual(ReportFormat.bytes(65_536), "64.0 KiB")
        XCTAssertEqual(ReportFormat.bytes(8_388_608), "8.00 MiB")
        XCTAssertEqual(ReportFormat.percent(0.9123), "91.23 %")
        XCTAssertEqual(ReportFormat.ratio(0.0102 / 0.0039), "2.62×")
        XCTAssertEqual(ReportFormat.integer(60_000), "60,000")
        XCTAssertEqual(ReportFormat.integer(-1_234_567), "-1,234,567")
        XCTAssertEqual(ReportFormat.integer(12), "12")
        XCTAssertEqual(ReportFormat.duration(0.42), "0.420 s")
        XCTAssertEqual(ReportFormat.duration(274), "4 min 34 s")
        XCTAssertEqual(ReportFormat.duration(3_725), "1 h 02 min")
        XCTAssertEqual(ReportFormat.shape([64, 16, 16]), "64×16×16")
        XCTAssertEqual(ReportFormat.tick(0.015, step: 0.005), "0.015")
        XCTAssertEqual(ReportFormat.tick(20, step: 5), "20")
        XCTAssertEqual(ReportFormat.logTick(0.01), "0.01")
        XCTAssertEqual(ReportFormat.logTick(500), "500")
        XCTAssertEqual(ReportFormat.logTick(1e-5), "1e-5")
        XCTAssertEqual(ReportFormat.countTick(1e6), "1 M")
        XCTAssertEqual(ReportFormat.countTick(2e4), "20 k")
    }

    func testEscaping() {
        XCTAssertEqual(HTMLDocument.escape("<a href='x'>&\"</a>"), "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;")
        XCTAssertEqual(HTMLDocument.escape("R_c² ≥ 0.02"), "R_c² ≥ 0.02")
    }

    // MARK: - Helpers

    /// The text of the section with this id, from its `id` attribute to its end.
    static func section(_ id: String, of html: String) throws -> String {
        let start = try XCTUnwrap(html.range(of: "id=\"\(id)\""), "no section \(id)").lowerBound
        let rest = html[start...]
        return String(rest[..<(rest.range(of: "</section>")?.lowerBound ?? rest.endIndex)])
    }

    /// Words that would show a non-finite number (`nan`, `inf`, `infinity`), outside embedded images.
    static func nonFiniteWords(in html: String) -> [String] {
        let withoutImages = html.replacingOccurrences(of: "data:image/png;base64,[A-Za-z0-9+/=]+", with: "",
                                                      options: .regularExpression)
        let pattern = try! NSRegularExpression(pattern: "\\b(nan|inf|infinity)\\b", options: [.caseInsensitive])
        let range = NSRange(withoutImages.startIndex..., in: withoutImages)
        return pattern.matches(in: withoutImages, range: range).map { (withoutImages as NSString).substring(with: $0.range) }
    }
}
