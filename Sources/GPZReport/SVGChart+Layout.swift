import GPZScan
import Foundation

extension SVGChart {
    /// A tick: where it is (data coordinates) and what it reads.
    struct Tick {
        var value: Double
        var label: String
    }

    /// A legend entry and where it sits (the left end of its swatch, vertically centred on `y`).
    struct LegendItem {
        enum Kind {
            case series(Series)
            case band(Band)
            case rule(Rule)
        }

        var kind: Kind
        var label: String
        var x = 0.0
        var y = 0.0
    }

    /// Where everything goes: margins fitted to the tick labels, the legend wrapped above the plot, category
    /// labels rotated or thinned when they would overlap, and the scales of the plot rectangle.
    struct Layout {
        var height: Double
        var plotLeft: Double
        var plotRight: Double
        var plotTop: Double
        var plotBottom: Double
        var x: ChartScale
        var yLeft: ChartScale
        var yRight: ChartScale?
        var leftTicks: [Tick]
        var rightTicks: [Tick]
        var xTicks: [Tick]
        var rotateXLabels = false
        var legend: [LegendItem]

        init(chart: SVGChart) {
            let leftDomain = Self.yDomain(chart.left, values: Self.values(of: chart, side: .left))
            leftTicks = Self.ticks(ChartScale(chart.left.kind, domain: leftDomain, pixels: (0, 1)), format: chart.left.tick)
            var rightDomain: ClosedRange<Double>?
            if let axis = chart.right {
                let domain = Self.yDomain(axis, values: Self.values(of: chart, side: .right))
                rightDomain = domain
                rightTicks = Self.ticks(ChartScale(axis.kind, domain: domain, pixels: (0, 1)), format: axis.tick)
            } else {
                rightTicks = []
            }

            let xDomain: ClosedRange<Double>, xKind: ChartScale.Kind
            var categoryLabels: [String] = []
            switch chart.xAxis {
            case .categories(let names):
                categoryLabels = names
                xKind = .linear
                xDomain = -0.5...(Double(Swift.max(names.count, 1)) - 0.5)
                xTicks = names.enumerated().map { Tick(value: Double($0.offset), label: $0.element) }
            case .numeric(let kind):
                xKind = kind
                let xs = chart.series.flatMap { $0.points.filter { $0.y != nil }.map(\.x) }
                xDomain = ChartScale.domain(of: xs, kind: kind) ?? (kind == .log ? 1...10 : 0...1)
                xTicks = Self.ticks(ChartScale(kind, domain: xDomain, pixels: (0, 1)), format: chart.xTick)
            }

            let labelWidth = { (ticks: [Tick]) in ticks.map { SVGChart.textWidth($0.label) }.max() ?? 0 }
            plotLeft = 28 + labelWidth(leftTicks) + 10
            plotRight = chart.width - (chart.right == nil ? 18 : 28 + labelWidth(rightTicks) + 10)

            let widest = labelWidth(xTicks)
            if !categoryLabels.isEmpty {
                let spacing = (plotRight - plotLeft) / Double(categoryLabels.count)
                if widest + 8 <= spacing {
                    rotateXLabels = false
                } else if widest <= 36 {
                    let every = Int(((widest + 8) / spacing).rounded(.up))
                    xTicks = xTicks.enumerated().filter { $0.offset % every == 0 }.map(\.element)
                } else {
                    rotateXLabels = true
                    let every = Int((17 / spacing).rounded(.up))
                    xTicks = xTicks.enumerated().filter { $0.offset % every == 0 }.map(\.element)
                    let overhang = SVGChart.textWidth(categoryLabels[0]) * 0.71 - spacing / 2 - 4
                    plotLeft = Swift.max(plotLeft, overhang + 4)
                }
            }

            legend = Self.legendItems(chart)
            var cursor = 12.0, row = 0
            for i in legend.indices {
                let itemWidth = 30 + SVGChart.textWidth(legend[i].label) + 20
                if cursor + itemWidth > chart.width - 12, cursor > 12 {
                    row += 1
                    cursor = 12
                }
                legend[i].x = cursor
                legend[i].y = 18 + Double(row) * 19
                cursor += itemWidth
            }
            plotTop = legend.isEmpty ? 14 : 18 + Double(row) * 19 + 22

            let xLabelHeight = rotateXLabels ? widest * 0.71 + 18 : 24
            height = chart.height
            plotBottom = height - xLabelHeight - 28
            if plotBottom - plotTop < 140 {
                height += 140 - (plotBottom - plotTop)
                plotBottom = plotTop + 140
            }
            x = ChartScale(xKind, domain: xDomain, pixels: (plotLeft, plotRight))
            yLeft = ChartScale(chart.left.kind, domain: leftDomain, pixels: (plotBottom, plotTop))
            yRight = chart.right.flatMap { axis in
                rightDomain.map { ChartScale(axis.kind, domain: $0, pixels: (plotBottom, plotTop)) }
            }
        }

        /// Every y value on one side, rules included.
        private static func values(of chart: SVGChart, side: Side) -> [Double] {
            chart.series.filter { $0.side == side }.flatMap { $0.points.compactMap(\.y) }
                + chart.rules.filter { $0.side == side }.map(\.y)
        }

        private static func yDomain(_ axis: YAxis, values: [Double]) -> ClosedRange<Double> {
            axis.domain ?? ChartScale.domain(of: values, kind: axis.kind, includeZero: axis.includeZero)
                ?? (axis.kind == .log ? 1...10 : 0...1)
        }

        private static func ticks(_ scale: ChartScale, format: ((Double) -> String)?) -> [Tick] {
            let step = scale.linearStep()
            return scale.ticks().map { value in
                let label = format?(value)
                    ?? (scale.kind == .log ? ReportFormat.logTick(value) : ReportFormat.tick(value, step: step))
                return Tick(value: value, label: label)
            }
        }

        private static func legendItems(_ chart: SVGChart) -> [LegendItem] {
            chart.series.filter(\.inLegend).map { LegendItem(kind: .series($0), label: $0.name) }
                + chart.bands.map { LegendItem(kind: .band($0), label: $0.label) }
                + chart.rules.map { LegendItem(kind: .rule($0), label: $0.label) }
        }
    }
}
