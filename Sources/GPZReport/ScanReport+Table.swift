import GPZAnalysis
import GPZScan

extension ScanReport {
    /// One row per split: what is sent, what the edge pays, the statistics and the attack's metrics. Rows in the
    /// a-priori zone are shaded and the recommended row is bold.
    static func splitTable(_ view: ScanReportView) -> String {
        let showDefense = view.splits.contains { $0.accuracyWithDefense != nil }
        typealias H = HTMLTable.Header
        var headers = [
            H(label: "#", help: "split index (the paper's block_idx)"),
            H(label: "split", numeric: false),
            H(label: "shape", help: "per-image shape of the features sent", numeric: false),
            H(label: "d", help: "values sent per image"),
            H(label: "bytes", help: "bytes sent per image"),
            H(label: "edge params", help: "parameters of the edge half"),
            H(label: "edge MACs", help: "multiply-accumulates of the edge half per image"),
            H(label: "R_c² mean", help: "mean over classes of the intra-class radius R_c²"),
            H(label: "intra share", help: "sum_c pi_c R_c^2 / tr Sigma: share of the variance inside classes"),
            H(label: "σ²", help: "tr Sigma / d: global variance per dimension"),
            H(label: "MSE ± sd", help: "reconstruction MSE on the private images: mean over decoder seeds ± sd over "
              + "seeds where several ran, else ± sd over images"),
            H(label: "leakage", help: "L = max(0, 1 - MSE/MSE_class-mean) of the best decoder over seeds (± sd over "
              + "seeds); protects when neither it nor a deeper split's exceeds the threshold and the attack beat "
              + "the label-only floor"),
            H(label: "PSNR (dB)"),
            H(label: "SSIM"),
            H(label: "cosine", help: "cosine similarity of reconstruction and image"),
            H(label: "MSE (channel-summed, paper code)", help: "C × MSE, the value the paper's code reports"),
        ]
        if showDefense {
            headers.append(H(label: "accuracy with defence", help: "cloud accuracy on the features as sent"))
        }
        var table = HTMLTable(headers: headers)
        let zone = view.aprioriRange
        let recommended = view.results.recommendation.split
        let f = ReportFormat.self
        for split in view.splits {
            var name = HTMLDocument.escape(split.name)
            var classes: [String] = []
            if zone.contains(split.index) { classes.append("zone") }
            if split.index == recommended {
                name += " <span class=\"star\" title=\"recommended split\">★</span>"
                classes.append("recommended")
            }
            let std = split.mseStd.map { " ± " + f.significant($0, digits: 2) } ?? ""
            let mse = split.mse.map { f.significant($0) + std }
            var cells = [
                String(split.index), name, f.shape(split.shape), f.integer(split.d), f.bytes(split.bytes),
                f.count(split.edgeParams), edgeCostText(split), f.significant(split.r2cMean),
                f.significant(split.intraShare, digits: 3), f.significant(split.sigma2), mse ?? f.missing,
                leakageText(split),
                f.significant(split.psnr), f.significant(split.ssim, digits: 3), f.significant(split.cosine, digits: 3),
                f.significant(split.mseSumChannels),
            ].enumerated().map { $0.offset == 1 ? $0.element : HTMLDocument.escape($0.element) }
            if showDefense { cells.append(HTMLDocument.escape(f.percent(split.accuracyWithDefense))) }
            table.add(cells, classes: classes)
        }
        let legend = "<p class=\"note\">Candidates of the zone are the block-level splits; the logits are attacked "
            + "but cutting there is no partition.</p>" + "<p class=\"note\"><span class=\"legend-key\" style=\"background:#fcf1d9\"></span>a-priori zone "
            + "(share rule); <span class=\"star\">★</span> bold: the recommended split. Attack columns are empty at "
            + "splits that were not attacked; hover over a column header for its definition.</p>"
        let macsNote = view.splits.contains { $0.cost.macsDerived == false }
            ? "<p class=\"note\">Edge MACs marked ≥ are lower bounds: the exported model has an operation whose "
              + "MACs could not be derived, so the edge time per image was measured on this machine instead.</p>" : ""
        return HTMLDocument.section("Splits", id: "splits", table.html + "\n" + legend + macsNote)
    }

    /// The edge MACs, or where they could not all be derived a lower bound with the measured edge time.
    private static func edgeCostText(_ split: ScanSplit) -> String {
        let macs = ReportFormat.count(split.edgeMacs)
        guard split.cost.macsDerived == false else { return macs }
        let latency = split.cost.edgeLatencySeconds.map { String(format: ", %.3g ms measured", $0 * 1000) } ?? ""
        return "≥ " + macs + latency
    }

    /// "0.62 ± 0.01 (3 runs), leaks" (the best decoder's leakage, its spread over the full-budget runs, and the
    /// verdict with the deeper splits), or a dash.
    static func leakageText(_ split: ScanSplit) -> String {
        guard let leakage = split.leakage else { return ReportFormat.missing }
        let spread = leakage.leakageSD.map { " ± " + ReportFormat.significant($0, digits: 2) } ?? ""
        let runs = leakage.mse.count > 1 ? " (\(leakage.mse.count) runs)" : ""
        return ReportFormat.significant(leakage.leakage, digits: 3) + spread + runs + verdictText(leakage)
    }

    /// ", protects", ", inconclusive (why)", or ", leaks" with what shows it (a deeper split's attack,
    /// re-identification of the originals).
    static func verdictText(_ leakage: SplitLeakage) -> String {
        if leakage.protects { return ", protects" }
        if leakage.inconclusive { return ", inconclusive (" + leakage.open.map(\.text).joined(separator: "; ") + ")" }
        let reidentification = leakage.reidentifies == true ? "re-identifies its originals"
            : leakage.reidentifiesUpper ? "a deeper split re-identifies its originals" : nil
        let shown = [leakage.weakerThanDeeper ? "as a deeper split does" : nil, reidentification].compactMap { $0 }
        return ", leaks" + (shown.isEmpty ? "" : " (" + shown.joined(separator: "; ") + ")")
    }
}
