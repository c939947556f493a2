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
            "<h3>A-priori rules</h3>",
            rulesTable(view),
            "<h3>Configuration</h3>",
            try ConfigList.html(view.results.config),
        ]
        return HTMLDocument.section("Provenance", id: "provenance", content.joined(separator: "\n"))
    }

    /// Every a-priori rule: its zone, the drop that chose it, its agreement with the attack and its description.
    static func rulesTable(_ view: ScanReportView) -> String {
        let zones = [view.results.gpz.apriori] + view.results.gpz.aprioriVariants
        var table = HTMLTable(headers: [
            .init(label: "rule", numeric: false), .init(label: "zone", numeric: false),
            .init(label: "largest drop", help: "relative drop (R_prev - R_cur)/R_prev of the rule's statistic",
                  numeric: false),
            .init(label: "agreement with the attack", numeric: false), .init(label: "description", numeric: false),
        ], className: "data rules")
        for (position, zone) in zones.enumerated() {
            let range = (zone.range.first ?? zone.first)...(zone.range.last ?? zone.first)
            var drop = ReportFormat.missing
            if zone.largestGap + 1 < zone.candidates.count, zone.largestGap < zone.drops.count {
                drop = "\(zone.candidates[zone.largestGap]) → \(zone.candidates[zone.largestGap + 1]): "
                    + ReportFormat.significant(zone.drops[zone.largestGap], digits: 3)
            }
            let agreement = position < view.results.gpz.agreement.count
                ? agreementText(view.results.gpz.agreement[position]) : "not compared"
            let cells = [zone.rule, view.rangeText(range), drop, agreement, zone.ruleDescription]
                .map(HTMLDocument.escape)
            table.add(["<code>\(cells[0])</code>"] + cells.dropFirst())
        }
        return table.html
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
