import GPZAnalysis
import GPZAttacks
import GPZScan

extension ScanReport {
    /// What the verdict at each attacked split rests on: the runs, whether they converged, re-identification, and
    /// leakage against the attacker's data at the splits where the budget ladder ran.
    static func evidenceSection(_ view: ScanReportView) -> String? {
        guard let leakage = view.results.zones.leakage else { return nil }
        var table = HTMLTable(headers: [
            .init(label: "split", numeric: false),
            .init(label: "runs", help: "attack runs here: decoder seeds, budget rungs and training stages"),
            .init(label: "converged", help: "every learned run of the last training stage stopped on a validation "
                  + "plateau (early stopping); a run cut at its epoch maximum was still improving", numeric: false),
            .init(label: "epochs", help: "epochs trained by the first run (+: cut at the maximum, not converged)"),
            .init(label: "re-id (embedding)", help: "top-1 re-identification of the first run's reconstructions among "
                  + "\(AttackStudy.reidentificationCandidates) same-class private images, in the attacker's PCA "
                  + "embedding, with its 95 % Wilson interval; chance is 1/K"),
            .init(label: "re-id (SSIM)", help: "the same by SSIM"),
            .init(label: "verdict", numeric: false),
        ])
        let results = Dictionary(view.splits.compactMap { split in split.attack.map { (split.index, $0) } },
                                 uniquingKeysWith: { a, _ in a })
        for split in leakage.splits {
            let first = results[split.index]
            let epochs = first?.training.map { "\($0.epochs)" + ($0.converged ? "" : "+") } ?? ReportFormat.missing
            table.add([HTMLDocument.escape(view.label(split.index)), "\(split.runs.count)",
                       split.runs.contains { $0.converged != nil } ? (split.converged ? "yes" : "no") : "n/a",
                       epochs, reidentificationText(first?.reidentification?.embedding),
                       reidentificationText(first?.reidentification?.ssim),
                       HTMLDocument.escape(String(verdictText(split).dropFirst(2)))])
        }
        let curves = leakage.splits.filter { $0.budgetCurve.count >= 2 }
        let chart = curves.isEmpty ? "" : HTMLDocument.figure(budgetChart(curves, view: view).svg(),
            caption: "Leakage against the attacker's data at the splits the first attack left open: each point a run "
                + "trained to convergence on that share of the aux images (seed \(curves[0].budgetCurve[0].seed)). "
                + "A split may protect only when the last doubling raised leakage by less than its uncertainty; a "
                + "rising curve is unsettled.")
        let floor = view.results.baselines?.labelOnlyReidentification.map {
            "<p class=\"note\">The label-only reconstruction (the attacker's aux class means under the cloud's "
                + "predicted label) re-identifies " + reidentificationText($0.embedding) + " in the embedding and "
                + reidentificationText($0.ssim) + " by SSIM: a run re-identifies only where its interval lies above "
                + "that rate and above chance.</p>"
        } ?? ""
        return HTMLDocument.section("Attack evidence", id: "evidence", table.html + "\n" + floor + chart)
    }

    /// "0.31 [0.27, 0.35]" or a dash.
    static func reidentificationText(_ result: Reidentification.Result?) -> String {
        guard let result else { return ReportFormat.missing }
        return ReportFormat.significant(result.rate, digits: 2) + " [" + ReportFormat.significant(result.lower, digits: 2)
            + ", " + ReportFormat.significant(result.upper, digits: 2) + "]"
    }

    static func budgetChart(_ splits: [SplitLeakage], view: ScanReportView) -> SVGChart {
        let auxImages = Double(view.results.attack.auxImages - view.results.attack.validationImages)
        var chart = SVGChart(title: "Leakage against the attacker's data", xAxis: .numeric(.log),
                             xLabel: "aux images trained on", left: .init(label: "leakage L", includeZero: true))
        chart.height = 300
        chart.series = splits.enumerated().map { position, split in
            .init(name: split.name, points: split.budgetCurve.map { point in
                .init(x: (point.budget * auxImages).rounded(), y: point.leakage,
                      tooltip: "\(split.name): \(ReportFormat.percent(point.budget)) of the aux data, L "
                          + ReportFormat.significant(point.leakage, digits: 3))
            }, color: ReportStyle.cycle[position % ReportStyle.cycle.count])
        }
        chart.rules = [.init(y: view.results.config.leakageThreshold, color: ReportStyle.ink,
                             label: "τ = \(ReportFormat.compact(view.results.config.leakageThreshold))")]
        return chart
    }
}
