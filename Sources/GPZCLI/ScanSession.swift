import Foundation
import GPZPipeline

/// Runs a plan's studies one after another with a progress bar per stage, prints each study's verdict, and for
/// several studies writes the comparison (`comparison.json`, `index.html`).
struct ScanSession {
    let plan: ScanPlan
    let out: URL
    var targets: URL?
    let json: Bool

    func run() throws {
        try plan.validate()
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        var finished: [(directory: String, results: ScanResults)] = []
        for (position, study) in plan.studies.enumerated() {
            let directory = plan.directory(of: study, in: out)
            note("scan \(plan.name): study \(position + 1)/\(plan.studies.count) '\(study.name)' → \(directory.path)")
            let results = try ScanRunner(config: study, directory: directory, shared: out, targets: targets)
                .run(events: Self.eventPrinter())
            print(summary(results, directory: directory))
            finished.append((plan.studies.count == 1 ? "." : study.name, results))
        }
        if plan.studies.count > 1 {
            let comparison = PlanComparison(plan: plan, results: finished)
            try comparison.write(to: out)
            let index = try ComparisonReport.write(
                studies: finished.map { ($0.results.name, $0.results, "\($0.directory)/report.html") },
                title: plan.name, description: plan.description, to: out.appendingPathComponent("index.html"))
            print("comparison: \(index.path)")
            if json { print(try jsonLine(comparison)) }
        } else if json, let results = finished.first?.results {
            print(try jsonLine(results))
        }
    }

    private func summary(_ r: ScanResults, directory: URL) -> String {
        let zone = r.gpz.apriori
        var lines = [String(format: "%@: %@ test accuracy %.2f %%; a-priori zone %d…%d (%@)", r.name,
                            r.target.architecture, 100 * r.headline.testAccuracy, zone.range[0], zone.range[1], zone.rule)]
        if let posthoc = r.gpz.posthoc {
            lines.append("  post-hoc zone: first split with MSE ≥ \(posthoc.threshold): "
                         + (posthoc.firstAboveThreshold.map(String.init) ?? "none"))
        }
        if let ratio = r.headline.mseRatioGpzVsShallowest {
            lines.append(String(format: "  MSE at the zone / at the shallowest split: %.2f×", ratio))
        }
        if let split = r.recommendation.split, let name = r.recommendation.name {
            lines.append(String(format: "  recommended split: %d (%@), MSE %.4f, edge %@ MACs, %d bytes sent", split, name,
                                r.recommendation.mse ?? .nan, "\(r.recommendation.edgeMacs ?? 0)", r.recommendation.bytes ?? 0))
        } else {
            lines.append("  no recommendation: \(r.recommendation.rule)")
        }
        lines.append("  report: \(directory.appendingPathComponent("report.html").path)")
        return lines.joined(separator: "\n")
    }

    /// Progress bars (one per stage label) and notes on stderr.
    static func eventPrinter() -> (ScanEvent) -> Void {
        var bar: ProgressBar?
        var label = ""
        return { event in
            switch event {
            case .stage(let text), .note(let text):
                note(text)
            case .progress(let stage, let done, let total, let values):
                if stage != label || bar == nil || done < 1 {
                    bar = ProgressBar(stage, total: total, unit: "it")
                    label = stage
                }
                bar?.update(done, values)
            }
        }
    }
}
