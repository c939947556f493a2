import Foundation
import GPZTestSupport
import XCTest

/// The docs' generated tables (`<!-- table: … -->` blocks) must be what `scripts/results-corpus.py` generates from
/// the committed results corpus (`results/`): a number in a table is never typed by hand.
final class ResultsCorpusTests: XCTestCase {
    private func check(root: URL) throws -> (status: Int32, stdout: String, stderr: String) {
        try PythonExporter.run([root.appendingPathComponent("scripts/results-corpus.py").path, "tables", "--check"])
    }

    func testEveryGeneratedDocTableMatchesTheCorpus() throws {
        let result = try check(root: PythonExporter.root)
        XCTAssertEqual(result.status, 0, result.stderr)
    }

    /// A hand-edited cell in a copy of the repository's docs fails the check, naming the file and the table.
    func testAHandEditedTableFailsTheCheck() throws {
        let copy = try makeTemporaryDirectory("gpz-corpus-check")
        let files = FileManager.default
        for item in ["scripts", "results", "docs", "README.md"] {
            try files.copyItem(at: PythonExporter.root.appendingPathComponent(item), to: copy.appendingPathComponent(item))
        }
        let readme = copy.appendingPathComponent("README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        let edited = text.replacingOccurrences(of: "| **none** |", with: "| **protects** |")
        XCTAssertNotEqual(edited, text, "the README has a generated studies table")
        try edited.write(to: readme, atomically: true, encoding: .utf8)
        let result = try check(root: copy)
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("README.md: table 'studies demo/results.json'"), result.stderr)
    }
}
