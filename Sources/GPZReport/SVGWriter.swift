import GPZScan
import Foundation

/// Appends SVG elements to a string: every text and attribute value escaped, every number written with one
/// decimal (never `nan` or `inf`), attributes in the order given so that the same chart gives the same bytes.
struct SVGWriter {
    private var parts: [String] = []

    /// A coordinate with one decimal; a value that is not finite (which the chart never passes on purpose) as 0.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let text = String(format: "%.1f", value)
        return text == "-0.0" ? "0.0" : text
    }

    /// Opens the `<svg>` element with its accessible name.
    mutating func open(width: Double, height: Double, title: String) {
        let w = Self.number(width), h = Self.number(height)
        parts.append("<svg viewBox=\"0 0 \(w) \(h)\" width=\"\(w)\" height=\"\(h)\" role=\"img\" "
                     + "aria-label=\"\(HTMLDocument.escape(title))\" font-size=\"\(Self.number(SVGChart.fontSize))\" "
                     + "fill=\"\(ReportStyle.ink)\">")
        parts.append("<title>\(HTMLDocument.escape(title))</title>")
    }

    /// The finished `<svg>` element.
    func close() -> String {
        (parts + ["</svg>"]).joined(separator: "\n")
    }

    /// Any element with the given attributes, optionally with a `<title>` tooltip.
    mutating func element(_ name: String, _ attributes: [(String, String)], title: String? = nil) {
        let attributeText = attributes.map { " \($0.0)=\"\(HTMLDocument.escape($0.1))\"" }.joined()
        if let title {
            parts.append("<\(name)\(attributeText)><title>\(HTMLDocument.escape(title))</title></\(name)>")
        } else {
            parts.append("<\(name)\(attributeText)/>")
        }
    }

    mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String, width: Double = 1,
                       dash: String? = nil, title: String? = nil) {
        var attributes = [("x1", Self.number(x1)), ("y1", Self.number(y1)), ("x2", Self.number(x2)),
                          ("y2", Self.number(y2)), ("stroke", stroke), ("stroke-width", Self.number(width))]
        if let dash { attributes.append(("stroke-dasharray", dash)) }
        element("line", attributes, title: title)
    }

    mutating func rect(x: Double, y: Double, width: Double, height: Double, fill: String, opacity: Double = 1,
                       stroke: String? = nil, title: String? = nil) {
        var attributes = [("x", Self.number(x)), ("y", Self.number(y)), ("width", Self.number(width)),
                          ("height", Self.number(height)), ("fill", fill)]
        if opacity < 1 { attributes.append(("fill-opacity", String(format: "%.2f", opacity))) }
        if let stroke { attributes.append(("stroke", stroke)) }
        element("rect", attributes, title: title)
    }

    /// A text label; `middle` centres it vertically on `y`, `rotate` turns it about (x, y), `halo` draws a white
    /// outline under it so that it stays readable over lines.
    mutating func text(_ text: String, x: Double, y: Double, anchor: String, fill: String = ReportStyle.ink,
                       middle: Bool = false, rotate: Double? = nil, weight: String? = nil, halo: Bool = false) {
        var attributes = [("x", Self.number(x)), ("y", Self.number(y)), ("text-anchor", anchor), ("fill", fill)]
        if middle { attributes.append(("dy", "0.35em")) }
        if let rotate {
            attributes.append(("transform", "rotate(\(Self.number(rotate)) \(Self.number(x)) \(Self.number(y)))"))
        }
        if let weight { attributes.append(("font-weight", weight)) }
        if halo {
            attributes += [("stroke", "#ffffff"), ("stroke-width", "3"), ("stroke-linejoin", "round"),
                           ("paint-order", "stroke")]
        }
        let attributeText = attributes.map { " \($0.0)=\"\(HTMLDocument.escape($0.1))\"" }.joined()
        parts.append("<text\(attributeText)>\(HTMLDocument.escape(text))</text>")
    }

    /// A stroked, unfilled path.
    mutating func path(_ data: String, stroke: String, width: Double = 2, dash: String? = nil, title: String? = nil) {
        var attributes = [("d", data), ("fill", "none"), ("stroke", stroke), ("stroke-width", Self.number(width)),
                          ("stroke-linejoin", "round")]
        if let dash { attributes.append(("stroke-dasharray", dash)) }
        element("path", attributes, title: title)
    }

    /// A marker of the given shape centred on (x, y); `size` is its radius.
    mutating func marker(_ shape: SVGChart.Marker, x: Double, y: Double, size: Double, color: String, title: String?) {
        let n = Self.number
        let filled: [(String, String)] = [("fill", color), ("stroke", "#ffffff"), ("stroke-width", "1")]
        switch shape {
        case .none:
            return
        case .circle:
            element("circle", [("cx", n(x)), ("cy", n(y)), ("r", n(size))] + filled, title: title)
        case .ring:
            element("circle", [("cx", n(x)), ("cy", n(y)), ("r", n(size)), ("fill", "none"), ("stroke", color),
                               ("stroke-width", "2.5")], title: title)
        case .square:
            let side = size * 1.7
            element("rect", [("x", n(x - side / 2)), ("y", n(y - side / 2)), ("width", n(side)),
                             ("height", n(side))] + filled, title: title)
        case .triangle:
            let r = size * 1.25
            let points = "\(n(x)),\(n(y - r)) \(n(x + r * 0.866)),\(n(y + r * 0.5)) \(n(x - r * 0.866)),\(n(y + r * 0.5))"
            element("polygon", [("points", points)] + filled, title: title)
        case .diamond:
            let r = size * 1.3
            let points = "\(n(x)),\(n(y - r)) \(n(x + r)),\(n(y)) \(n(x)),\(n(y + r)) \(n(x - r)),\(n(y))"
            element("polygon", [("points", points)] + filled, title: title)
        }
    }
}
