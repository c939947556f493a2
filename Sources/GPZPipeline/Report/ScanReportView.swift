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

    /// The a-priori zone (paper rule) as split indices.
    var aprioriRange: ClosedRange<Int> {
        let zone = results.gpz.apriori
        let low = zone.range.first ?? zone.first
        return low...Swift.max(low, zone.range.last ?? zone.first)
    }

    /// The post-hoc zone: from the first split whose MSE reaches the threshold to the model's last split; nil when
    /// the attack reconstructs well everywhere or did not run.
    var posthocRange: ClosedRange<Int>? {
        guard let first = results.gpz.posthoc?.firstAboveThreshold else { return nil }
        return first...Swift.max(first, splits.map(\.index).max() ?? first)
    }

    /// The privacy threshold the recommendation and the post-hoc zone use.
    var threshold: Double {
        results.gpz.posthoc?.threshold ?? results.recommendation.threshold
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
                               label: "a-priori zone (paper rule): \(rangeText(aprioriRange))"))
        }
        if let range = posthocRange, let (from, to) = bandRange(range) {
            bands.append(.init(from: from, to: to, color: ReportStyle.posthocZone,
                               label: "post-hoc zone (MSE ≥ \(ReportFormat.compact(threshold))): "
                                   + rangeText(range)))
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
