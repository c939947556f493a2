import GPZScan
import Foundation
import GPZConfig
import GPZModels

/// `report.html` of a scan: one self-contained page (inline CSS and SVG, grids as data URIs, no scripts, no
/// network) that shows the recommendation, the zones, privacy across splits, the reconstructions, the cost of
/// every split, the training curves and the provenance of the numbers. The page depends only on the results and
/// the grid files, never on the clock, so the same results give the same page.
public enum ScanReport {
    /// The report's file name in the run directory.
    public static let fileName = "report.html"

    /// The report's HTML. Grid files are read relative to `runDirectory`; a missing or unreadable one shows a
    /// note in its place. A `deploy.json` there (`DeploySweep`) adds the deployment section; a broken one is a
    /// `ConfigError` naming the file and field.
    public static func html(_ results: ScanResults, runDirectory: URL) throws -> String {
        let view = ScanReportView(results: results)
        let config = results.config
        let subtitle = [
            "model \(results.target.architecture)", "data \(config.target.dataset)",
            config.target.imageSize.map { "\($0) px" }, "labels \(config.target.labels)",
            "attacker \(results.attack.attacker)", "aux \(results.attack.auxSource)",
            results.attack.defense == "none" ? nil : "defence \(results.attack.defense)",
        ].compactMap { $0 }.joined(separator: " · ")
        let header = "<header><h1>GPZ scan: \(HTMLDocument.escape(results.name))"
            + "<span class=\"sub\">\(HTMLDocument.escape(subtitle))</span></h1></header>"
        let deployment = try DeploySweep.load(from: runDirectory).map {
            DeploymentSection.html($0, studies: [(results.name, results)])
        }
        let body = [
            header,
            summary(view),
            privacySection(view),
            gridSection(view, runDirectory: runDirectory),
            splitTable(view),
            evidenceSection(view),
            costSection(view),
            deployment,
            trainingSection(view),
            try provenanceSection(view),
            runSection(view),
        ].compactMap { $0 }.joined(separator: "\n")
        return HTMLDocument.page(title: "GPZ scan: \(results.name)", body: body)
    }

    /// Writes the report into `runDirectory` (atomically) and returns its URL.
    @discardableResult
    public static func write(_ results: ScanResults, runDirectory: URL) throws -> URL {
        let url = runDirectory.appendingPathComponent(fileName)
        try html(results, runDirectory: runDirectory).write(to: url, atomically: true, encoding: .utf8)
        return url
    }
}
