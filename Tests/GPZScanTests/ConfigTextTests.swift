import Foundation
import GPZConfig
import XCTest
@testable import GPZReport
@testable import GPZScan

/// Configuration text refused before a decoder expands or silently merges it.
final class ConfigTextTests: XCTestCase {
    func testAYAMLAliasBombIsRefusedBeforeExpansion() throws {
        var lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
        for level in 1 ... 9 {
            let previous = "*a\(level - 1)"
            lines.append("a\(level): &a\(level) [\(Array(repeating: previous, count: 10).joined(separator: ", "))]")
        }
        XCTAssertThrowsError(try ConfigText.check(lines.joined(separator: "\n"), json: false, source: "bomb.yaml")) { error in
            XCTAssertTrue("\(error)".hasPrefix("bomb.yaml: expands to more than \(ConfigText.maxNodes) YAML nodes"), "\(error)")
        }
        XCTAssertNoThrow(try ConfigText.check("name: quick\nbase: &b {epochs: 2}\nother: *b\n", json: false, source: "ok.yaml"))
        XCTAssertThrowsError(try ScanPlan.parse(lines.joined(separator: "\n"), json: false, source: "bomb.yaml"),
                             "a scan file is checked before the YAML loader expands it")
    }

    func testYAMLKeysThatAreNotNamesAreRefused() {
        for text in ["? [a]\n: 1\n", "a:\n  [b]: 1\n", "? {a: 1}\n: x\n"] {
            XCTAssertThrowsError(try ConfigText.check(text, json: false, source: "key.yaml")) { error in
                XCTAssertTrue("\(error)".contains("a mapping key must be a plain name"), "\(error)")
            }
        }
    }

    func testBase60IntegersPast64BitsAreRefused() {
        for text in ["name:\nimage_size: 66666666666666666666:6\n", "a: 1:1:1:1:1:1:1:1:1:1:1:1\n"] {
            XCTAssertThrowsError(try ConfigText.check(text, json: false, source: "b60.yaml")) { error in
                XCTAssertTrue("\(error)".contains("base-60 integer too large"), "\(error)")
            }
        }
        XCTAssertNoThrow(try ConfigText.check("a: 1:30\nb: '66666666666666666666:6'\n", json: false, source: "ok.yaml"))
    }

    func testDuplicateJSONKeysAreRefused() {
        XCTAssertThrowsError(try ConfigText.check(#"{"name": "a", "target": {"epochs": 1, "epochs": 2}}"#, json: true,
                                                  source: "dup.json")) { error in
            XCTAssertEqual("\(error)", "dup.json: the key 'epochs' appears twice in one object")
        }
        XCTAssertThrowsError(try ConfigText.check(#"{"name": "a", "n\u0061me": "b"}"#, json: true, source: "esc.json"))
        XCTAssertNoThrow(try ConfigText.check(#"{"a": {"x": 1}, "b": {"x": [{"x": 1}, {"x": "x"}]}, "c": "a,\"b\""}"#,
                                              json: true, source: "ok.json"))
    }

    func testOversizedTextIsRefused() {
        let text = String(repeating: "#", count: ConfigText.maxBytes + 1)
        XCTAssertThrowsError(try ConfigText.check(text, json: false, source: "big.yaml"))
    }
}
