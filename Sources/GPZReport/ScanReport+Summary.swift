import GPZScan
import GPZAnalysis

extension ScanReport {
    /// The summary box: the recommendation and its cost first, then the zone and its stability, the class-prior
    /// baselines, the leakage boundary, the headline pairs and the accuracy.
    static func summary(_ view: ScanReportView) -> String {
        let results = view.results
        let e = HTMLDocument.escape
        let zone = results.gpz.zone
        var facts: [(String, String)] = []
        facts.append(("A-priori zone", e(zoneText(view))))
        facts.append(("Paper rule (raw R_c²)", e("selects " + results.gpz.paperRule.selected.map { view.label($0) }
            .joined(separator: " and ") + (results.gpz.paperRule.selected.count > 1 ? " (two candidates)" : ""))))
        if let baselines = results.baselines {
            facts.append(("Baselines (label only)", e("class-mean image MSE \(ReportFormat.significant(baselines.classMeanMSE)), "
                + "global-mean image MSE \(ReportFormat.significant(baselines.globalMeanMSE)) on the "
                + "\(baselines.images) evaluated images")))
        }
        if let leakage = results.gpz.leakage {
            facts.append(("Post-hoc boundary", e(boundaryText(view, leakage))))
        }
        if let verdict = results.headline.verdict {
            facts.append(("Headline", e(headlineText(view, verdict))))
        }
        if let paper = results.gpz.paperThreshold {
            facts.append(("Paper threshold (comparison)", e(paper.firstAboveThreshold.map {
                "channel-summed MSE ≥ \(ReportFormat.compact(paper.threshold)) from \(view.label($0)) on"
            } ?? "no attacked split reaches channel-summed MSE ≥ \(ReportFormat.compact(paper.threshold))")))
        }
        let target = results.target
        facts.append(("Target test accuracy", e(target.isPretrained
            ? "\(ReportFormat.percent(target.testAccuracy)) (pretrained model exported from PyTorch, not trained by GPZ)"
            : "\(ReportFormat.percent(target.testAccuracy)) (weights of epoch "
              + "\(target.weightsEpoch) of \(target.epochs), selected on the private set as the paper's code does; last "
              + "epoch \(ReportFormat.percent(target.lastAccuracy)))")))
        let stability = zone.clear ? "The zone is clear" : "The zone is not clear"
        return """
        <section class="summary" id="summary">
        \(recommendationHTML(view))
        \(HTMLDocument.paragraph("\(stability): the share rule selects \(view.label(zone.split)) in "
            + "\(ReportFormat.percent(zone.frequency)) of \(zone.replicates) resamples (clear at "
            + "\(ReportFormat.percent(zone.majority))).", class: "verdict"))
        \(HTMLDocument.definitions(facts))
        </section>
        """
    }

    /// "block3 (split 3)", "no partition (logits)" or "none".
    static func recommendationLabel(_ view: ScanReportView) -> String {
        let recommendation = view.results.recommendation
        switch recommendation.kind {
        case .partition: return view.label(recommendation.split)
        case .noPartition: return "no partition (\(recommendation.name ?? "logits"))"
        case .none: return "none"
        }
    }

    /// The recommendation with its leakage and edge cost, and the rule that chose it (or why there is none).
    static func recommendationHTML(_ view: ScanReportView) -> String {
        let recommendation = view.results.recommendation
        let e = HTMLDocument.escape
        let rule = HTMLDocument.paragraph("Rule: \(recommendation.rule).", class: "note")
        let leakage = "leakage \(ReportFormat.significant(recommendation.leakage, digits: 3)) (with its seed spread "
            + "\(ReportFormat.significant(recommendation.leakageUpper, digits: 3))), reconstruction MSE "
            + ReportFormat.significant(recommendation.mse)
        switch recommendation.kind {
        case .none where view.results.gpz.leakage == nil:
            return "<p class=\"recommendation\"><strong>No split was attacked, so nothing is recommended.</strong>"
                + "</p>\n" + rule
        case .none:
            return "<p class=\"recommendation\"><strong>No split protects: every attacked split leaks more than the "
                + "class label.</strong></p>\n" + rule
        case .noPartition:
            return "<p class=\"recommendation\"><strong>No partition protects: only the classifier output "
                + "(\(e(recommendation.name ?? "logits"))) does, i.e. the whole network on the edge.</strong></p>\n"
                + HTMLDocument.paragraph(leakage + ".") + "\n" + rule
        case .partition:
            let zone = recommendation.matchesZone ? "the a-priori zone's split"
                : "the a-priori zone is \(view.label(recommendation.zoneSplit))"
            let cost = "\(leakage); the edge runs \(ReportFormat.count(recommendation.edgeMacs)) MACs with "
                + "\(ReportFormat.count(recommendation.edgeParams)) parameters and sends "
                + "\(ReportFormat.bytes(recommendation.bytes)) per image; \(zone)."
            return "<p class=\"recommendation\"><strong>Recommended split: \(e(view.label(recommendation.split)))"
                + "</strong></p>\n" + HTMLDocument.paragraph(cost) + "\n" + rule
        }
    }

    static func zoneText(_ view: ScanReportView) -> String {
        let zone = view.results.gpz.zone
        var text = "\(view.label(zone.split)), after the largest relative drop of the intra-class share over "
            + "\(zone.candidates.count) candidates; selected in \(ReportFormat.percent(zone.frequency)) of "
            + "\(zone.replicates) bootstrap resamples"
        if let feature = zone.featureSplit { text += "; deepest feature-level candidate \(view.label(feature))" }
        if zone.pointSelection != zone.split { text += "; the full sample alone selects \(view.label(zone.pointSelection))" }
        return text
    }

    static func boundaryText(_ view: ScanReportView, _ leakage: LeakageBoundary) -> String {
        let logits = leakage.logitsProtect.map { $0 ? "; the logits protect" : "; the logits leak" } ?? ""
        guard let boundary = leakage.boundary else {
            let least = leakage.splits.filter(\.candidate).min { $0.leakage < $1.leakage }
            return "none: no block-level candidate protects (least leakage "
                + "\(ReportFormat.significant(least?.leakage, digits: 3)) at \(view.label(least?.index)))" + logits
        }
        return "\(view.label(boundary)): from there on every candidate's leakage (mean + sd) is at most "
            + "\(ReportFormat.compact(leakage.threshold))" + logits
    }

    static func headlineText(_ view: ScanReportView, _ headline: VerdictHeadline) -> String {
        var parts: [String] = []
        if let pair = headline.zonePair {
            parts.append("MSE \(ReportFormat.significant(pair.mseDecision)) at the zone's \(pair.decisionName) against "
                         + "\(ReportFormat.significant(pair.mseFeature)) at \(pair.featureName) before it (resistance "
                         + "\(ReportFormat.percent(pair.resistance)))")
        }
        if let ratio = headline.zoneOverShallowest {
            parts.append("\(ReportFormat.ratio(ratio)) the MSE at the shallowest candidate \(view.label(headline.shallowest))")
        }
        if let pair = headline.boundaryPair {
            parts.append("boundary pair \(pair.featureName) → \(pair.decisionName): MSE ×"
                         + ReportFormat.significant(pair.ratio, digits: 3))
        }
        if let positions = headline.positionsFromBoundary {
            let side = positions == 0 ? "at" : positions > 0 ? "deeper than" : "shallower than"
            let count = positions == 0 ? "" : "\(abs(positions)) candidate position\(abs(positions) == 1 ? "" : "s") "
            parts.append("the a-priori zone is \(count)\(side) the post-hoc boundary")
        }
        if let rho = headline.spearmanCriterion {
            parts.append("Spearman ρ(−share, MSE) \(ReportFormat.significant(rho, digits: 3)) against ρ(depth, MSE) "
                         + ReportFormat.significant(headline.spearmanDepth, digits: 3))
        }
        return parts.isEmpty ? ReportFormat.missing : parts.joined(separator: "; ")
    }
}
