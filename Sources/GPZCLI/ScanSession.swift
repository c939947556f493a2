import Foundation
import GPZPipeline
import GPZTensor

/// Runs a plan's studies one after another with a progress bar per stage, prints each study's verdict, and for
/// several studies writes the comparison (`comparison.json`, `index.html`).
struct ScanSession {
    let plan: ScanPlan
    let out: URL
    var targets: URL?
    /// `--device`, which overrides each study's `device` field.
    var device: Device?
    let json: Bool

    func run() throws {
        try plan.validate()
        _ = try DeploySweep.load(from: out)  // a broken deploy.json is an error now, not after the studies ran
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        var finished: [(directory: String, results: ScanResults)] = []
        for (position, var study) in plan.studies.enumerated() {
            if let device { study.device = device }
            let directory = plan.directory(of: study, in: out)
            note("scan \(plan.name): study \(position + 1)/\(plan.studies.count) '\(study.name)' → \(directory.path)")
            let results = try ScanRunner(config: study, directory: directory, shared: out, targets: targets)
                .run(events: Self.eventPrinter())
            let text = summary(results, directory: directory)
            if json { note(text) } else { print(text) }
            finished.append((plan.studies.count == 1 ? "." : study.name, results))
        }
        if plan.studies.count > 1 {
            let comparison = try PlanComparison(plan: plan, results: finished)
            try comparison.write(to: out)
            let index = try ComparisonReport.write(
                studies: finished.map { ($0.results.name, $0.results, "\($0.directory)/report.html") },
                worstCase: comparison.worstCase, title: plan.name, description: plan.description,
                deployment: try DeploySweep.load(from: out), to: out.appendingPathComponent("index.html"))
            print("comparison: \(index.path)")
            if json { print(try jsonLine(comparison)) }
        } else if json, let results = finished.first?.results {
            print(try jsonLine(results))
        }
    }

    private func summary(_ r: ScanResults, directory: URL) -> String {
        let zone = r.gpz.zone
        func name(_ index: Int?) -> String {
            guard let index else { return "none" }
            return r.splits.first { $0.index == index }.map { "\($0.name) (\(index))" } ?? String(index)
        }
        var lines = [String(format: "%@: %@ test accuracy %.2f %%", r.name, r.target.architecture,
                            100 * r.headline.testAccuracy)]
        lines.append(String(format: "  a-priori zone: %@, selected in %.0f %% of %d resamples (%@); paper rule: %@",
                            name(zone.split), 100 * zone.frequency, zone.replicates, zone.clear ? "clear" : "not clear",
                            r.gpz.paperRule.selected.map { name($0) }.joined(separator: " and ")))
        if let baselines = r.baselines, let leakage = r.gpz.leakage {
            lines.append(String(format: "  baselines: class-mean image MSE %.4f, global-mean image MSE %.4f",
                                baselines.classMeanMSE, baselines.globalMeanMSE))
            let least = leakage.splits.filter(\.candidate).min { $0.leakage < $1.leakage }
            lines.append("  post-hoc boundary (leakage ≤ \(leakage.threshold)): \(name(leakage.boundary))"
                         + (least.map { String(format: "; least-leaking candidate %@, leakage %.3f", name($0.index),
                                                $0.leakage) } ?? ""))
        }
        if let pair = r.headline.verdict?.zonePair, let resistance = pair.resistance {
            lines.append(String(format: "  zone pair %@ → %@: MSE %.4f → %.4f, resistance %.0f %%", pair.featureName,
                                pair.decisionName, pair.mseFeature, pair.mseDecision, 100 * resistance))
        }
        let recommendation = r.recommendation
        switch recommendation.kind {
        case .partition:
            lines.append(String(format: "  recommended split: %@, leakage %.3f, MSE %.4f, edge %@ MACs, %d bytes sent",
                                name(recommendation.split), recommendation.leakage ?? .nan, recommendation.mse ?? .nan,
                                "\(recommendation.edgeMacs ?? 0)", recommendation.bytes ?? 0))
        case .noPartition:
            lines.append("  recommendation: no partition — only the logits protect (the whole network on the edge)")
        case .none:
            lines.append("  recommendation: none — every attacked split, the logits included, leaks more than the label")
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
