import GPZModels
import GPZScan
import GPZTensor

/// The report's "Deployment" section: for every split and encoding a sweep measured (`DeploySweep`), what it
/// leaks, what it costs in accuracy, bytes and edge MACs, and its measured end-to-end latency on each emulated
/// link, side by side; and a chart of leakage against latency per link.
///
/// Leakage is joined by split index and by encoding: the worst case (highest leakage) over the studies whose
/// attack observed Z in that encoding (`attack.encoding`) and attacked the checkpoint the sweep measured. An
/// encoding no study attacked shows a dash, never another encoding's leakage.
enum DeploymentSection {
    /// The leakage a split leaks in one encoding: the worst case over the studies that attacked it so.
    struct Leak {
        var leakage: Double
        var leakageSD: Double?
        var attacker: String
        var study: String
    }

    static func html(_ sweep: DeploySweep, studies: [(name: String, results: ScanResults)]) -> String {
        let measured = studies.filter { sweep.measured($0.results) }
        var parts = [HTMLDocument.paragraph(intro(sweep, studies: studies.count, measured: measured.count))]
        guard !sweep.runs.isEmpty else {
            parts.append(HTMLDocument.paragraph("The sweep has no runs.", class: "note"))
            return HTMLDocument.section("Deployment", id: "deployment", parts.joined(separator: "\n"))
        }
        let leaks = worstLeakage(measured)
        parts.append(table(sweep, leaks: leaks, costs: edgeMacs(measured)))
        if !leaks.isEmpty {
            let threshold = measured.first?.results.config.leakageThreshold
            parts.append(HTMLDocument.figure(chart(sweep, leaks: leaks, threshold: threshold).svg(), caption: "Leakage (worst case over the "
                + "attacks of that encoding) against the measured end-to-end latency per request, one series per link "
                + "and encoding. A point low and to the left is a split that is both private and fast to reach; "
                + "the dashed line is the leakage threshold."))
        }
        return HTMLDocument.section("Deployment", id: "deployment", parts.joined(separator: "\n"))
    }

    static func intro(_ sweep: DeploySweep, studies: Int, measured: Int) -> String {
        var text = "Measured \(sweep.date) with scripts/netem-sweep.sh (\(sweep.emulation)): the checkpoint "
            + "\(sweep.checkpoint) served by gpz serve at each split and called by gpz edge on the first "
            + "\(ReportFormat.integer(sweep.limit)) private images, one request per image, over "
            + sweep.links.map { "\($0.rate) with \(ReportFormat.compact($0.delayMs)) ms each way" }
                .joined(separator: ", ") + "."
        if measured < studies {
            text += measured == 0
                ? " No study here attacked this checkpoint, so no leakage is shown."
                : " Leakage comes from the \(measured) of \(studies) studies that attacked this checkpoint."
        }
        return text
    }

    /// Worst-case leakage by split index and encoding over `studies`.
    static func worstLeakage(_ studies: [(name: String, results: ScanResults)]) -> [Int: [WireEncoding: Leak]] {
        var leaks: [Int: [WireEncoding: Leak]] = [:]
        for (name, results) in studies {
            let encoding = results.config.attack.encoding
            for split in results.splits {
                guard let leakage = split.leakage else { continue }
                if let known = leaks[split.index]?[encoding], known.leakage >= leakage.leakage { continue }
                leaks[split.index, default: [:]][encoding] = Leak(leakage: leakage.leakage, leakageSD: leakage.leakageSD,
                                                                  attacker: leakage.attacker, study: name)
            }
        }
        return leaks
    }

    static func edgeMacs(_ studies: [(name: String, results: ScanResults)]) -> [Int: Int] {
        var macs: [Int: Int] = [:]
        for split in studies.flatMap(\.results.splits) { macs[split.index] = split.edgeMacs }
        return macs
    }

    /// One row per split and encoding (and compression), the latency of each link in its own column.
    static func table(_ sweep: DeploySweep, leaks: [Int: [WireEncoding: Leak]], costs: [Int: Int]) -> String {
        var headers: [HTMLTable.Header] = [
            .init(label: "split", numeric: false), .init(label: "encoding", numeric: false),
            .init(label: "leakage", help: "worst case over the attacks that observed Z in this encoding: "
                  + "max(0, 1 − MSE / MSE_class-mean), mean ± sd over decoder seeds"),
            .init(label: "accuracy served", help: "top-1 accuracy of the served answers"),
            .init(label: "FP32 in process", help: "the whole model in process: what the split itself costs"),
            .init(label: "request bytes / sample", help: "the request body as sent: JSON header, binary Z, compressed"),
            .init(label: "edge MACs", help: "multiply-accumulates the edge runs per image (analytic)"),
            .init(label: "edge ms", help: "edge compute per request, mean over the links"),
            .init(label: "cloud ms", help: "cloud compute per request, mean over the links"),
        ]
        headers += sweep.links.map {
            .init(label: "\($0.name) ms", help: "end to end per request on this link: mean (p99)")
        }
        var table = HTMLTable(headers: headers)
        let groups = Dictionary(grouping: sweep.runs) { RowKey(split: $0.splitIndex, encoding: $0.encoding,
                                                               compression: $0.compression) }
        for key in groups.keys.sorted() {
            let runs = groups[key]!
            let first = runs[0]
            let leak = leaks[key.split]?[key.encoding]
            let leakText = leak.map {
                ReportFormat.compact($0.leakage, digits: 2)
                    + ($0.leakageSD.map { " ± \(ReportFormat.compact($0, digits: 2))" } ?? "")
            } ?? ReportFormat.missing
            let latency = sweep.links.map { link -> String in
                guard let run = runs.first(where: { $0.link == link.name }) else { return ReportFormat.missing }
                return "\(ReportFormat.milliseconds(run.endToEndMs)) (\(ReportFormat.milliseconds(run.endToEndP99Ms)))"
            }
            let cells = [
                "\(first.split) (\(first.splitIndex))", first.encodingLabel, leakText,
                ReportFormat.percent(first.accuracy), ReportFormat.percent(first.inProcessAccuracy),
                ReportFormat.integer(Int(first.requestBytesPerSample.rounded())), ReportFormat.count(costs[key.split]),
                ReportFormat.milliseconds(mean(runs.map(\.edgeMs))),
                ReportFormat.milliseconds(mean(runs.map(\.cloudMs))),
            ] + latency
            table.add(cells.map(HTMLDocument.escape))
        }
        return table.html
    }

    static func chart(_ sweep: DeploySweep, leaks: [Int: [WireEncoding: Leak]], threshold: Double?) -> SVGChart {
        var chart = SVGChart(title: "Leakage versus measured end-to-end latency", xAxis: .numeric(.log),
                             xLabel: "end-to-end latency per request (ms, log)",
                             left: .init(label: "leakage (worst case)", includeZero: true, domain: 0...1))
        chart.xTick = ReportFormat.logTick
        if let threshold {
            chart.rules = [.init(y: threshold, color: ReportStyle.ink,
                                 label: "leakage threshold \(ReportFormat.compact(threshold))")]
        }
        let markers: [WireEncoding: SVGChart.Marker] = [.fp32: .circle, .fp16: .square, .int8: .triangle]
        for (n, link) in sweep.links.enumerated() {
            for encoding in WireEncoding.allCases {
                let points = sweep.runs.filter { $0.link == link.name && $0.encoding == encoding }.compactMap {
                    run -> SVGChart.Point? in
                    guard let leak = leaks[run.splitIndex]?[encoding] else { return nil }
                    return .init(x: run.endToEndMs, y: leak.leakage,
                                 label: encoding == .fp32 && n == 0 ? run.split : nil,
                                 tooltip: "\(run.split), \(run.encodingLabel), \(link.name): "
                                     + "\(ReportFormat.milliseconds(run.endToEndMs)) ms, leakage "
                                     + "\(ReportFormat.compact(leak.leakage, digits: 2)) (\(leak.attacker), "
                                     + "\(leak.study))")
                }
                guard !points.isEmpty else { continue }
                chart.series.append(.init(name: "\(link.name), \(encoding.rawValue)", points: points,
                                          color: ReportStyle.cycle[n % ReportStyle.cycle.count], line: .none,
                                          marker: markers[encoding] ?? .circle))
            }
        }
        return chart
    }

    static func mean(_ values: [Double]) -> Double {
        values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
    }

    /// A table row: split, then encoding in FP32, FP16, INT8 order, uncompressed first.
    struct RowKey: Hashable, Comparable {
        var split: Int
        var encoding: WireEncoding
        var compression: String?

        static func < (a: RowKey, b: RowKey) -> Bool {
            let order = WireEncoding.allCases
            let left = (a.split, order.firstIndex(of: a.encoding)!, a.compression ?? "")
            let right = (b.split, order.firstIndex(of: b.encoding)!, b.compression ?? "")
            return left < right
        }
    }
}
