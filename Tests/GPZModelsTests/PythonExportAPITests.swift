import Foundation
import GPZTestSupport
import XCTest

/// `python/tests/test_export_api.py`, the tests of `gpz_export`'s Python API (`export_stages`) and of the command
/// line that shares its export, run by the interpreter of `.deps/python` as part of `swift test` (about half a
/// minute on one core).
final class PythonExportAPITests: XCTestCase {
    func testPythonExportAPITestsPass() throws {
        try require(.pythonEnvironment)
        let run = try PythonExporter.run(["python/tests/test_export_api.py"])
        let summary = run.stdout.split(separator: "\n").last.map(String.init) ?? ""
        XCTAssertEqual(run.status, 0, "test_export_api.py: \(summary)\n\(run.stdout)\n\(run.stderr)")
        // The script's last line counts its tests: some ran, none failed.
        XCTAssertTrue(summary.hasSuffix(" passed, 0 failed"), summary)
        XCTAssertGreaterThan(Int(summary.prefix { $0 != " " }) ?? 0, 0, summary)
    }
}
