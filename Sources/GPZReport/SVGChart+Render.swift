import GPZScan
import Foundation

extension SVGChart {
    /// The font size of all chart text, in SVG units.
    static let fontSize = 12.0

    /// A width estimate for `text` at `fontSize` (the average advance of a sans-serif face; no font metrics are
    /// available when the page is written).
    static func textWidth(_ text: String, size: Double = fontSize) -> Double {
        Double(text.count) * size * 0.6
    }

    /// The chart as an `<svg>` element, sized by its viewBox so that it scales to the column.
    func svg() -> String {
        let layout = Layout(chart: self)
        var out = SVGWriter()
        out.open(width: width, height: layout.height, title: title)
        drawBands(&out, layout)
        drawGridAndAxes(&out, layout)
        drawRules(&out, layout)
        let drawn = drawSeries(&out, layout)
        if drawn == 0 {
            out.text(emptyNote, x: (layout.plotLeft + layout.plotRight) / 2, y: (layout.plotTop + layout.plotBottom) / 2,
                     anchor: "middle", fill: ReportStyle.grey)
        }
        drawLegend(&out, layout)
        return out.close()
    }

    // MARK: - Drawing

    private func drawBands(_ out: inout SVGWriter, _ layout: Layout) {
        for (position, band) in bands.enumerated() {
            guard let a = layout.x.pixel(Swift.max(band.from, layout.x.lower)),
                  let b = layout.x.pixel(Swift.min(band.to, layout.x.upper)), b > a else { continue }
            out.rect(x: a, y: layout.plotTop, width: b - a, height: layout.plotBottom - layout.plotTop,
                     fill: band.color, opacity: 0.16, title: band.label)
            out.rect(x: a, y: layout.plotTop + Double(position) * 6, width: b - a, height: 5, fill: band.color,
                     title: band.label)
        }
    }

    private func drawGridAndAxes(_ out: inout SVGWriter, _ layout: Layout) {
        let (left, right, top, bottom) = (layout.plotLeft, layout.plotRight, layout.plotTop, layout.plotBottom)
        for tick in layout.leftTicks {
            guard let y = layout.yLeft.pixel(tick.value) else { continue }
            out.line(x1: left, y1: y, x2: right, y2: y, stroke: "#e3e3e3")
            out.line(x1: left - 5, y1: y, x2: left, y2: y, stroke: ReportStyle.ink)
            out.text(tick.label, x: left - 8, y: y, anchor: "end", middle: true)
        }
        if let yRight = layout.yRight {
            for tick in layout.rightTicks {
                guard let y = yRight.pixel(tick.value) else { continue }
                out.line(x1: right, y1: y, x2: right + 5, y2: y, stroke: ReportStyle.ink)
                out.text(tick.label, x: right + 8, y: y, anchor: "start", middle: true)
            }
        }
        for tick in layout.xTicks {
            guard let x = layout.x.pixel(tick.value) else { continue }
            out.line(x1: x, y1: bottom, x2: x, y2: bottom + 5, stroke: ReportStyle.ink)
            if layout.rotateXLabels {
                out.text(tick.label, x: x + 4, y: bottom + 10, anchor: "end", rotate: -45)
            } else {
                out.text(tick.label, x: x, y: bottom + 18, anchor: "middle")
            }
        }
        out.line(x1: left, y1: top, x2: left, y2: bottom, stroke: ReportStyle.ink)
        out.line(x1: left, y1: bottom, x2: right, y2: bottom, stroke: ReportStyle.ink)
        if layout.yRight != nil { out.line(x1: right, y1: top, x2: right, y2: bottom, stroke: ReportStyle.ink) }
        out.text(xLabel, x: (left + right) / 2, y: layout.height - 8, anchor: "middle", weight: "600")
        let middle = (top + bottom) / 2
        out.text(self.left.label, x: 15, y: middle, anchor: "middle", fill: self.left.color ?? ReportStyle.ink,
                 rotate: -90, weight: "600")
        if let axis = self.right {
            out.text(axis.label, x: width - 15, y: middle, anchor: "middle", fill: axis.color ?? ReportStyle.ink,
                     rotate: 90, weight: "600")
        }
    }

    private func drawRules(_ out: inout SVGWriter, _ layout: Layout) {
        for rule in rules {
            let scale = rule.side == .left ? layout.yLeft : layout.yRight
            guard let scale, scale.contains(rule.y), let y = scale.pixel(rule.y) else { continue }
            out.line(x1: layout.plotLeft, y1: y, x2: layout.plotRight, y2: y, stroke: rule.color, width: 1.5,
                     dash: rule.dashed ? "7 5" : nil, title: rule.label)
        }
    }

    /// Draws every series, then the point labels that fit; returns how many points were shown.
    private func drawSeries(_ out: inout SVGWriter, _ layout: Layout) -> Int {
        var shown = 0
        var markers: [(x: Double, y: Double, radius: Double)] = []
        var labels: [(text: String, x: Double, y: Double)] = []
        for series in self.series {
            guard let yScale = series.side == .left ? layout.yLeft : layout.yRight else { continue }
            let visible = series.points.compactMap { point -> (Point, Double, Double)? in
                guard let y = point.y, layout.x.contains(point.x), yScale.contains(y),
                      let px = layout.x.pixel(point.x), let py = yScale.pixel(y) else { return nil }
                return (point, px, py)
            }
            shown += visible.count
            if series.line != .none, visible.count > 1 {
                out.path(Self.pathData(visible.map { ($0.1, $0.2) }, step: series.line == .stepAfter),
                         stroke: series.color, dash: Self.dash(series.line), title: series.name)
            }
            for (point, px, py) in visible {
                if series.marker != .none {
                    out.marker(series.marker, x: px, y: py, size: series.markerSize, color: series.color,
                               title: point.tooltip ?? series.name)
                    markers.append((px, py, series.markerSize + 1.5))
                }
                if let label = point.label { labels.append((label, px, py)) }
            }
        }
        let boxes = markers.map { ChartLabelPlacer.Box(left: $0.x - $0.radius, top: $0.y - $0.radius,
                                                       right: $0.x + $0.radius, bottom: $0.y + $0.radius) }
        var placer = ChartLabelPlacer(bounds: .init(left: layout.plotLeft, top: layout.plotTop, right: layout.plotRight,
                                                    bottom: layout.plotBottom), obstacles: boxes)
        for label in labels {
            let own = markers.filter { Swift.abs($0.x - label.x) < 1 && Swift.abs($0.y - label.y) < 1 }
            let clearance = own.map(\.radius).max() ?? 0
            guard let spot = placer.place(label.text, x: label.x, y: label.y, clearance: clearance) else { continue }
            out.text(label.text, x: spot.x, y: spot.y, anchor: spot.anchor, fill: ReportStyle.ink, halo: true)
        }
        return shown
    }

    private func drawLegend(_ out: inout SVGWriter, _ layout: Layout) {
        for item in layout.legend {
            let (x, y) = (item.x, item.y)
            switch item.kind {
            case .series(let series):
                if series.line != .none {
                    out.line(x1: x, y1: y, x2: x + 24, y2: y, stroke: series.color, width: 2, dash: Self.dash(series.line))
                }
                if series.marker != .none {
                    out.marker(series.marker, x: x + 12, y: y, size: Swift.min(series.markerSize, 5), color: series.color,
                               title: nil)
                }
            case .band(let band):
                out.rect(x: x + 2, y: y - 6, width: 20, height: 12, fill: band.color, opacity: 0.35, stroke: band.color)
            case .rule(let rule):
                out.line(x1: x, y1: y, x2: x + 24, y2: y, stroke: rule.color, width: 1.5, dash: rule.dashed ? "7 5" : nil)
            }
            out.text(item.label, x: x + 30, y: y, anchor: "start", middle: true)
        }
    }

    // MARK: - Paths

    /// SVG path data through the points; `step` draws a horizontal then a vertical segment between neighbours.
    static func pathData(_ points: [(Double, Double)], step: Bool) -> String {
        var parts: [String] = []
        for (i, point) in points.enumerated() {
            if i == 0 {
                parts.append("M\(SVGWriter.number(point.0)) \(SVGWriter.number(point.1))")
            } else if step {
                parts.append("H\(SVGWriter.number(point.0)) V\(SVGWriter.number(point.1))")
            } else {
                parts.append("L\(SVGWriter.number(point.0)) \(SVGWriter.number(point.1))")
            }
        }
        return parts.joined(separator: " ")
    }

    static func dash(_ line: Line) -> String? {
        switch line {
        case .dashed: return "8 5"
        case .dotted: return "2 4"
        default: return nil
        }
    }
}
