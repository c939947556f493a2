import GPZScan
import GPZAnalysis

/// The comparison page's figures, one per question a plan of studies on one architecture answers (the deep
/// presets' questions, docs/reproducing-the-paper.md §7):
/// 1. where leakage reaches the class-prior baseline, against depth and edge cost;
/// 2. whether the a-priori locator finds that split, and how stably;
/// 3. MSE per split, whose ratios the paper quotes;
/// 4. what LS+ does to R_c² (read with figure 1 for what it does to leakage);
/// 5. the resistance of decision-level over feature-level features, per attacker, with its seed range.
extension ComparisonReport {
    static func questionFigures(_ studies: [Study], worstCase: [PlanComparison.WorstCase],
                                axis: SplitCategories) -> [String] {
        let units = "Our MSE is the per-pixel mean over the image's channels; the paper's channel-summed MSE is C "
            + "times it (the same for grey images)."
        let ratios = studies.compactMap { study -> String? in
            guard let verdict = study.results.headline.verdict, let ratio = verdict.zoneOverShallowest else { return nil }
            let view = ScanReportView(results: study.results)
            return "\(study.name): \(ReportFormat.significant(ratio))× (\(view.label(study.results.zones.zone.split)) "
                + "over \(view.label(verdict.shallowest)))"
        }
        let ratioText = ratios.isEmpty ? "" : " MSE at the a-priori zone over MSE at the shallowest attacked split: "
            + ratios.joined(separator: "; ") + "."
        return [
            HTMLDocument.figure(leakageChart(studies, worstCase: worstCase, axis: axis).svg(), caption: "1. Is there "
                + "a split before the head that leaks no more than the class label? Leakage per split, one line per "
                + "study, and the worst case over the attackers of one target (black): 0 is the class-mean image, 1 a "
                + "perfect reconstruction. Dotted, right axis: the edge's share of the model's MACs. Shaded: from the "
                + "worst-case boundary to the last candidate."),
            HTMLDocument.figure(locatorChart(studies, worstCase: worstCase, axis: axis).svg(), caption: "2. Does the "
                + "a-priori locator find it? The share of the bootstrap resamples that select each candidate (left), "
                + "and the intra-class share of the variance the rule reads (right, dashed), per target. "
                + locatorText(studies, worstCase: worstCase)),
            HTMLDocument.figure(perSplitChart(studies, axis: axis, mse: true).svg(), caption: "3. How much more MSE "
                + "past the transition? Reconstruction MSE per split, one line per study (higher is more private). "
                + units + ratioText),
            HTMLDocument.figure(perSplitChart(studies, axis: axis, mse: false).svg(), caption: "4. What does label "
                + "smoothing change? Mean intra-class radius R_c² per split, one line per study (log scale); read with "
                + "figure 1, which shows whether a smaller R_c² also means less leakage at the same split."),
            HTMLDocument.figure(resistanceChart(studies).svg(), caption: "5. How much stronger is the resistance of "
                + "decision-level features? 1 − MSE(feature split) / MSE(decision split) per study, for the a-priori "
                + "zone's pair and for the post-hoc boundary's pair, as the paper computes its 66 %; the vertical "
                + "bars span the decoder-seed range (MSE ± one standard deviation at both splits)."),
        ]
    }

    static func leakageChart(_ studies: [Study], worstCase: [PlanComparison.WorstCase],
                             axis: SplitCategories) -> SVGChart {
        var chart = SVGChart(title: "Leakage per split and study", xAxis: .categories(axis.labels), xLabel: "split",
                             left: .init(label: "leakage (0: class prior, 1: perfect)", includeZero: true),
                             right: .init(label: "edge MACs (% of the model)", includeZero: true, color: ReportStyle.grey))
        chart.series = studies.enumerated().map { n, study in
            let points = study.results.splits.compactMap { split -> SVGChart.Point? in
                guard let position = axis.position(split.index), let leakage = split.leakage else { return nil }
                return .init(x: Double(position), y: leakage.leakage, tooltip: "\(study.name), \(split.name): "
                             + "leakage \(ReportFormat.significant(leakage.leakage)) ± "
                             + ReportFormat.significant(leakage.leakageSD ?? 0, digits: 2))
            }
            return style(.init(name: study.name, points: points, color: ""), n)
        }
        for group in worstCase {
            let points = group.leakage.splits.compactMap { split -> SVGChart.Point? in
                axis.position(split.index).map {
                    .init(x: Double($0), y: split.leakage, tooltip: "worst case, \(split.name): leakage "
                          + "\(ReportFormat.significant(split.leakage)) (\(split.attacker))")
                }
            }
            chart.series.append(.init(name: "worst case (\(group.studies.joined(separator: ", ")))", points: points,
                                      color: ReportStyle.ink, marker: .ring, markerSize: 7))
        }
        if let first = studies.first {
            let splits = first.results.splits
            let total = Double(splits.last?.cost.edgeMACs ?? 0)
            if total > 0 {
                chart.series.append(.init(name: "edge MACs (\(first.name))", points: splits.compactMap { split in
                    axis.position(split.index).map {
                        .init(x: Double($0), y: 100 * Double(split.cost.edgeMACs) / total,
                              tooltip: "\(split.name): \(ReportFormat.count(split.cost.edgeMACs)) edge MACs")
                    }
                }, color: ReportStyle.grey, side: .right, line: .dotted, marker: .none))
            }
            chart.rules = [.init(y: first.results.config.leakageThreshold, color: ReportStyle.vermillion,
                                 label: "leakage threshold \(ReportFormat.compact(first.results.config.leakageThreshold))")]
        }
        chart.bands = boundaryBands(studies, worstCase: worstCase, axis: axis)
        return chart
    }

    static func locatorChart(_ studies: [Study], worstCase: [PlanComparison.WorstCase],
                             axis: SplitCategories) -> SVGChart {
        var chart = SVGChart(title: "Bootstrap selection and intra-class share per split", xAxis: .categories(axis.labels),
                             xLabel: "split", left: .init(label: "resamples selecting the split (%)", includeZero: true),
                             right: .init(label: "intra-class share of the variance", includeZero: true))
        for (n, study) in targets(studies).enumerated() {
            let zone = study.results.zones.zone
            let selected = zip(zone.candidates, zone.frequencies).compactMap { index, frequency -> SVGChart.Point? in
                axis.position(index).map {
                    .init(x: Double($0), y: 100 * frequency, tooltip: "\(study.name): \(ReportFormat.percent(frequency)) "
                          + "of \(zone.replicates) resamples select split \(index)")
                }
            }
            let share = study.results.splits.compactMap { split -> SVGChart.Point? in
                axis.position(split.index).map {
                    .init(x: Double($0), y: split.intraShare, tooltip: "\(study.name), \(split.name): intra-class "
                          + "share \(ReportFormat.significant(split.intraShare))")
                }
            }
            chart.series.append(style(.init(name: "selected (\(study.name))", points: selected, color: ""), n))
            var shareSeries = style(.init(name: "intra-class share (\(study.name))", points: share, color: ""), n)
            shareSeries.side = .right
            shareSeries.line = .dashed
            shareSeries.marker = .none
            chart.series.append(shareSeries)
        }
        chart.bands = boundaryBands(studies, worstCase: worstCase, axis: axis)
        return chart
    }

    /// "the share rule selects conv5_1.relu in 100 % of 30 resamples, 1 candidate position after the worst-case
    /// boundary pool4" for each target.
    static func locatorText(_ studies: [Study], worstCase: [PlanComparison.WorstCase]) -> String {
        targets(studies).map { study in
            let zone = study.results.zones.zone
            let view = ScanReportView(results: study.results)
            var text = "\(study.name): the share rule selects \(view.label(zone.split)) in "
                + "\(ReportFormat.percent(zone.frequency)) of \(zone.replicates) resamples"
            let boundary = worstCase.first { $0.trainingHash == study.results.target.trainingHash }?.leakage.boundary
                ?? study.results.zones.leakage?.boundary
            if let boundary, let from = zone.candidates.firstIndex(of: boundary),
               let to = zone.candidates.firstIndex(of: zone.split) {
                let positions = to - from
                text += ", \(abs(positions)) candidate position\(abs(positions) == 1 ? "" : "s") "
                    + "\(positions >= 0 ? "after" : "before") the post-hoc boundary \(view.label(boundary))"
            } else {
                text += "; no post-hoc boundary among the candidates"
            }
            return text + "."
        }.joined(separator: " ")
    }

    static func resistanceChart(_ studies: [Study]) -> SVGChart {
        var chart = SVGChart(title: "Resistance per study", xAxis: .categories(studies.map(\.name)), xLabel: "study",
                             left: .init(label: "resistance (%)", includeZero: true))
        chart.height = 320
        let pairs: [(String, (VerdictHeadline) -> SplitPair?)] = [("a-priori zone pair", \.zonePair),
                                                                    ("post-hoc boundary pair", \.boundaryPair)]
        for (n, (label, pair)) in pairs.enumerated() {
            var points: [SVGChart.Point] = []
            for (column, study) in studies.enumerated() {
                guard let verdict = study.results.headline.verdict, let pair = pair(verdict),
                      let resistance = pair.resistance else { continue }
                let x = Double(column) + (n == 0 ? -0.12 : 0.12)
                points.append(.init(x: x, y: 100 * resistance, tooltip: "\(study.name), \(label): "
                                    + "\(pair.featureName) → \(pair.decisionName), MSE \(ReportFormat.significant(pair.mseFeature)) "
                                    + "→ \(ReportFormat.significant(pair.mseDecision)): \(ReportFormat.percent(resistance))"))
                if let range = seedRange(pair, study.results) {
                    chart.series.append(.init(name: "", points: [.init(x: x, y: 100 * range.lowerBound),
                                                                 .init(x: x, y: 100 * range.upperBound)],
                                              color: ReportStyle.cycle[n], marker: .none, inLegend: false))
                }
            }
            var markers = style(.init(name: label, points: points, color: ""), n)
            markers.line = .none
            chart.series.append(markers)
        }
        return chart
    }

    /// The resistance with each split's MSE moved by one decoder-seed standard deviation towards the other
    /// extreme; nil when neither split was replicated.
    static func seedRange(_ pair: SplitPair, _ results: ScanResults) -> ClosedRange<Double>? {
        func sd(_ index: Int) -> Double? { results.splits.first { $0.index == index }?.leakage?.mseSD }
        let feature = sd(pair.feature), decision = sd(pair.decision)
        guard feature != nil || decision != nil else { return nil }
        let f = (pair.mseFeature - (feature ?? 0), pair.mseFeature + (feature ?? 0))
        let d = (pair.mseDecision - (decision ?? 0), pair.mseDecision + (decision ?? 0))
        guard d.0 > 0 else { return nil }
        let low = 1 - f.1 / d.0, high = 1 - max(0, f.0) / d.1
        return min(low, high)...max(low, high)
    }

    /// One study per target (the first that used it), for what depends on the target alone.
    static func targets(_ studies: [Study]) -> [Study] {
        var seen = Set<String>()
        return studies.filter { seen.insert($0.results.target.trainingHash).inserted }
    }

    /// The post-hoc zone of each worst case (or, without one, of the first study): boundary to last candidate.
    static func boundaryBands(_ studies: [Study], worstCase: [PlanComparison.WorstCase],
                              axis: SplitCategories) -> [SVGChart.Band] {
        var ranges: [(boundary: Int, last: Int?, label: String)] = worstCase.compactMap { group in
            group.leakage.boundary.map { ($0, group.leakage.splits.last { $0.candidate }?.index, "worst case") }
        }
        if ranges.isEmpty, let first = studies.first, let leakage = first.results.zones.leakage, let boundary = leakage.boundary {
            ranges = [(boundary, leakage.splits.last { $0.candidate }?.index, first.name)]
        }
        return ranges.compactMap { range in
            guard let from = axis.position(range.boundary) else { return nil }
            let to = range.last.flatMap(axis.position) ?? from
            return .init(from: Double(from) - 0.5, to: Double(max(from, to)) + 0.5, color: ReportStyle.posthocZone,
                         label: "post-hoc zone (\(range.label)): from \(axis.labels[from])")
        }
    }
}
