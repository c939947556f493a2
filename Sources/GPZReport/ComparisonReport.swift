import GPZScan
import Foundation
import GPZModels

/// The page of a plan with several studies (one-hot vs LS+ vs LS−, sub vs cross aux, with and without defences):
/// a table of their outcomes with links to each study's report, one figure per question the plan answers
/// (`questionFigures`), the Neural Vortex curves, and with a deployment sweep (`deploy.json` in the plan's
/// directory) leakage next to measured bytes and latency per split and encoding. Self-contained like `ScanReport`.
public enum ComparisonReport {
    /// One study of the plan: its name, its results, and the link to its report (relative to the comparison page).
    public typealias Study = (name: String, results: ScanResults, reportPath: String)

    /// The comparison page's HTML; `title` and `description` are plain text.
    public static func html(studies: [Study], worstCase: [PlanComparison.WorstCase] = [], title: String,
                            description: String, deployment: DeploySweep? = nil) -> String {
        var parts = ["<header><h1>\(HTMLDocument.escape(title))</h1></header>"]
        if !description.isEmpty { parts.append(HTMLDocument.paragraph(description)) }
        guard !studies.isEmpty else {
            parts.append(HTMLDocument.paragraph("The plan has no studies with results yet.", class: "note"))
            return HTMLDocument.page(title: title, body: parts.joined(separator: "\n"))
        }
        parts.append(HTMLDocument.section("Studies", id: "studies", table(studies)))
        let axis = SplitCategories(studies.map(\.results))
        var charts = questionFigures(studies, worstCase: worstCase, axis: axis)
        if let vortex = vortexChart(studies) {
            charts.append(HTMLDocument.figure(vortex.svg(), caption: "Neural Vortex: mean R_c² at each study's last "
                                              + "split after every training epoch (log scale)."))
        }
        parts.append(HTMLDocument.section("Across splits", id: "charts", charts.joined(separator: "\n")))
        if let deployment {
            parts.append(DeploymentSection.html(deployment, studies: studies.map { ($0.name, $0.results) }))
        }
        return HTMLDocument.page(title: title, body: parts.joined(separator: "\n"))
    }

    /// Writes the comparison page to `url` (atomically) and returns it.
    @discardableResult
    public static func write(studies: [Study], worstCase: [PlanComparison.WorstCase] = [], title: String,
                             description: String, deployment: DeploySweep? = nil, to url: URL) throws -> URL {
        try html(studies: studies, worstCase: worstCase, title: title, description: description,
                 deployment: deployment)
            .write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    static func table(_ studies: [Study]) -> String {
        var table = HTMLTable(headers: [
            .init(label: "study", numeric: false), .init(label: "labels", numeric: false),
            .init(label: "aux", numeric: false), .init(label: "attacker", numeric: false),
            .init(label: "defence", numeric: false), .init(label: "test accuracy"),
            .init(label: "a-priori zone", help: "the share rule's split and how often the bootstrap selects it",
                  numeric: false),
            .init(label: "post-hoc boundary", help: "first candidate from which every deeper candidate's leakage is "
                  + "at most the threshold", numeric: false),
            .init(label: "resistance", help: "1 - MSE(feature split) / MSE(zone split)"),
            .init(label: "recommendation", numeric: false), .init(label: "report", numeric: false),
        ])
        for study in studies {
            let results = study.results
            let view = ScanReportView(results: results)
            let link = "<a href=\"\(HTMLDocument.escape(study.reportPath))\">report</a>"
            let cells = [
                study.name, results.config.target.labels.description, results.attack.auxSource, results.attack.attacker,
                results.attack.defense, ReportFormat.percent(results.target.testAccuracy),
                view.label(results.zones.zone.split) + " (\(ReportFormat.percent(results.zones.zone.frequency)))",
                view.label(results.zones.leakage?.boundary),
                ReportFormat.percent(results.headline.verdict?.zonePair?.resistance),
                ScanReport.recommendationLabel(view),
            ].map(HTMLDocument.escape)
            table.add(["<strong>\(cells[0])</strong>"] + cells.dropFirst() + [link])
        }
        return table.html
    }

    static func perSplitChart(_ studies: [Study], axis: SplitCategories, mse: Bool) -> SVGChart {
        var chart = SVGChart(title: mse ? "Reconstruction MSE per split and study" : "Mean R_c² per split and study",
                             xAxis: .categories(axis.labels), xLabel: "split",
                             left: mse ? .init(label: "reconstruction MSE", includeZero: true)
                                 : .init(label: "mean R_c² (log)", kind: .log))
        chart.series = studies.enumerated().map { n, study in
            let points = study.results.splits.compactMap { split -> SVGChart.Point? in
                guard let position = axis.position(split.index) else { return nil }
                let value = mse ? split.mse : split.r2cMean
                return .init(x: Double(position), y: value, tooltip: "\(study.name), \(split.name): "
                             + "\(mse ? "MSE" : "mean R_c²") \(ReportFormat.significant(value))")
            }
            return style(.init(name: study.name, points: points, color: ""), n)
        }
        let baselines = Set(studies.map { $0.results.baselines?.classMeanMSE })
        if mse, baselines.count == 1, let first = studies.first {
            chart.rules = ScanReportView(results: first.results).mseRules
        }
        return chart
    }

    /// Mean R_c² at each study's last split per epoch; nil when no study recorded per-epoch statistics.
    static func vortexChart(_ studies: [Study]) -> SVGChart? {
        let recorded = studies.enumerated().filter { $0.element.results.perEpoch?.isEmpty == false }
        guard !recorded.isEmpty else { return nil }
        let epochs = Set(recorded.flatMap { $0.element.results.perEpoch!.map(\.epoch) }).sorted()
        var chart = SVGChart(title: "Mean R_c² at the last split per epoch", xAxis: .categories(epochs.map(String.init)),
                             xLabel: "epoch", left: .init(label: "mean R_c² (log)", kind: .log))
        chart.height = 320
        chart.series = recorded.map { n, study in
            let points = study.results.perEpoch!.compactMap { epoch -> SVGChart.Point? in
                guard let column = epochs.firstIndex(of: epoch.epoch), let value = epoch.r2cMean.last else { return nil }
                return .init(x: Double(column), y: value,
                             tooltip: "\(study.name), epoch \(epoch.epoch): \(ReportFormat.significant(value))")
            }
            let last = study.results.splits.last.map { " (\($0.name))" } ?? ""
            return style(.init(name: study.name + last, points: points, color: ""), n)
        }
        return chart
    }

    /// The n-th study's colour, marker and dash, so that studies differ by more than colour.
    static func style(_ series: SVGChart.Series, _ n: Int) -> SVGChart.Series {
        let markers: [SVGChart.Marker] = [.circle, .square, .triangle, .diamond]
        let lines: [SVGChart.Line] = [.solid, .dashed, .dotted]
        var styled = series
        styled.color = ReportStyle.cycle[n % ReportStyle.cycle.count]
        styled.marker = markers[n % markers.count]
        styled.line = lines[n % lines.count]
        return styled
    }
}

/// The x axis shared by studies that may have different splits: every split index any study has, in order,
/// labelled by its name (or by its index where the studies name it differently).
struct SplitCategories {
    let indices: [Int]
    let labels: [String]

    init(_ results: [ScanResults]) {
        var names: [Int: Set<String>] = [:]
        for split in results.flatMap(\.splits) { names[split.index, default: []].insert(split.name) }
        indices = names.keys.sorted()
        labels = indices.map { names[$0]!.count == 1 ? names[$0]!.first! : "#\($0)" }
    }

    func position(_ index: Int) -> Int? {
        indices.firstIndex(of: index)
    }
}
