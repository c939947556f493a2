import GPZScan

/// Places point labels so that they neither overlap each other nor cover a marker: each label takes the first of
/// a few spots around its point (above right, above left, below right, below left, right, left) that is free and
/// inside the plot, and is left out when none is (its marker's tooltip still names it).
struct ChartLabelPlacer {
    /// A rectangle in SVG units.
    struct Box {
        var left: Double, top: Double, right: Double, bottom: Double

        func overlaps(_ other: Box) -> Bool {
            left < other.right && other.left < right && top < other.bottom && other.top < bottom
        }
    }

    /// Where a placed label goes: its text anchor point and `text-anchor`.
    struct Placement: Equatable {
        var x: Double
        var y: Double
        var anchor: String
    }

    private let bounds: Box
    private var taken: [Box] = []

    /// `bounds` is the plot area; `obstacles` the boxes of the markers.
    init(bounds: Box, obstacles: [Box]) {
        self.bounds = bounds
        taken = obstacles
    }

    /// The spot for `text` at the point (x, y), `clearance` away from it (the radius of the largest marker
    /// there), now taken; nil when every spot is blocked.
    mutating func place(_ text: String, x: Double, y: Double, clearance: Double) -> Placement? {
        let width = SVGChart.textWidth(text), height = SVGChart.fontSize
        let c = clearance + 2
        let spots: [(dx: Double, baseline: Double, anchor: String)] = [
            (c, -c, "start"), (-c, -c, "end"), (c, c + height * 0.8, "start"), (-c, c + height * 0.8, "end"),
            (c + 2, height * 0.35, "start"), (-c - 2, height * 0.35, "end"),
        ]
        for spot in spots {
            let left = spot.anchor == "start" ? x + spot.dx : x + spot.dx - width
            let box = Box(left: left, top: y + spot.baseline - height * 0.8, right: left + width,
                          bottom: y + spot.baseline + height * 0.2)
            guard box.left >= bounds.left, box.right <= bounds.right, box.top >= bounds.top,
                  box.bottom <= bounds.bottom, !taken.contains(where: { $0.overlaps(box) }) else { continue }
            taken.append(box)
            return Placement(x: x + spot.dx, y: y + spot.baseline, anchor: spot.anchor)
        }
        return nil
    }
}
