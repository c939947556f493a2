import GPZScan
import GPZAnalysis

extension ScanReport {
    /// Where the numbers come from: the data and stage hashes, the a-priori rules with their zones and agreement,
    /// and the configuration.
    static func provenanceSection(_ view: ScanReportView) throws -> String {
        let (target, analysis, attack) = (view.results.target, view.results.analysis, view.results.attack)
        /// Plain text, then a hash in a monospace font.
        func fact(_ text: String, _ hash: String) -> String {
            HTMLDocument.escape(text) + "<code>\(HTMLDocument.escape(hash))</code>"
        }
        let count = ReportFormat.integer
        let facts: [(String, String)] = [
            ("Config hash", fact("", view.results.configHash)),
            ("Target", fact("\(target.architecture), input \(ReportFormat.shape(target.inputShape)), checkpoint "
                            + "\(target.checkpoint), training hash ", target.trainingHash)),
            ("Training images", fact("\(count(target.trainImages)), SHA-256 ", target.trainSha256)),
            ("Attacker's aux images", fact("\(count(attack.auxImages)) from \(attack.auxSource), SHA-256 ", attack.auxSha256)),
            ("Analysis", fact("\(count(analysis.images)) images, \(analysis.classes) classes, "
                              + "\(analysis.labels.rawValue) labels; hash ", analysis.analysisHash)),
            ("Attack", fact("\(attack.attacker), defence \(attack.defense), \(attack.epochs) epochs, evaluated on "
                            + "\(count(attack.evaluatedImages)) images; hash ", attack.attackHash)),
        ]
        let content = [
            HTMLDocument.definitions(facts),
            "<h3>Zone candidates and rules</h3>",
            rulesTable(view),
            "<h3>Configuration</h3>",
            try ConfigList.html(view.results.config),
        ]
        return HTMLDocument.section("Provenance", id: "provenance", content.joined(separator: "\n"))
    }

    /// The zone's candidates: the share and raw R_c² at each, the share's relative drop into it, how often the
    /// bootstrap selected it, and the paper rule's selections.
    static func rulesTable(_ view: ScanReportView) -> String {
        let zone = view.results.zones.zone, paper = view.results.zones.paperRule
        var table = HTMLTable(headers: [
            .init(label: "candidate", numeric: false),
            .init(label: "intra share", help: "sum_c pi_c R_c^2 / tr Sigma, the verdict's criterion"),
            .init(label: "share drop into it", help: "relative drop (v_prev - v)/v_prev from the previous candidate"),
            .init(label: "selected by the share rule", help: "share of the bootstrap resamples selecting it"),
            .init(label: "mean R_c²"),
            .init(label: "paper rule (raw R_c²)", help: "the paper code's selections on raw R_c², over the same "
                  + "candidates; reported for comparison", numeric: false),
        ], className: "data rules")
        for (position, index) in zone.candidates.enumerated() {
            let drop = position > 0 ? ReportFormat.significant(zone.drops[position - 1], digits: 3) : ReportFormat.missing
            let paperRank = paper.selected.firstIndex(of: index).map { $0 == 0 ? "largest drop" : "second drop" } ?? ""
            let cells = [view.label(index), ReportFormat.significant(zone.values[position], digits: 3), drop,
                         ReportFormat.percent(zone.frequencies[position]),
                         ReportFormat.significant(view.split(index)?.r2cMean), paperRank].map(HTMLDocument.escape)
            table.add(cells, classes: index == zone.split ? ["zone"] : [])
        }
        let note = HTMLDocument.paragraph("Share rule: \(APrioriCriterion.intraClassShare.ruleDescription); "
            + "\(zone.replicates) Poisson-bootstrap resamples of the analysed images; clear when one candidate is "
            + "selected in at least \(ReportFormat.percent(zone.majority)) of them. Paper rule: "
            + paper.ruleDescription + ".", class: "note")
        return table.html + "\n" + note
    }

    /// The wall time of each stage in the run that finished the scan.
    static func runSection(_ view: ScanReportView) -> String {
        let timing = view.results.timing
        guard !timing.isEmpty else { return "" }
        var table = HTMLTable(headers: [.init(label: "stage", numeric: false), .init(label: "wall time")])
        for stage in timing.keys.sorted() {
            table.add([HTMLDocument.escape(stage), HTMLDocument.escape(ReportFormat.duration(timing[stage]))])
        }
        let note = HTMLDocument.paragraph("Wall time of each stage in the run that finished the scan; it is not part "
                                          + "of the reproducible result.", class: "note")
        return HTMLDocument.section("Run", id: "run", note + "\n" + table.html)
    }
}
