import Foundation
@testable import GPZReport
import XCTest

/// The number, size, duration and tick formatters of the pages, and HTML escaping.
final class ReportFormatTests: XCTestCase {
    func testNumberFormatters() {
        XCTAssertEqual(ReportFormat.significant(0.0039), "0.003900")
        XCTAssertEqual(ReportFormat.significant(0.0398), "0.03980")
        XCTAssertEqual(ReportFormat.significant(3715.8), "3716")
        XCTAssertEqual(ReportFormat.significant(22.1), "22.10")
        XCTAssertEqual(ReportFormat.significant(9.99996), "10.00")
        XCTAssertEqual(ReportFormat.significant(1.234567e-5), "1.235e-5")
        XCTAssertEqual(ReportFormat.significant(2.5e7), "2.500e7")
        XCTAssertEqual(ReportFormat.significant(-0.5), "-0.5000")
        XCTAssertEqual(ReportFormat.significant(0), "0")
        XCTAssertEqual(ReportFormat.significant(nil), "—")
        XCTAssertEqual(ReportFormat.significant(.nan), "—")
        XCTAssertEqual(ReportFormat.significant(-.infinity), "−∞")
        XCTAssertEqual(ReportFormat.count(768), "768")
        XCTAssertEqual(ReportFormat.count(74_880), "74.9 k")
        XCTAssertEqual(ReportFormat.count(57_315_828), "57.3 M")
        XCTAssertEqual(ReportFormat.count(999_999), "1.00 M")
        XCTAssertEqual(ReportFormat.count(3_200_000_000), "3.20 G")
        XCTAssertEqual(ReportFormat.bytes(40), "40 B")
        XCTAssertEqual(ReportFormat.bytes(65_536), "64.0 KiB")
        XCTAssertEqual(ReportFormat.bytes(8_388_608), "8.00 MiB")
        XCTAssertEqual(ReportFormat.percent(0.9123), "91.23 %")
        XCTAssertEqual(ReportFormat.ratio(0.0102 / 0.0039), "2.62×")
        XCTAssertEqual(ReportFormat.integer(60_000), "60,000")
        XCTAssertEqual(ReportFormat.integer(-1_234_567), "-1,234,567")
        XCTAssertEqual(ReportFormat.integer(12), "12")
        XCTAssertEqual(ReportFormat.duration(0.42), "0.420 s")
        XCTAssertEqual(ReportFormat.duration(274), "4 min 34 s")
        XCTAssertEqual(ReportFormat.duration(3_725), "1 h 02 min")
        XCTAssertEqual(ReportFormat.shape([64, 16, 16]), "64×16×16")
        XCTAssertEqual(ReportFormat.tick(0.015, step: 0.005), "0.015")
        XCTAssertEqual(ReportFormat.tick(20, step: 5), "20")
        XCTAssertEqual(ReportFormat.logTick(0.01), "0.01")
        XCTAssertEqual(ReportFormat.logTick(500), "500")
        XCTAssertEqual(ReportFormat.logTick(1e-5), "1e-5")
        XCTAssertEqual(ReportFormat.countTick(1e6), "1 M")
        XCTAssertEqual(ReportFormat.countTick(2e4), "20 k")
    }

    func testEscaping() {
        XCTAssertEqual(HTMLDocument.escape("<a href='x'>&\"</a>"), "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;")
        XCTAssertEqual(HTMLDocument.escape("R_c² ≥ 0.02"), "R_c² ≥ 0.02")
    }
}
