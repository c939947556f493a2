import Foundation
import GPZAnalysis
import GPZScan

/// The verdict of one scan in words: the one model that both the report's summary box and the terminal render
/// (`ScanReport.summary`, `terminalLines`), so the two never say different things. Plain text; the page escapes it.
public struct ScanVerdictText: Sendable {
    /// "quick: cnn4, test accuracy 88.01 %".
    public let title: String
    /// The recommendation in one sentence.
    public let recommendation: String
    /// Its leakage and edge cost, when a split (or the logits) is recommended.
    public let detail: String?
    /// The rule that chose it, or why there is none.
    public let rule: String
    /// Whether the a-priori zone is stable over the bootstrap.
    public let stability: String
    /// Labelled facts: the zones, the paper's rule, the baselines, the boundary, the headline, the accuracy.
    public let facts: [(label: String, text: String)]

    public init(_ results: ScanResults) {
        self.init(ScanReportView(results: results))
    }

    init(_ view: ScanReportView) {
        let results = view.results
        let target = results.target
        title = "\(results.name): \(target.architecture), test accuracy \(ReportFormat.percent(target.testAccuracy))"
        let recommendation = results.recommendation
        rule = recommendation.rule
        let leakage = "leakage \(ReportFormat.significant(recommendation.leakage, digits: 3)) of its best decoder "
            + "(\(ReportFormat.significant(recommendation.leakageUpper, digits: 3)) with the deeper splits'), "
            + "reconstruction MSE " + ReportFormat.significant(recommendation.mse)
        let attackers = "no attacker we ran (\(results.zones.leakage.map(ScanVerdict.attackers) ?? "none"); "
            + "\(results.attack.auxImages) aux images, \(results.attack.validationImages) of them held out for early "
            + "stopping) beat the label-only floor by more than " + ReportFormat.compact(results.config.leakageThreshold)
            + " or re-identified its originals above chance"
        switch recommendation.kind {
        case .none where results.zones.leakage == nil:
            self.recommendation = "No split was attacked, so nothing is recommended."
            detail = nil
        case .none:
            self.recommendation = "No split protects: every attacked split leaks more than the class label."
            detail = nil
        case .inconclusive:
            self.recommendation = "Inconclusive: where no attacker beat the label-only floor, the evidence is "
                + "incomplete."
            detail = "A split whose attack failed, had not converged, or still gained from more data is not shown to "
                + "protect; attack it harder (more aux images, more epochs, other attackers) before trusting it."
        case .noPartition:
            self.recommendation = "No partition protects: only the classifier output "
                + "(\(recommendation.name ?? "logits")) does, i.e. the whole network on the edge."
            detail = "\(attackers) at the logits; \(leakage)."
        case .partition:
            self.recommendation = "Recommended split: \(view.label(recommendation.split))"
            let zone = recommendation.matchesZone ? "the a-priori zone's split"
                : "the a-priori zone is \(view.label(recommendation.zoneSplit))"
            detail = "From this split on, \(attackers); \(leakage); the edge runs "
                + "\(ReportFormat.count(recommendation.edgeMacs)) MACs with "
                + "\(ReportFormat.count(recommendation.edgeParams)) parameters and sends "
                + "\(ReportFormat.bytes(recommendation.bytes)) per image; \(zone)."
        }
        let zone = results.zones.zone
        stability = (zone.clear ? "The zone is clear" : "The zone is not clear") + ": the share rule selects "
            + "\(view.label(zone.split)) in \(ReportFormat.percent(zone.frequency)) of \(zone.replicates) resamples "
            + "(clear at \(ReportFormat.percent(zone.majority)))."
        var facts: [(label: String, text: String)] = []
        facts.append(("A-priori zone", ScanReport.zoneText(view)))
        facts.append(("Paper rule (raw R_c²)", "selects " + results.zones.paperRule.selected.map { view.label($0) }
            .joined(separator: " and ") + (results.zones.paperRule.selected.count > 1 ? " (two candidates)" : "")))
        if let baselines = results.baselines {
            let attainable = baselines.labelOnlyMSE.map {
                "; attainable label-only (aux class means under the cloud's predicted label) MSE "
                    + ReportFormat.significant($0)
                    + (baselines.auxImages.map { " from \($0) aux images" } ?? "")
            } ?? ""
            facts.append(("Baselines (label only)", "class-mean image MSE \(ReportFormat.significant(baselines.classMeanMSE)), "
                + "global-mean image MSE \(ReportFormat.significant(baselines.globalMeanMSE)) on the "
                + "\(baselines.images) evaluated images" + attainable))
        }
        if let leakage = results.zones.leakage {
            facts.append(("Post-hoc boundary", ScanReport.boundaryText(view, leakage)))
        }
        if let verdict = results.headline.verdict {
            facts.append(("Headline", ScanReport.headlineText(view, verdict)))
        }
        if let paper = results.zones.paperThreshold {
            facts.append(("Paper threshold (comparison)", paper.firstAboveThreshold.map {
                "channel-summed MSE ≥ \(ReportFormat.compact(paper.threshold)) from \(view.label($0)) on"
            } ?? "no attacked split reaches channel-summed MSE ≥ \(ReportFormat.compact(paper.threshold))"))
        }
        facts.append(("Target test accuracy", target.isPretrained
            ? "\(ReportFormat.percent(target.testAccuracy)) (pretrained model exported from PyTorch, not trained by GPZ)"
            : "\(ReportFormat.percent(target.testAccuracy)) (weights of epoch "
              + "\(target.weightsEpoch) of \(target.epochs), selected on the private set as the paper's code does; last "
              + "epoch \(ReportFormat.percent(target.lastAccuracy)))"))
        self.facts = facts
    }

    /// The verdict as the terminal prints it: the title, the recommendation, its detail and rule, the zone's
    /// stability and the facts, indented under the title, and the report's path.
    public func terminalLines(report: URL) -> [String] {
        [title, "  \(recommendation)"] + (detail.map { ["  \($0)"] } ?? []) + ["  Rule: \(rule).", "  \(stability)"]
            + facts.map { "  \($0.label): \($0.text)" } + ["  report: \(report.path)"]
    }
}
