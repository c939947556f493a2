import Foundation
@testable import GPZReport
import XCTest

/// The charts the pages are built from: linear and log scales, ticks and domains, SVG charts that leave out what
/// they cannot show, and the Pareto front of cost against privacy.
final class ReportChartTests: XCTestCase {
    func testLinearScaleMapsKnownValuesToKnownPixels() {
        let scale = ChartScale(.linear, domain: 0...10, pixels: (start: 100, end: 600))
        XCTAssertEqual(scale.pixel(0), 100)
        XCTAssertEqual(scale.pixel(2.5), 225)
        XCTAssertEqual(scale.pixel(10), 600)
        XCTAssertNil(scale.pixel(.nan))
        let y = ChartScale(.linear, domain: 0...0.05, pixels: (start: 300, end: 20))
        XCTAssertEqual(y.pixel(0.02)!, 188, accuracy: 1e-9)
    }

    func testLogScaleMapsDecadesEvenly() {
        let scale = ChartScale(.log, domain: 1...1_000, pixels: (start: 400, end: 100))
        XCTAssertEqual(scale.pixel(1)!, 400, accuracy: 1e-9)
        XCTAssertEqual(scale.pixel(10)!, 300, accuracy: 1e-9)
        XCTAssertEqual(scale.pixel(1_000)!, 100, accuracy: 1e-9)
        XCTAssertNil(scale.pixel(0))
        XCTAssertNil(scale.pixel(-1))
    }

    func testTicksAndDomains() {
        XCTAssertEqual(ChartScale.domain(of: [0.0039, 0.0398, 0.02], kind: .linear, includeZero: true), 0...0.05,
                       "a step of room above a value that would sit on the frame")
        XCTAssertEqual(ChartScale.domain(of: [14.64, 24.51], kind: .linear), 14...26)
        XCTAssertEqual(ChartScale.domain(of: [26, 3715.8], kind: .log), 10...10_000)
        XCTAssertEqual(ChartScale.domain(of: [5, 5], kind: .log), 1...10)
        XCTAssertNil(ChartScale.domain(of: [-1, 0, .nan], kind: .log))
        let linear = ChartScale(.linear, domain: 0...0.05, pixels: (0, 1)).ticks()
        XCTAssertEqual(linear.count, 6)
        for (tick, expected) in zip(linear, [0, 0.01, 0.02, 0.03, 0.04, 0.05]) {
            XCTAssertEqual(tick, expected, accuracy: 1e-12)
        }
        XCTAssertEqual(ChartScale(.log, domain: 0.1...100, pixels: (0, 1)).ticks(), [0.1, 1, 10, 100])
        XCTAssertEqual(ChartScale(.log, domain: 1...100, pixels: (0, 1)).ticks(), [1, 2, 5, 10, 20, 50, 100])
        XCTAssertEqual(ChartScale.niceStep(0.0073), 0.01)
        XCTAssertEqual(ChartScale.niceStep(0.0031), 0.005)
    }

    func testChartLeavesOutMissingAndUnshowableValues() {
        var chart = SVGChart(title: "t", xAxis: .categories(["a", "b", "c", "d"]), xLabel: "x",
                             left: .init(label: "y"), right: .init(label: "log y", kind: .log))
        chart.series = [
            .init(name: "lin", points: [.init(x: 0, y: 1), .init(x: 1, y: nil), .init(x: 2, y: 3), .init(x: 3, y: .nan)],
                  color: "#000"),
            .init(name: "log", points: [.init(x: 0, y: 10), .init(x: 1, y: 0), .init(x: 2, y: -1), .init(x: 3, y: 100)],
                  color: "#111", side: .right, marker: .square),
        ]
        chart.bands = [.init(from: 0.5, to: 3.5, color: "#f00", label: "zone")]
        let svg = chart.svg()
        XCTAssertEqual(svg.components(separatedBy: "<circle").count - 1, 2 + 1, "two data circles and the legend's")
        XCTAssertEqual(svg.components(separatedBy: "<rect").count - 1, 2 + 2 + 1 + 1,
                       "two squares, the band and its bar, the legend's band and square")
        XCTAssertEqual(ReportTestCase.nonFiniteWords(in: svg), [])
        XCTAssertTrue(svg.contains("<title>zone</title>"))
    }

    func testParetoFrontKeepsOnlyUndominatedSplits() {
        XCTAssertEqual(ParetoFront.positions(cost: [1, 2, 3, 4], privacy: [0.1, 0.05, 0.2, 0.2]), [0, 2])
        XCTAssertEqual(ParetoFront.positions(cost: [5, 1, 1], privacy: [0.3, 0.1, 0.2]), [2, 0])
        XCTAssertEqual(ParetoFront.positions(cost: [], privacy: []), [])
    }
}
