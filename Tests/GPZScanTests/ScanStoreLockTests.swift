import Foundation
import XCTest
@testable import GPZReport
@testable import GPZScan

/// One writer per run directory, and no resuming under other numerics.
final class ScanStoreLockTests: XCTestCase {
    private func storeURL() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gpz-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        return directory.appendingPathComponent("scan.sqlite")
    }

    func testASecondWriterIsRefusedWithTheHoldersPID() throws {
        let url = try storeURL()
        var first: ScanStore? = try ScanStore(url: url)
        XCTAssertThrowsError(try ScanStore(url: url)) { error in
            XCTAssertTrue(error is RunDirectoryError, "\(type(of: error))")
            XCTAssertTrue("\(error)".contains("another scan (PID \(getpid())) is writing to this run directory"), "\(error)")
        }
        try first?.record(1, hash: "h", kind: .analysis, key: "1")
        XCTAssertEqual(try ScanStore(readingAt: url).inventory(), ["analysis:1"])
        first = nil
        XCTAssertEqual(try ScanStore(url: url).inventory(), ["analysis:1"])
    }

    func testResumingUnderOtherNumericsIsRefused() throws {
        let url = try storeURL()
        try ScanStore(url: url, numerics: "threads=4, libtorch 1.13.0").record(1, hash: "h", kind: .analysis, key: "1")
        XCTAssertNoThrow(try ScanStore(url: url, numerics: "threads=4, libtorch 1.13.0"))
        XCTAssertThrowsError(try ScanStore(url: url, numerics: "threads=2, libtorch 1.13.0")) { error in
            XCTAssertTrue(error is RunDirectoryError, "\(type(of: error))")
            XCTAssertTrue("\(error)".contains("computed with threads=4, libtorch 1.13.0; this process has threads=2"), "\(error)")
        }
    }
}
