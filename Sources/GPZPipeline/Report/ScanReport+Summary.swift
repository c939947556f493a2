import GPZAnalysis

extension ScanReport {
    /// The summary box: the recommendation and its cost, whether the zone is clear, the accuracy, both zones,
    /// their agreement and the headline ratio.
    static func summary(_ view: ScanReportView) -> String {
        let results = view.results
        let e = HTMLDocument.escape
        var facts: [(String, String)] = []
        let target = results.target
        let accuracy: String = "\(ReportFormat.percent(target.testAccuracy)) (weights of epoch \(target.weightsEpoch) of "
            + "\(target.epochs); last epoch \(ReportFormat.percent(target.lastAccuracy)))"
        facts.append(("Target test accuracy", e(accuracy)))
        let apriori = results.gpz.apriori
        facts.append(("A-priori zone (paper rule)", e("\(view.rangeText(view.aprioriRange)); selected "
                                                      + apriori.selected.map(String.init).joined(separator: ", "))))
        for variant in results.gpz.aprioriVariants {
            let range = (variant.range.first ?? variant.first)...(variant.range.last ?? variant.first)
            facts.append(("A-priori zone (\(e(variant.rule)))", e(view.rangeText(range))))
        }
        facts.append(("Post-hoc zone", e(posthocText(view))))
        if let agreement = results.gpz.agreement.first {
            facts.append(("Agreement (paper rule vs attack)", e(agreementText(agreement))))
        }
        facts.append(("Headline", e(headlineText(view))))
        return """
        <section class="summary" id="summary">
        \(recommendationHTML(view))
        \(HTMLDocument.paragraph(verdict(view), class: "verdict"))
        \(HTMLDocument.definitions(facts))
        </section>
        """
    }

    /// The recommended split with its MSE and edge cost, and the rule that chose it (or why there is none).
    static func recommendationHTML(_ view: ScanReportView) -> String {
        let recommendation = view.results.recommendation
        let e = HTMLDocument.escape
        guard let index = recommendation.split else {
            return "<p class=\"recommendation\"><strong>No split is recommended.</strong></p>\n"
                + HTMLDocument.paragraph("Reason: \(recommendation.rule)", class: "note")
        }
        let name = recommendation.name ?? view.split(index)?.name ?? "split \(index)"
        let zone = recommendation.inZone ? "inside the a-priori zone" : "outside the a-priori zone"
        let cost = "reconstruction MSE \(ReportFormat.significant(recommendation.mse)); the edge runs "
            + "\(ReportFormat.count(recommendation.edgeMacs)) MACs with \(ReportFormat.count(recommendation.edgeParams)) "
            + "parameters and sends \(ReportFormat.bytes(recommendation.bytes)) per image; \(zone)."
        return "<p class=\"recommendation\"><strong>Recommended split: \(e(name)) (split \(index))</strong></p>\n"
            + HTMLDocument.paragraph(cost) + "\n"
            + HTMLDocument.paragraph("Rule: \(recommendation.rule) (threshold MSE ≥ "
                                     + "\(ReportFormat.compact(recommendation.threshold)))", class: "note")
    }

    /// One sentence: whether the a-priori and post-hoc zones agree, i.e. whether the zone is clear.
    static func verdict(_ view: ScanReportView) -> String {
        let results = view.results
        guard let posthoc = results.gpz.posthoc else {
            return "No split was attacked, so the zone is located a priori only (\(view.rangeText(view.aprioriRange)))."
        }
        guard let first = posthoc.firstAboveThreshold else {
            return "The zone is not clear: no attacked split reaches the privacy threshold MSE ≥ "
                + "\(ReportFormat.compact(posthoc.threshold)), so the attack reconstructs well everywhere."
        }
        let aprioriFirst = results.gpz.apriori.first
        if aprioriFirst == first {
            return "The zone is clear: the a-priori rule and the attack both put its start at \(view.label(first))."
        }
        let distance = Swift.abs(aprioriFirst - first)
        let k = results.gpz.agreement.first?.k ?? 1
        let direction = aprioriFirst < first ? "earlier" : "later"
        let placement = "the a-priori rule puts its start at \(view.label(aprioriFirst)), \(distance) "
            + "split\(distance == 1 ? "" : "s") \(direction) than the attack, which puts it at \(view.label(first))."
        return (distance <= k ? "The zone is fairly clear: " : "The zone is not clear: ") + placement
    }

    static func posthocText(_ view: ScanReportView) -> String {
        guard let posthoc = view.results.gpz.posthoc else { return "not located (no attack results)" }
        let threshold = ReportFormat.compact(posthoc.threshold)
        var text: String
        if let range = view.posthocRange {
            text = "from \(view.label(range.lowerBound)) on: the first attacked split with MSE ≥ \(threshold)"
        } else {
            text = "none: every attacked split has MSE < \(threshold)"
        }
        if let jump = posthoc.largestJumpSplit { text += "; largest MSE jump into \(view.label(jump))" }
        return text
    }

    static func agreementText(_ agreement: ZoneAgreement) -> String {
        var parts = ["a-priori first split \(agreement.aprioriFirst), post-hoc first split "
                     + (agreement.posthocFirst.map(String.init) ?? ReportFormat.missing)]
        if agreement.sameFirstSplit {
            parts.append("the same split")
        } else if let distance = agreement.distance {
            parts.append("\(distance) split\(distance == 1 ? "" : "s") apart (\(agreement.withinK ? "within" : "beyond") "
                         + "k = \(agreement.k))")
        }
        if let rho = agreement.spearman {
            parts.append("Spearman ρ \(ReportFormat.significant(rho, digits: 3)) between \(agreement.score) and MSE "
                         + "over \(agreement.correlationSplits.count) splits")
        }
        return parts.joined(separator: "; ")
    }

    static func headlineText(_ view: ScanReportView) -> String {
        let headline = view.results.headline
        guard let ratio = headline.mseRatioGpzVsShallowest else {
            return "MSE ratio GPZ vs shallowest split not available (one of the two splits was not attacked)."
        }
        return "Reconstruction MSE at the GPZ split \(view.label(headline.gpzSplit)) is \(ReportFormat.ratio(ratio)) "
            + "the MSE at the shallowest attacked split \(view.label(headline.shallowestSplit))."
    }
}
