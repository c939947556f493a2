import GPZScan
import GPZAnalysis

/// Read-only lookups over one scan's results that the report sections share: splits by index, the zones as index
/// ranges, the attacked splits, and names that read well in text.
struct ScanReportView {
    let results: ScanResults

    var splits: [ScanSplit] { results.splits }

    /// The splits with attack results, in order.
    var attacked: [ScanSplit] { splits.filter { $0.mse != nil } }

    /// The split with this index.
    func split(_ index: Int?) -> ScanSplit? {
        guard let index else { return nil }
        return splits.first { $0.index == index }
    }

    /// "block3 (split 3)", or "split 3" for an index the results do not list, or a dash.
    func label(_ index: Int?) -> String {
        guard let index else { return ReportFormat.missing }
        guard let split = split(index) else { return "split \(index)" }
        return "\(split.name) (split \(index))"
    }

    /// The category position of a split on the charts' x axis.
    func position(_ index: Int) -> Int? {
        splits.firstIndex { $0.index == index }
    }

    /// The a-priori zone: the split the share rule selects most often over the bootstrap.
    var aprioriRange: ClosedRange<Int> { results.zones.zone.split...results.zones.zone.split }

    /// The post-hoc zone: from the leakage boundary to the last candidate; nil when no candidate protects or the
    /// attack did not run.
    var posthocRange: ClosedRange<Int>? {
        guard let boundary = results.zones.leakage?.boundary else { return nil }
        let last = splits.filter(\.candidate).map(\.index).max() ?? boundary
        return boundary...Swift.max(boundary, last)
    }

    /// The MSE below which a split leaks by the verdict's test, (1 − τ) · MSE_class-mean, with the baselines
    /// themselves, as horizontal rules of the MSE charts.
    var mseRules: [SVGChart.Rule] {
        guard let baselines = results.baselines else { return [] }
        let tau = results.config.leakageThreshold
        return [
            .init(y: (1 - tau) * baselines.classMeanMSE, color: ReportStyle.ink,
                  label: "leaks below MSE = \(ReportFormat.significant((1 - tau) * baselines.classMeanMSE, digits: 3)) "
                      + "(leakage \(ReportFormat.compact(tau)))"),
            .init(y: baselines.classMeanMSE, color: ReportStyle.green,
                  label: "class-mean image \(ReportFormat.significant(baselines.classMeanMSE, digits: 3))"),
        ]
    }

    /// The x range (category positions ± ½) that shades a range of split indices on the charts.
    func bandRange(_ range: ClosedRange<Int>) -> (Double, Double)? {
        let inside = splits.enumerated().filter { range.contains($0.element.index) }.map(\.offset)
        guard let low = inside.min(), let high = inside.max() else { return nil }
        return (Double(low) - 0.5, Double(high) + 0.5)
    }

    /// The two zones as chart bands.
    var zoneBands: [SVGChart.Band] {
        var bands: [SVGChart.Band] = []
        if let (from, to) = bandRange(aprioriRange) {
            bands.append(.init(from: from, to: to, color: ReportStyle.aprioriZone,
                               label: "a-priori zone (share rule, selected in "
                                   + "\(ReportFormat.percent(results.zones.zone.frequency)) of resamples): "
                                   + rangeText(aprioriRange)))
        }
        if let range = posthocRange, let (from, to) = bandRange(range) {
            bands.append(.init(from: from, to: to, color: ReportStyle.posthocZone,
                               label: "post-hoc zone (leakage ≤ "
                                   + "\(ReportFormat.compact(results.config.leakageThreshold))): " + rangeText(range)))
        }
        return bands
    }

    /// "splits 3–5 (block3 … logits)" or "split 3 (block3)".
    func rangeText(_ range: ClosedRange<Int>) -> String {
        if range.lowerBound == range.upperBound { return label(range.lowerBound) }
        let names = [split(range.lowerBound)?.name, split(range.upperBound)?.name]
        let suffix = names[0] != nil && names[1] != nil ? " (\(names[0]!) … \(names[1]!))" : ""
        return "splits \(range.lowerBound)–\(range.upperBound)\(suffix)"
    }

    /// The x axis of the charts across splits.
    var splitAxis: SVGChart.XAxis { .categories(splits.map(\.name)) }
}
