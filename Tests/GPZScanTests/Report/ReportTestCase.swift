import Foundation
import XCTest

/// What the report tests share: a fresh run directory for each test (the fixtures write their grids there), and
/// ways to read the pages. The tests are split by topic: the summary and verdict (ScanReportSummaryTests), the page
/// as a whole (ScanReportPageTests), its grids (ScanReportGridTests), results.csv and results.json
/// (ResultsFileTests), the comparison page (ComparisonReportTests), the deployment section (DeploymentReportTests),
/// charts (ReportChartTests) and formatting (ReportFormatTests).
class ReportTestCase: XCTestCase {
    var runDirectory: URL!

    override func setUpWithError() throws {
        runDirectory = FileManager.default.temporaryDirectory
            .appendingPathComponent("gpz-report-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: runDirectory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: runDirectory)
    }

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
