import GPZScan
import GPZAnalysis

extension ScanReport {
    /// The summary box, rendered from the verdict model (`ScanVerdictText`) the terminal prints too: the
    /// recommendation and its cost first, then the zone and its stability, the class-prior baselines, the leakage
    /// boundary, the headline pairs and the accuracy.
    static func summary(_ view: ScanReportView) -> String {
        let verdict = ScanVerdictText(view)
        let e = HTMLDocument.escape
        let recommendation = "<p class=\"recommendation\"><strong>\(e(verdict.recommendation))</strong></p>\n"
            + (verdict.detail.map { HTMLDocument.paragraph($0) + "\n" } ?? "")
            + HTMLDocument.paragraph("Rule: \(verdict.rule).", class: "note")
        return """
        <section class="summary" id="summary">
        \(recommendation)
        \(HTMLDocument.paragraph(verdict.stability, class: "verdict"))
        \(HTMLDocument.definitions(verdict.facts.map { ($0.label, e($0.text)) }))
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
        case .inconclusive: return "inconclusive"
        }
    }

    static func zoneText(_ view: ScanReportView) -> String {
        let zone = view.results.zones.zone
        var text = "\(view.label(zone.split)), after the largest relative drop of the intra-class share over "
            + "\(zone.candidates.count) candidates; selected in \(ReportFormat.percent(zone.frequency)) of "
            + "\(zone.replicates) bootstrap resamples"
        if let feature = zone.featureSplit { text += "; deepest feature-level candidate \(view.label(feature))" }
        if zone.pointSelection != zone.split { text += "; the full sample alone selects \(view.label(zone.pointSelection))" }
        return text
    }

    static func boundaryText(_ view: ScanReportView, _ leakage: LeakageBoundary) -> String {
        let logits = leakage.splits.first(where: \.isLogits).map {
            $0.protects ? "; the logits protect"
                : $0.inconclusive ? "; the logits are inconclusive (" + $0.open.map(\.text).joined(separator: "; ") + ")"
                : "; the logits leak"
        } ?? ""
        guard let boundary = leakage.boundary else {
            let least = leakage.splits.filter(\.candidate).min { $0.leakage < $1.leakage }
            return "none: no block-level candidate protects (least leakage "
                + "\(ReportFormat.significant(least?.leakage, digits: 3)) at \(view.label(least?.index)))" + logits
        }
        return "\(view.label(boundary)): from there on every candidate's leakage (best decoder, with the deeper splits') is at most "
            + "\(ReportFormat.compact(view.results.config.leakageThreshold))" + logits
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
