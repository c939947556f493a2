import GPZScan

/// A small line/scatter chart drawn as inline SVG: a categorical or numeric x axis, a left y axis and an optional
/// right one (each linear or log), series with lines and markers, shaded x ranges, dashed horizontal rules and a
/// legend. Every marker carries a `<title>` tooltip. Values a scale cannot show (missing, not finite, ≤ 0 on a log
/// axis) are left out: no marker, and the line joins the neighbouring points that are shown.
struct SVGChart {
    /// The x axis: named categories at positions 0, 1, …, or numbers on a linear or log scale.
    enum XAxis {
        case categories([String])
        case numeric(ChartScale.Kind)
    }

    /// A y axis: its title, scale kind and, optionally, a fixed domain and a tick formatter.
    struct YAxis {
        var label: String
        var kind: ChartScale.Kind = .linear
        /// Extend the automatic domain to 0 (linear only).
        var includeZero = false
        var domain: ClosedRange<Double>?
        /// Colour of the title, to tie it to its series on a two-axis chart.
        var color: String?
        var tick: ((Double) -> String)?
    }

    enum Side { case left, right }

    enum Marker { case none, circle, square, triangle, diamond, ring }

    enum Line { case none, solid, dashed, dotted, stepAfter }

    /// One data point; `y` nil is a gap. `label` is written next to the marker, `tooltip` shown on hover.
    struct Point {
        var x: Double
        var y: Double?
        var label: String?
        var tooltip: String?

        init(x: Double, y: Double?, label: String? = nil, tooltip: String? = nil) {
            self.x = x
            self.y = y
            self.label = label
            self.tooltip = tooltip
        }
    }

    struct Series {
        var name: String
        var points: [Point]
        var color: String
        var side = Side.left
        var line = Line.solid
        var marker = Marker.circle
        var markerSize = 4.5
        var inLegend = true
    }

    /// A shaded x range [from, to] in data coordinates (categories: position ± 0.5 covers a whole category).
    struct Band {
        var from: Double
        var to: Double
        var color: String
        var label: String
    }

    /// A horizontal line at `y` on one axis.
    struct Rule {
        var y: Double
        var side = Side.left
        var color: String
        var label: String
        var dashed = true
    }

    /// The accessible name of the chart.
    var title: String
    var xAxis: XAxis
    var xLabel: String
    var xTick: ((Double) -> String)?
    var left: YAxis
    var right: YAxis?
    var series: [Series] = []
    var bands: [Band] = []
    var rules: [Rule] = []
    /// The drawing's size in SVG units; the page scales it to the column width.
    var width = 1040.0
    var height = 380.0
    /// Text shown in the plot area when no series has a point to show.
    var emptyNote = "no data"

    init(title: String, xAxis: XAxis, xLabel: String, left: YAxis, right: YAxis? = nil) {
        self.title = title
        self.xAxis = xAxis
        self.xLabel = xLabel
        self.left = left
        self.right = right
    }
}
