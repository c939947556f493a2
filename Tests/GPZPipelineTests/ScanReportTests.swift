import Foundation
import GPZAnalysis
import GPZAttacks
import GPZData
import GPZModels
import GPZTraining
@testable import GPZPipeline
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
            let data = try ScanJSON.encoder().encode(results)
            try ResultsSchema.check(data)
            XCTAssertEqual(try ScanJSON.decoder().decode(ScanResults.self, from: data), results)
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
        let vgg = try ScanJSON.encoder().encode(ReportFixture.vgg16(writingGridsTo: runDirectory))
        try ResultsSchema.check(vgg)
        let splits = try XCTUnwrap((JSONSerialization.jsonObject(with: vgg) as? [String: Any])?["splits"] as? [[String: Any]])
        XCTAssertTrue(splits.contains { $0["attack"] == nil || $0["attack"] is NSNull })
    }

    /// The schema rejects what v3 no longer has and what it requires missing.
    func testSchemaCatchesOldAndIncompleteResults() throws {
        let results = try ReportFixture.cnn4(writingGridsTo: runDirectory)
        var object = try XCTUnwrap(JSONSerialization.jsonObject(with: ScanJSON.encoder().encode(results)) as? [String: Any])
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

/// A realistic scan of cnn4 on Fashion-MNIST at 32 px (the numbers of docs/results-fashion-mnist.md where they
/// exist), with small synthetic reconstruction grids. The verdict parts (zone, leakage, recommendation, headline,
/// paper comparisons) are computed by the library's own functions from the per-split numbers, so they agree with
/// each other as a real scan's do.
enum ReportFixture {
    /// The verdict the cnn4 fixture's attack outcomes lead to.
    enum Outcome {
        /// block4 protects (seeds at block3 and block4): recommended split block4.
        case partition
        /// Every block leaks, the logits protect (seeds at block4 and the logits).
        case noPartition
        /// Every split leaks, the logits included.
        case none
    }

    /// The class-mean oracle's MSE on the 32-px Fashion-MNIST test set (issue 13), and the global-mean image's.
    static let classMeanMSE = 0.0436
    static let globalMeanMSE = 0.0871

    /// cnn4's splits; `zoneVotesForBlock3` of the 30 bootstrap replicates select block3 instead of block4.
    static func cnn4(writingGridsTo runDirectory: URL, outcome: Outcome = .partition,
                     zoneVotesForBlock3: Int = 3) throws -> ScanResults {
        let names = ["block1", "block2", "block3", "block4", "logits"]
        let shapes = [[64, 16, 16], [128, 8, 8], [256, 4, 4], [512, 2, 2], [10]]
        let r2c = [3715.8, 1256.9, 412.8, 140.4, 26.0]
        let share = [0.735, 0.711, 0.642, 0.292, 0.107]
        let params = [768, 74_880, 370_560, 1_551_744, 1_654_704]
        let macs = [589_824, 19_464_192, 38_338_560, 57_212_928, 57_315_828]
        let ssim = [0.845, 0.786, 0.711, 0.559, 0.401]
        let cosine = [0.986, 0.978, 0.961, 0.926, 0.892]
        let mse: [Double]
        let seeds: [Int: [Double]]
        switch outcome {
        case .partition:
            mse = [0.0039, 0.0060, 0.0102, 0.0415, 0.0440]
            seeds = [4: [0.0420, 0.0410]]
        case .noPartition:
            mse = [0.0039, 0.0060, 0.0102, 0.0219, 0.0440]
            seeds = [5: [0.0445, 0.0435]]
        case .none:
            mse = [0.0039, 0.0060, 0.0102, 0.0219, 0.0310]
            seeds = [5: [0.0301, 0.0279]]
        }
        // 30 resamples: the share jitters by ±1 % (the block3 → block4 drop stays the largest), except in
        // `zoneVotesForBlock3` of them, where block3's share falls to just above block4's.
        let replicates = (0..<4).map { position in
            (0..<30).map { b -> Double in
                if b < zoneVotesForBlock3 && position == 2 { return 0.30 }
                return share[position] * (1 + 0.01 * sin(Double(7 * b + position)))
            }
        }
        let specs = (0..<5).map { i in
            SplitSpec(name: names[i], shape: shapes[i], meanRadius: r2c[i], share: share[i], edgeParams: params[i],
                      edgeMacs: macs[i], mse: mse[i], ssim: ssim[i], cosine: cosine[i])
        }
        let history = [0.812, 0.853, 0.869, 0.882, 0.889, 0.896, 0.901, 0.905, 0.909, 0.912]
        let perEpoch = history.enumerated().map { epoch, accuracy in
            ScanEpochStatistics(epoch: epoch + 1, testAccuracy: accuracy,
                                r2cMean: r2c.enumerated().map { position, value in
                                    value * (1 + Double(position + 1) * 0.5 * exp(-Double(epoch) / 2.5))
                                }, intraShare: share)
        }
        return try assemble(name: "fmnist-cnn4", architecture: "cnn4", specs: specs, candidates: [1, 2, 3, 4],
                            zoneReplicates: replicates, seedMSE: seeds, history: history, perEpoch: perEpoch,
                            runDirectory: runDirectory)
    }

    /// One split's numbers; `mse` nil where it was not attacked.
    struct SplitSpec {
        var name: String
        var shape: [Int]
        var meanRadius: Double
        var share: Double
        var edgeParams: Int
        var edgeMacs: Int
        var mse: Double?
        var ssim = 0.5
        var cosine = 0.9
    }

    /// The results of a scan with these splits (indices 1…n in order): statistics, bounds and cost per split, the
    /// first-seed attack where `mse` is given, the extra decoder seeds `seedMSE` (split index → MSEs of the seeds
    /// after the first, exactly at the splits `LeakageBoundary.replicateSplits` picks), and everything the
    /// verdict derives from them.
    static func assemble(name: String, architecture: String, specs: [SplitSpec], candidates: [Int],
                         zoneReplicates: [[Double]], seedMSE: [Int: [Double]], history: [Double],
                         perEpoch: [ScanEpochStatistics]?, runDirectory: URL) throws -> ScanResults {
        var config = ScanConfig(name: name)
        config.target.epochs = history.count
        config.attack.epochs = 5
        config.attack.seeds = 1 + (seedMSE.values.first?.count ?? 0)
        let threshold = config.leakageThreshold
        try FileManager.default.createDirectory(at: runDirectory.appendingPathComponent("grids"),
                                                withIntermediateDirectories: true)
        let total = specs.last?.edgeParams ?? 1
        var statistics: [SplitStatistics] = [], costs: [SplitCost] = [], attacks: [Int: SplitAttackResult] = [:]
        for (position, spec) in specs.enumerated() {
            let index = position + 1
            statistics.append(try self.statistics(index: index, name: spec.name, shape: spec.shape,
                                                  meanRadius: spec.meanRadius, share: spec.share))
            costs.append(SplitCost(split: SplitPoint(index: index, name: spec.name, shape: spec.shape,
                                                     kind: SplitKind(perSampleShape: spec.shape)),
                                   edgeParameters: spec.edgeParams,
                                   parameterShare: Double(spec.edgeParams) / Double(total), edgeMACs: spec.edgeMacs))
            guard let mse = spec.mse else { continue }
            let grid = "grids/decoder-\(index)-\(spec.name).png"
            try SyntheticGrid.write(blur: 1 + position * 5 / specs.count, to: runDirectory.appendingPathComponent(grid))
            attacks[index] = SplitAttackResult(name: spec.name, index: index, shape: spec.shape, mse: mse,
                                               mseSumChannels: mse, psnr: -10 * log10(mse), ssim: spec.ssim,
                                               cosine: spec.cosine, mseStd: 0.5 * mse, psnrStd: 1.5, ssimStd: 0.1,
                                               images: 10_000, accuracyWithDefense: nil, grid: grid)
        }
        let attacked = attacks.values.sorted { $0.index < $1.index }
        func outcomes(_ mse: (SplitAttackResult) -> [Double]) -> [(index: Int, name: String, candidate: Bool,
                                                                    isLogits: Bool, mse: [String: [Double]])] {
            attacked.map { (index: $0.index, name: $0.name, candidate: candidates.contains($0.index),
                            isLogits: $0.name == SplitPoint.logitsName, mse: ["decoder": mse($0)]) }
        }
        // The scan replicates the seeds where the first seed's verdict could flip; the fixture's seeds must be there.
        let single = try LeakageBoundary(outcomes: outcomes { [$0.mse] }, classMeanMSE: classMeanMSE, threshold: threshold)
        let replicated = LeakageBoundary.replicateSplits(single.splits, threshold: threshold, seeds: 3)
        precondition(seedMSE.isEmpty || replicated == seedMSE.keys.sorted(),
                     "the fixture's seeds are at \(seedMSE.keys.sorted()), the scan replicates \(replicated)")
        let leakage = attacked.isEmpty ? nil
            : try LeakageBoundary(outcomes: outcomes { [$0.mse] + (seedMSE[$0.index] ?? []) },
                                  classMeanMSE: classMeanMSE, threshold: threshold)
        let names = candidates.map { specs[$0 - 1].name }
        let zone = try StableZoneLocator.locate(criterion: .intraClassShare, candidates: candidates, names: names,
                                                values: candidates.map { specs[$0 - 1].share },
                                                replicates: zoneReplicates)
        let splits = zip(statistics, costs).map { s, cost in
            let attack = attacks[s.index]
            return ScanSplit(statistics: s, bounds: EntropyBounds(s), cost: cost, attack: attack,
                             leakage: leakage?.splits.first { $0.index == s.index },
                             candidate: candidates.contains(s.index),
                             paperThresholdProtects: attack.map { $0.mseSumChannels >= config.privacyThreshold })
        }
        let paperRule = try APrioriLocator.locate(.meanRadius, candidates: candidates,
                                                  values: candidates.map { specs[$0 - 1].meanRadius })
        let paperThreshold = attacked.isEmpty ? nil
            : try PostHocLocator.locate(splits: attacked.map(\.index), mse: attacked.map(\.mseSumChannels),
                                        threshold: config.privacyThreshold)
        let accuracy = history.max() ?? 0
        return ScanResults(
            name: name, config: config, configHash: try config.hash,
            target: ScanTarget(architecture: architecture, checkpoint: "target", trainingHash: try config.target.hash,
                               inputShape: [1, 32, 32], parameters: total, epochs: history.count,
                               weightsEpoch: history.count, testAccuracy: accuracy, lastAccuracy: history.last ?? 0,
                               trainImages: 48_000, trainSha256: String(repeating: "ab", count: 32),
                               privateImages: 10_000, history: history),
            analysis: ScanAnalysis(images: 5_000, classes: 10, labels: .truth, analysisHash: try config.analysisHash),
            attack: ScanAttack(attacker: "decoder", defense: "none", auxSource: "sub", auxImages: 12_000,
                               auxSha256: String(repeating: "cd", count: 32), evaluatedImages: 10_000, epochs: 5,
                               attackHash: try config.attackHash,
                               seeds: (0..<UInt64(config.attack.seeds)).map { config.attack.seed &+ $0 },
                               replicatedSplits: seedMSE.keys.sorted()),
            baselines: attacked.isEmpty ? nil
                : ReconstructionBaselines(images: 10_000, channels: 1, globalMeanMSE: globalMeanMSE,
                                          classMeanMSE: classMeanMSE),
            splits: splits,
            gpz: ScanZones(zone: zone, paperRule: paperRule, leakage: leakage, paperThreshold: paperThreshold),
            recommendation: ScanVerdict.recommend(splits: splits, zone: zone, leakage: leakage, threshold: threshold),
            headline: ScanHeadline(verdict: try leakage.map { try VerdictHeadline(zone: zone, leakage: $0) },
                                   testAccuracy: accuracy),
            perEpoch: perEpoch,
            timing: ["train": 812.4, "analysis": 28.9, "attack": 274.0, "report": 0.31])
    }

    /// Statistics of ten equally frequent classes (500 images each) whose radii are 0.6, 1.5 and 0.9875 times
    /// `meanRadius`, with tr Σ = meanRadius / share (so the intra-class share is `share`). `SplitStatistics` is
    /// built from measurements only, so the fixture decodes it.
    static func statistics(index: Int, name: String, shape: [Int], meanRadius r: Double,
                           share: Double) throws -> SplitStatistics {
        let d = shape.reduce(1, *)
        let radii = [0.6 * r, 1.5 * r] + Array(repeating: 0.9875 * r, count: 8)
        let totalVariance = r / share
        let object: [String: Any] = [
            "index": index, "name": name, "shape": shape, "d": d, "n": 5_000,
            "class_counts": Array(repeating: 500, count: 10), "r2c": radii, "missing_classes": [Int](),
            "r2c_mean": r, "r2c_min": 0.6 * r, "r2c_max": 1.5 * r, "total_variance": totalVariance,
            "sigma2": totalVariance / Double(d), "intra_share": share, "eff_dim": 20.0, "eff_dim_rows": 512,
        ]
        return try ScanJSON.decoder().decode(SplitStatistics.self, from: JSONSerialization.data(withJSONObject: object))
    }

    /// `value` with some of its JSON fields replaced (non-finite numbers as "inf", "-inf", "nan"): how the tests
    /// change the immutable result structs.
    static func recoded<T: Codable>(_ value: T, _ fields: [String: Any]) throws -> T {
        var object = try XCTUnwrap(JSONSerialization.jsonObject(with: ScanJSON.encoder().encode(value)) as? [String: Any])
        object.merge(fields) { $1 }
        return try ScanJSON.decoder().decode(T.self, from: JSONSerialization.data(withJSONObject: object))
    }
}

extension ReportFixture {
    /// vgg16bn's splits with VGG-style names, the block outputs (`.relu`, `pool`) as candidates, attacked at every
    /// third candidate and the logits.
    static func vgg16(writingGridsTo runDirectory: URL) throws -> ScanResults {
        var names: [String] = []
        for (block, convs) in [2, 2, 3, 3, 3].enumerated() {
            for conv in 1...convs {
                names += ["conv\(block + 1)_\(conv)", "conv\(block + 1)_\(conv).bn", "conv\(block + 1)_\(conv).relu"]
            }
            names.append("pool\(block + 1)")
        }
        names += ["fc1", "logits"]
        let candidates = names.indices.filter { names[$0].hasSuffix(".relu") || names[$0].hasPrefix("pool") }
            .map { $0 + 1 }
        let attacked = Set(candidates.enumerated().filter { $0.offset % 3 == 0 }.map(\.element) + [names.count])
        let specs = names.enumerated().map { position, name -> SplitSpec in
            let depth = Double(position) / Double(names.count - 1)
            return SplitSpec(name: name, shape: name == "logits" ? [10] : [64, 8, 8],
                             meanRadius: 4_000 * pow(0.85, Double(position)), share: 0.75 - 0.6 * depth * depth,
                             edgeParams: 1_000 * (position + 1), edgeMacs: 1_000_000 * (position + 1) * (position + 1),
                             mse: attacked.contains(position + 1) ? 0.004 + 0.05 * depth * depth : nil)
        }
        // One seed: the leakage of the first decoder seed decides.
        let results = try assemble(name: "cifar10-vgg16bn", architecture: "vgg16bn", specs: specs,
                                   candidates: candidates, zoneReplicates: [], seedMSE: [:],
                                   history: [0.5, 0.7, 0.8, 0.85], perEpoch: nil, runDirectory: runDirectory)
        var withEpochs = results
        withEpochs.perEpoch = (1...4).map { epoch in
            ScanEpochStatistics(epoch: epoch, testAccuracy: results.target.history[epoch - 1],
                                r2cMean: results.splits.map { $0.r2cMean * (1 + 2 * exp(-Double(epoch) / 3)) },
                                intraShare: results.splits.map(\.intraShare))
        }
        return withEpochs
    }
}

/// A grid like the attack's: eight 28-pixel images with 2-pixel gaps, originals on top and reconstructions (the
/// originals box-blurred `blur` times, a little darker) below.
enum SyntheticGrid {
    static func write(blur: Int, to url: URL) throws {
        let side = 28, gap = 2, count = 8
        let width = count * side + (count + 1) * gap, height = 2 * side + 3 * gap
        var pixels = [UInt8](repeating: 0, count: width * height)
        for k in 0..<count {
            let original = shape(k, side: side)
            var reconstruction = original
            for _ in 0..<blur { reconstruction = boxBlur(reconstruction, side: side) }
            for y in 0..<side {
                for x in 0..<side {
                    let column = gap + k * (side + gap) + x
                    pixels[(gap + y) * width + column] = UInt8(original[y * side + x] * 255)
                    pixels[(2 * gap + side + y) * width + column] = UInt8(reconstruction[y * side + x] * 230)
                }
            }
        }
        try ImageCodec.writePNG(pixels, channels: 1, height: height, width: width, to: url.path)
    }

    /// Class k's silhouette: an ellipse, a bar, a ring or a frame of varying size.
    private static func shape(_ k: Int, side: Int) -> [Double] {
        let c = Double(side - 1) / 2
        return (0..<(side * side)).map { p in
            let dx = (Double(p % side) - c) / c, dy = (Double(p / side) - c) / c
            switch k % 4 {
            case 0: return dx * dx / 0.5 + dy * dy / 0.8 < 1 ? 1 : 0
            case 1: return Swift.abs(dx) < 0.25 + Double(k) * 0.05 && Swift.abs(dy) < 0.9 ? 1 : 0
            case 2: let r = dx * dx + dy * dy; return r < 0.7 && r > 0.25 ? 1 : 0
            default: let r = Swift.max(Swift.abs(dx), Swift.abs(dy)); return r < 0.8 && r > 0.45 ? 0.8 : 0.1
            }
        }
    }

    private static func boxBlur(_ image: [Double], side: Int) -> [Double] {
        (0..<(side * side)).map { p in
            let x = p % side, y = p / side
            var sum = 0.0, n = 0.0
            for dy in -1...1 {
                for dx in -1...1 where (0..<side).contains(x + dx) && (0..<side).contains(y + dy) {
                    sum += image[(y + dy) * side + x + dx]
                    n += 1
                }
            }
            return sum / n
        }
    }
}
