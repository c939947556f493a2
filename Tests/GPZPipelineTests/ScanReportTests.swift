import Foundation
import GPZAnalysis
import GPZData
import GPZTraining
@testable import GPZPipeline
import XCTest

/// The scan report and the comparison page: self-contained, escaped, free of non-finite text, tolerant of missing
/// grids; and the chart scale, Pareto front and number formatters they are built from.
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
        XCTAssertTrue(html.contains("Recommended split: block4 (split 4)"))
        XCTAssertTrue(html.contains("MSE (channel-summed, paper code)"))
        XCTAssertTrue(html.contains(HTMLDocument.escape(APrioriCriterion.meanRadius.ruleDescription)))
        XCTAssertTrue(html.contains(results.configHash))
        XCTAssertTrue(html.contains("2.62×"), "headline ratio 0.0102 / 0.0039")
        XCTAssertTrue(html.contains("The zone is fairly clear"))
        for split in results.splits { XCTAssertTrue(html.contains(split.name)) }
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
        results.splits[0].name = "a&b<i>"
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
        results.splits[1].hGlobalPerDim = -.infinity
        results.splits[1].hClassMixturePerDim = .nan
        results.splits[2].sigma2 = .infinity
        results.splits[3].psnr = .nan
        results.splits[0].r2cMean = 0
        results.timing["odd"] = .nan
        let html = try ScanReport.html(results, runDirectory: runDirectory)
        XCTAssertEqual(Self.nonFiniteWords(in: html), [])
        XCTAssertTrue(html.contains("<td class=\"num\">∞</td>"), "an infinite σ² reads as the symbol")
    }

    func testMissingGridYieldsANoteNotAnError() throws {
        var results = try ReportFixture.cnn4(writingGridsTo: runDirectory)
        try FileManager.default.removeItem(at: runDirectory.appendingPathComponent(results.splits[1].grid!))
        results.splits[2].grid = nil
        try Data("not an image".utf8).write(to: runDirectory.appendingPathComponent(results.splits[3].grid!))
        let html = try ScanReport.html(results, runDirectory: runDirectory)
        XCTAssertTrue(html.contains("grid missing: grids/decoder-2-block2.png"))
        XCTAssertTrue(html.contains("no grid recorded for this split"))
        XCTAssertTrue(html.contains("grid unreadable"))
        XCTAssertEqual(html.components(separatedBy: "data:image/png;base64,").count - 1, 2)
    }

    func testSplitsWithoutAttackAndNoRecommendation() throws {
        var results = try ReportFixture.cnn4(writingGridsTo: runDirectory)
        for i in [0, 2] {
            results.splits[i].mse = nil
            results.splits[i].mseStd = nil
            results.splits[i].psnr = nil
            results.splits[i].ssim = nil
            results.splits[i].grid = nil
        }
        results.recommendation.split = nil
        results.recommendation.name = nil
        results.recommendation.rule = "no attacked split reaches MSE 0.02"
        results.headline.mseRatioGpzVsShallowest = nil
        results.perEpoch = nil
        results.target.history = [0.9]
        let html = try ScanReport.html(results, runDirectory: runDirectory)
        XCTAssertTrue(html.contains("No split is recommended."))
        XCTAssertTrue(html.contains("Reason: no attacked split reaches MSE 0.02"))
        XCTAssertEqual(html.components(separatedBy: "data:image/png;base64,").count - 1, 3)
        XCTAssertFalse(html.contains("Neural Vortex"))
        XCTAssertEqual(Self.nonFiniteWords(in: html), [])
    }

    func testSparseResultsStillRender() throws {
        var results = try ReportFixture.cnn4(writingGridsTo: runDirectory)
        results.splits = []
        results.gpz.posthoc = nil
        results.gpz.agreement = []
        results.gpz.aprioriVariants = []
        results.timing = [:]
        results.perEpoch = [ScanEpochStatistics(epoch: 1, testAccuracy: 0.5, r2cMean: [], intraShare: [])]
        let html = try ScanReport.html(results, runDirectory: runDirectory)
        XCTAssertTrue(html.contains("No split was attacked"))
        XCTAssertTrue(html.contains("no data"))
        XCTAssertFalse(html.contains("id=\"run\""))
        XCTAssertEqual(Self.nonFiniteWords(in: html), [])
    }

    func testZoneVerdicts() throws {
        var results = try ReportFixture.cnn4(writingGridsTo: runDirectory)
        results.gpz.posthoc = try PostHocLocator.locate(splits: [1, 2, 3, 4, 5],
                                                         mse: [0.0039, 0.006, 0.0202, 0.03, 0.04])
        XCTAssertTrue(ScanReport.verdict(ScanReportView(results: results)).hasPrefix("The zone is clear"))
        results.gpz.posthoc = try PostHocLocator.locate(splits: [1, 2, 3, 4, 5], mse: [0.001, 0.002, 0.003, 0.004, 0.005])
        XCTAssertTrue(ScanReport.verdict(ScanReportView(results: results)).hasPrefix("The zone is not clear: no attacked"))
        results.gpz.posthoc = nil
        XCTAssertTrue(ScanReport.verdict(ScanReportView(results: results)).hasPrefix("No split was attacked"))
    }

    func testManySplitsKeepTheirLabelsApart() throws {
        let results = try ReportFixture.vgg16(writingGridsTo: runDirectory)
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

    // MARK: - Comparison report

    func testComparisonReport() throws {
        let onehot = try ReportFixture.cnn4(writingGridsTo: runDirectory)
        var smoothed = onehot
        smoothed.name = "ls+<b>"
        smoothed.config.target.labels = .smoothed(0.3)
        smoothed.splits = smoothed.splits.map { split in
            var split = split
            split.mse = split.mse.map { $0 * 1.4 }
            split.r2cMean /= 3
            return split
        }
        smoothed.perEpoch = nil
        let html = ComparisonReport.html(studies: [
            (name: "onehot", results: onehot, reportPath: "onehot/report.html"),
            (name: "ls+<b>", results: smoothed, reportPath: "ls+/report.html"),
        ], title: "Labels & smoothing", description: "one-hot vs LS+ <compare>")
        XCTAssertTrue(html.contains("<title>Labels &amp; smoothing</title>"))
        XCTAssertTrue(html.contains("one-hot vs LS+ &lt;compare&gt;"))
        XCTAssertTrue(html.contains("href=\"onehot/report.html\""))
        XCTAssertTrue(html.contains("href=\"ls+/report.html\""))
        XCTAssertTrue(html.contains("ls+&lt;b&gt;"))
        XCTAssertFalse(html.contains("ls+<b>"))
        XCTAssertTrue(html.contains("ls:0.3"))
        XCTAssertEqual(html.components(separatedBy: "<svg").count - 1, 3, "MSE, R_c² and vortex charts")
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
/// exist), with small synthetic reconstruction grids.
enum ReportFixture {
    static func cnn4(writingGridsTo runDirectory: URL) throws -> ScanResults {
        let names = ["block1", "block2", "block3", "block4", "logits"]
        let shapes = [[64, 16, 16], [128, 8, 8], [256, 4, 4], [512, 2, 2], [10]]
        let mse = [0.0039, 0.0060, 0.0102, 0.0219, 0.0398]
        let mseStd = [0.0020, 0.0040, 0.0073, 0.0119, 0.0236]
        let psnr = [24.51, 22.85, 20.75, 17.14, 14.64]
        let ssim = [0.845, 0.786, 0.711, 0.559, 0.401]
        let cosine = [0.986, 0.978, 0.961, 0.926, 0.892]
        let r2c = [3715.8, 1256.9, 412.8, 140.4, 26.0]
        let share = [0.735, 0.711, 0.642, 0.292, 0.107]
        let sigma2 = [0.4032, 0.2817, 0.2791, 0.9401, 24.26]
        let params = [768, 74_880, 370_560, 1_551_744, 1_654_704]
        let macs = [589_824, 19_464_192, 38_338_560, 57_212_928, 57_315_828]
        try FileManager.default.createDirectory(at: runDirectory.appendingPathComponent("grids"),
                                                withIntermediateDirectories: true)
        var splits: [ScanSplit] = []
        for i in 0..<5 {
            let d = shapes[i].reduce(1, *)
            let grid = "grids/decoder-\(i + 1)-\(names[i]).png"
            try SyntheticGrid.write(blur: i + 1, to: runDirectory.appendingPathComponent(grid))
            let hGlobal = 0.5 * log(2 * Double.pi * M_E * sigma2[i])
            let hClass = 0.5 * log(2 * Double.pi * M_E * r2c[i] / Double(d))
            splits.append(ScanSplit(name: names[i], index: i + 1, shape: shapes[i], d: d, r2cMean: r2c[i],
                                    r2cMin: r2c[i] * 0.6, r2cMax: r2c[i] * 1.5, intraShare: share[i], sigma2: sigma2[i],
                                    effectiveDimension: 20, hGlobalPerDim: hGlobal, hClassMixturePerDim: hClass,
                                    mse: mse[i], mseStd: mseStd[i], mseSumChannels: mse[i], psnr: psnr[i], ssim: ssim[i],
                                    cosine: cosine[i], accuracyWithDefense: nil, grid: grid, edgeParams: params[i],
                                    edgeMacs: macs[i], bytes: 4 * d))
        }
        let indices = Array(1...5)
        let apriori = try APrioriLocator.locate(.meanRadius, candidates: indices, values: r2c)
        let variant = try APrioriLocator.locate(.intraClassShare, candidates: indices, values: share)
        let posthoc = try PostHocLocator.locate(splits: indices, mse: mse, threshold: 0.02)
        let agreement = try [(apriori, r2c, "-r2c_mean"), (variant, share, "-intra_share")].map { zone, values, name in
            try ZoneAgreement(apriori: zone, posthoc: posthoc,
                              scores: Dictionary(uniqueKeysWithValues: zip(indices, values.map { -$0 })), scoreName: name)
        }
        let history = [0.812, 0.853, 0.869, 0.882, 0.889, 0.896, 0.901, 0.905, 0.909, 0.912]
        let perEpoch = history.enumerated().map { epoch, accuracy in
            ScanEpochStatistics(epoch: epoch + 1, testAccuracy: accuracy,
                                r2cMean: r2c.enumerated().map { position, value in
                                    value * (1 + Double(position + 1) * 0.5 * exp(-Double(epoch) / 2.5))
                                }, intraShare: share)
        }
        var config = ScanConfig(name: "fmnist-cnn4")
        config.target.epochs = 10
        config.attack.epochs = 5
        return ScanResults(
            name: "fmnist-cnn4", config: config, configHash: try config.hash,
            target: ScanTarget(architecture: "cnn4", checkpoint: "target", trainingHash: try config.target.hash,
                               inputShape: [1, 32, 32], parameters: 1_654_704, epochs: 10, weightsEpoch: 10,
                               testAccuracy: 0.912, lastAccuracy: 0.912, trainImages: 48_000, trainSha256: String(repeating: "ab", count: 32),
                               privateImages: 10_000, history: history),
            analysis: ScanAnalysis(images: 5_000, classes: 10, labels: .truth, analysisHash: try config.analysisHash),
            attack: ScanAttack(attacker: "decoder", defense: "none", auxSource: "sub", auxImages: 12_000,
                               auxSha256: String(repeating: "cd", count: 32), evaluatedImages: 10_000, epochs: 5,
                               attackHash: try config.attackHash),
            splits: splits,
            gpz: ScanZones(apriori: apriori, aprioriVariants: [variant], posthoc: posthoc, agreement: agreement),
            recommendation: ScanRecommendation(split: 4, name: "block4",
                                               rule: "the shallowest attacked split whose MSE reaches the privacy threshold",
                                               threshold: 0.02, mse: 0.0219, edgeMacs: macs[3], edgeParams: params[3],
                                               bytes: 4 * 2_048, inZone: true),
            headline: ScanHeadline(mseRatioGpzVsShallowest: mse[2] / mse[0], gpzSplit: 3, shallowestSplit: 1,
                                   testAccuracy: 0.912),
            perEpoch: perEpoch,
            timing: ["train": 812.4, "analysis": 28.9, "attack": 274.0, "report": 0.31])
    }
}

extension ReportFixture {
    /// vgg16bn's 45 splits with VGG-style names, attacked at every fourth split and the logits.
    static func vgg16(writingGridsTo runDirectory: URL) throws -> ScanResults {
        var results = try cnn4(writingGridsTo: runDirectory)
        let base = results.splits[0]
        var names: [String] = []
        for (block, convs) in [2, 2, 3, 3, 3].enumerated() {
            for conv in 1...convs {
                names += ["conv\(block + 1)_\(conv)", "conv\(block + 1)_\(conv).bn", "conv\(block + 1)_\(conv).relu"]
            }
            names.append("pool\(block + 1)")
        }
        names += ["fc1", "logits"]
        results.splits = names.enumerated().map { position, name in
            var split = base
            split.name = name
            split.index = position + 1
            let depth = Double(position) / Double(names.count - 1)
            split.r2cMean = 4_000 * pow(0.85, Double(position))
            split.intraShare = 0.75 - 0.6 * depth * depth
            split.edgeMacs = 1_000_000 * (position + 1) * (position + 1)
            let attacked = position % 4 == 0 || position == names.count - 1
            split.mse = attacked ? 0.004 + 0.05 * depth * depth : nil
            split.psnr = split.mse.map { -10 * log10($0) }
            split.grid = attacked ? "grids/decoder-\(position + 1)-\(name).png" : nil
            return split
        }
        for split in results.splits {
            guard let grid = split.grid else { continue }
            try SyntheticGrid.write(blur: 1 + split.index / 8, to: runDirectory.appendingPathComponent(grid))
        }
        let indices = results.splits.map(\.index)
        let attacked = results.splits.filter { $0.mse != nil }
        results.gpz.apriori = try APrioriLocator.locate(.meanRadius, candidates: indices,
                                                        values: results.splits.map(\.r2cMean))
        results.gpz.aprioriVariants = [try APrioriLocator.locate(.intraClassShare, candidates: indices,
                                                                  values: results.splits.map(\.intraShare))]
        let posthoc = try PostHocLocator.locate(splits: attacked.map(\.index), mse: attacked.map { $0.mse! })
        results.gpz.posthoc = posthoc
        results.gpz.agreement = try [results.gpz.apriori].map {
            try ZoneAgreement(apriori: $0, posthoc: posthoc,
                              scores: Dictionary(uniqueKeysWithValues: results.splits.map { ($0.index, -$0.r2cMean) }),
                              scoreName: "-r2c_mean")
        }
        results.recommendation.split = posthoc.firstAboveThreshold
        results.recommendation.name = results.splits.first { $0.index == posthoc.firstAboveThreshold }?.name
        results.perEpoch = results.perEpoch?.map { epoch in
            var epoch = epoch
            epoch.r2cMean = results.splits.map { $0.r2cMean * (1 + 2 * exp(-Double(epoch.epoch) / 3)) }
            return epoch
        }
        return results
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
