import Foundation
import GPZConfig
import GPZScan
import GPZTestSupport
import XCTest

/// Configuration input that is not a setting: non-finite numbers in any numeric field, empty files, and the one
/// formatter of decoding errors (`DecodingFailure`).
final class ConfigInputTests: XCTestCase {
    // MARK: Non-finite numbers

    /// Every field of a study, found by walking its defaults (`ConfigDecoder.fields(of:)`), not from a list.
    private var fields: [(path: String, value: Any)] { try! ConfigDecoder.fields(of: ScanConfig()) }

    /// The YAML document that sets the field at dotted `path` to `literal`, one level of indentation per key.
    private func yaml(_ path: String, _ literal: String) -> String {
        let keys = path.split(separator: ".")
        return keys.enumerated().map { level, key in
            String(repeating: "  ", count: level) + "\(key):" + (level == keys.count - 1 ? " \(literal)" : "")
        }.joined(separator: "\n") + "\n"
    }

    /// The document that sets `path` to `value`, as nested mappings.
    private func document(_ path: String, _ value: Any) -> [String: Any] {
        path.split(separator: ".").reversed().reduce(value) { inner, key in [String(key): inner] } as! [String: Any]
    }

    /// The value at dotted `path` of `config`'s fields.
    private func value(at path: String, of config: ScanConfig) throws -> Any? {
        try ConfigDecoder.fields(of: config).first { $0.path == path }?.value
    }

    /// The float fields: those whose default is a number with a fraction, and those that take 0.5 and keep it.
    /// The probe finds the optional ones whose default is unset (`NSNull` in the defaults tree, which records no
    /// type: `target.lr_decay`, a `Double?` that is nil by default) and the ones whose default happens to be
    /// whole; an integer field refuses 0.5 ("does not fit"), a string or choice field refuses a number.
    private func floatFields() throws -> [String] {
        try fields.compactMap { field -> String? in
            if let number = field.value as? NSNumber, !(field.value is Bool), number.doubleValue.rounded() != number.doubleValue {
                return field.path
            }
            guard let decoded = try? ConfigDecoder.decode(ScanConfig.self, from: document(field.path, 0.5), over: ScanConfig()),
                  let kept = try value(at: field.path, of: decoded) as? NSNumber, kept.doubleValue == 0.5 else { return nil }
            return field.path
        }
    }

    func testTheWalkFindsTheFloatFieldsOfTheIssueAndTheUnsetOnes() throws {
        XCTAssertGreaterThan(fields.count, 30)
        let floats = try floatFields()
        for known in ["target.lr", "target.flip", "target.lr_decay", "attack.lr", "leakage_threshold", "privacy_threshold",
                      "analysis.majority"] {
            XCTAssertTrue(floats.contains(known), "\(known) not among \(floats)")
        }
        XCTAssertFalse(floats.contains("target.epochs"), "an integer field")
        XCTAssertFalse(floats.contains("name"), "a string field")
        // An optional float whose default is unset is reached through the probe: `target.lr_decay` (`Double?`, nil).
        XCTAssertTrue(try value(at: "target.lr_decay", of: ScanConfig()) is NSNull)
        let unset = fields.filter { $0.value is NSNull }.map(\.path)
        XCTAssertFalse(floats.filter(unset.contains).isEmpty, "no unset float field found among \(unset)")
    }

    func testANonFiniteNumberInAnyFloatFieldNamesTheField() throws {
        let floats = try floatFields()
        XCTAssertGreaterThanOrEqual(floats.count, 7)
        for path in floats {
            for (literal, shown) in [(".nan", "nan"), (".NaN", "nan"), (".inf", "inf"), (".Inf", "inf"), ("-.inf", "-inf"),
                                     ("+.inf", "inf"), ("1.0e+400", "inf")] {
                assertConfigError(yaml(path, literal), field: "c: \(path)", message: "expected a finite number, got \(shown)")
            }
            // The same in the second study of a plan.
            let study = yaml(path, ".nan").split(separator: "\n").map { "    " + $0 }.joined(separator: "\n")
            assertConfigError("studies:\n  - name: a\n  - name: b\n\(study)\n",
                              field: "c: studies[1].\(path)", message: "expected a finite number, got nan")
        }
    }

    /// Not only the float fields: a non-finite number in any field at all (an integer, a string, a choice, a list)
    /// is a one-line error naming it, never Foundation's "Invalid number value (nan) in JSON".
    func testANonFiniteNumberInEveryFieldNamesTheField() {
        for field in fields {
            for literal in [".nan", "-.inf"] {
                XCTAssertThrowsError(try ScanPlan.parse(yaml(field.path, literal), json: false, source: "c"), field.path) { error in
                    XCTAssertEqual((error as? ConfigError)?.field, "c: \(field.path)", "\(error)")
                    XCTAssertFalse("\(error)".contains("JSON"), "\(error)")
                }
            }
        }
        assertConfigError("name: .nan\n", field: "c: name", message: "expected a string, got nan")
        assertConfigError("target: {lr: [1, .inf]}\n", field: "c: target.lr[1]", message: "expected a finite number, got inf")
    }

    func testTheDecoderItselfNamesTheFieldUnderItsPath() {
        XCTAssertThrowsError(try ConfigDecoder.decode(ScanConfig.self, from: ["attack": ["lr": Double.infinity]],
                                                      over: ScanConfig(), path: "studies[3]")) { error in
            XCTAssertEqual(error as? ConfigError, ConfigError(field: "studies[3].attack.lr", "expected a finite number, got inf"))
        }
        XCTAssertThrowsError(try ConfigDecoder.decode(ScanConfig.self, from: ["leakage_threshold": NSNumber(value: Double.nan)],
                                                      over: ScanConfig())) { error in
            XCTAssertEqual("\(error)", "leakage_threshold: expected a finite number, got nan")
        }
    }

    /// JSON has no NaN or infinity; a literal too large for a double is the one way JSON text gets there.
    func testAnOutOfRangeJSONNumberNamesTheField() {
        assertConfigError(#"{"name": "1e400", "target": {"epochs": 2, "lr": 1e400}}"#, json: true, field: "c: target.lr",
                          message: "expected a finite number, got 1e400 (out of range for a double)")
        assertConfigError(#"{"studies": [{"name": "a"}, {"name": "b", "attack": {"lr": -1E999}}]}"#, json: true,
                          field: "c: studies[1].attack.lr", message: "expected a finite number, got -1E999 (out of range for a double)")
        assertConfigError(#"{"target": {"lr": NaN}}"#, json: true, field: "c", message: "not valid JSON")
    }

    // MARK: Empty files

    func testAnEmptyConfigurationIsRefused() throws {
        let message = "the configuration is empty; name at least one field (an empty file would run the full default study)"
        for text in ["", "\n", "   \n# only a comment\n  # and another\n", "---\n", "~\n", "null\n", "{}\n"] {
            assertConfigError(text, field: "c", message: message, exact: true)
        }
        for text in ["", " \n\t\n", "{}", " { } "] {
            assertConfigError(text, json: true, field: "c", message: message, exact: true)
        }
        let folder = try makeTemporaryDirectory("gpz-config-input")
        for name in ["empty.yaml", "empty.yml", "empty.json"] {
            let url = folder.appendingPathComponent(name)
            try "\n".write(to: url, atomically: true, encoding: .utf8)
            XCTAssertThrowsError(try ScanPlan.load(url)) { error in
                XCTAssertEqual("\(error)", "\(name): \(message)")
            }
        }
        // A file naming one field is not empty.
        let one = folder.appendingPathComponent("one.yaml")
        try "name: one\n".write(to: one, atomically: true, encoding: .utf8)
        XCTAssertEqual(try ScanPlan.load(one).studies.map(\.name), ["one"])
    }

    // MARK: ConfigFile

    func testConfigFileReadsConfigurationFilesWithinTheLimit() throws {
        let folder = try makeTemporaryDirectory("gpz-config-file")
        let text = folder.appendingPathComponent("plan.txt")
        try "name: x\n".write(to: text, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ConfigFile.load(text)) { error in
            XCTAssertEqual("\(error)", "\(text.path): expected a .yaml, .yml or .json configuration file")
        }
        let missing = folder.appendingPathComponent("missing.yaml")
        XCTAssertThrowsError(try ConfigFile.load(missing)) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(missing.path): cannot read the configuration file ("), "\(error)")
        }
        let big = folder.appendingPathComponent("big.yaml")
        try Data(repeating: UInt8(ascii: "#"), count: ConfigText.maxBytes + 10).write(to: big)
        XCTAssertThrowsError(try ConfigFile.load(big)) { error in
            XCTAssertEqual("\(error)", "big.yaml: \(ConfigText.maxBytes + 10) bytes, more than the limit of \(ConfigText.maxBytes)")
        }
        let device = folder.appendingPathComponent("zero.yaml")
        try FileManager.default.createSymbolicLink(at: device, withDestinationURL: URL(fileURLWithPath: "/dev/zero"))
        XCTAssertThrowsError(try ConfigFile.load(device)) { error in
            XCTAssertEqual("\(error)", "zero.yaml: more than the limit of \(ConfigText.maxBytes) bytes")
        }
        let subfolder = folder.appendingPathComponent("folder.yaml")
        try FileManager.default.createDirectory(at: subfolder, withIntermediateDirectories: true)
        XCTAssertThrowsError(try ConfigFile.load(subfolder)) { error in
            XCTAssertEqual("\(error)", "\(subfolder.path): cannot read the configuration file (is a folder, expected a file)")
        }
        let binary = folder.appendingPathComponent("binary.yaml")
        try Data([0x6e, 0x3a, 0x20, 0xff, 0xfe, 0x0a]).write(to: binary)
        XCTAssertThrowsError(try ConfigFile.load(binary)) { error in
            XCTAssertEqual("\(error)", "\(binary.path): cannot read the configuration file (not UTF-8 text)")
        }
        let good = folder.appendingPathComponent("good.YML")
        try "name: good\ntarget: {epochs: 3}\n".write(to: good, atomically: true, encoding: .utf8)
        let file = try ConfigFile.load(good)
        XCTAssertEqual(file.source, "good.YML")
        XCTAssertEqual((file.document as? [String: Any])?["name"] as? String, "good")
        XCTAssertEqual(try ScanPlan.load(good).studies[0].target.epochs, 3)
    }

    /// Two keys of one mapping that read the same as text (an integer 1 and a string "1") are an error, not a trap.
    func testKeysThatReadTheSameAreAnError() {
        let document: [AnyHashable: Any] = ["target": [AnyHashable(1): "a", AnyHashable("1"): "b"] as [AnyHashable: Any]]
        XCTAssertThrowsError(try ConfigDecoder.decode(ScanConfig.self, from: document, over: ScanConfig())) { error in
            XCTAssertEqual(error as? ConfigError, ConfigError(field: "target", "the key '1' appears twice"))
        }
        XCTAssertThrowsError(try ScanPlan.parse("target: {1: a, \"1\": b}\n", json: false, source: "c")) { error in
            XCTAssertTrue(error is ConfigError, "\(error)")
        }
    }

    // MARK: The one formatter of decoding errors

    private struct Sample: Codable {
        var runs: [Run]
        struct Run: Codable { var edge: Double; var name: String }
    }

    private func failure(_ json: String) -> DecodingError? {
        do {
            _ = try JSONDecoder().decode(Sample.self, from: Data(json.utf8))
            return nil
        } catch {
            return error as? DecodingError
        }
    }

    func testDecodingFailureNamesTheFieldOnce() throws {
        let mismatch = try XCTUnwrap(failure(#"{"runs": [{"edge": 1, "name": "a"}, {"edge": "x", "name": "b"}]}"#))
        var told = DecodingFailure(mismatch)
        XCTAssertEqual(told.field, "runs[1].edge")
        XCTAssertEqual(told.message, "expected a number")
        XCTAssertNotNil(told.detail)
        XCTAssertEqual(told.keyNames, "runs.Index 1.edge")
        XCTAssertEqual(ConfigError(decoding: mismatch, path: "studies[2]"), ConfigError(field: "studies[2].runs[1].edge", "expected a number"))
        XCTAssertTrue(mismatch.fieldMessage.hasPrefix("field 'runs.Index 1.edge': expected a number ("), mismatch.fieldMessage)

        let missing = try XCTUnwrap(failure(#"{"runs": [{"edge": 1}]}"#))
        told = DecodingFailure(missing)
        XCTAssertEqual(told.field, "runs[0].name")
        XCTAssertEqual(told.message, "missing")
        XCTAssertTrue(told.isMissing)
        XCTAssertEqual(missing.fieldMessage, "missing field 'runs.Index 0.name'")

        let null = try XCTUnwrap(failure(#"{"runs": [{"edge": null, "name": "a"}]}"#))
        XCTAssertEqual(DecodingFailure(null).message, "expected a number, got null")

        let list = try XCTUnwrap(failure(#"{"runs": {"edge": 1}}"#))
        XCTAssertEqual(DecodingFailure(list).message, "expected a list")
        XCTAssertEqual(DecodingFailure(list, vocabulary: .json).message, "expected an array")
        let top = try XCTUnwrap(failure("[1]"))
        XCTAssertEqual(DecodingFailure(top).field, "(top level)")
        XCTAssertEqual(DecodingFailure(top, topLevel: "body", vocabulary: .json).description, "body: expected an object")

        let corrupt = try XCTUnwrap(failure(#"{"runs": ["#))
        told = DecodingFailure(corrupt, topLevel: "body")
        XCTAssertEqual(told.field, "body")
        XCTAssertFalse(told.message.isEmpty)
        XCTAssertFalse(told.explained.contains("\n"))
    }

    // MARK: Through the command line

    func testTheCommandLineRefusesANonFiniteNumberAndAnEmptyFileInOneLine() throws {
        let folder = try makeTemporaryDirectory("gpz-config-cli")
        func scan(_ name: String, _ text: String) throws -> (status: Int32, stdout: String, stderr: String) {
            let url = folder.appendingPathComponent(name)
            try text.write(to: url, atomically: true, encoding: .utf8)
            return try GPZExecutable.run(["scan", "--config", url.path, "--out", folder.appendingPathComponent("run").path],
                                         besides: Self.self)
        }
        let nan = try scan("bad.yaml", "target:\n  lr: .nan\n")
        XCTAssertEqual(nan.status, 2, nan.stderr)
        XCTAssertEqual(nan.stderr, "error: bad.yaml: target.lr: expected a finite number, got nan\n")
        let plan = try scan("plan.yaml", "studies:\n  - name: a\n  - name: b\n    attack: {lr: -.inf}\n")
        XCTAssertEqual(plan.status, 2, plan.stderr)
        XCTAssertEqual(plan.stderr, "error: plan.yaml: studies[1].attack.lr: expected a finite number, got -inf\n")
        let empty = try scan("empty.yaml", "# nothing yet\n")
        XCTAssertEqual(empty.status, 2, empty.stderr)
        XCTAssertEqual(empty.stderr, "error: empty.yaml: the configuration is empty; name at least one field "
                       + "(an empty file would run the full default study)\n")
        let json = try scan("empty.json", "")
        XCTAssertEqual(json.status, 2, json.stderr)
        XCTAssertTrue(json.stderr.hasPrefix("error: empty.json: the configuration is empty"), json.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("run").path), "nothing started")
    }

    private func assertConfigError(_ text: String, json: Bool = false, field: String, message: String, exact: Bool = false,
                                   file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try ScanPlan.parse(text, json: json, source: "c"), text, file: file, line: line) { error in
            guard let error = error as? ConfigError else { return XCTFail("not a ConfigError: \(error)", file: file, line: line) }
            XCTAssertEqual(error.field, field, "\(error)", file: file, line: line)
            if exact {
                XCTAssertEqual(error.message, message, file: file, line: line)
            } else {
                XCTAssertTrue(error.message.hasPrefix(message), "\(error)", file: file, line: line)
            }
            XCTAssertFalse("\(error)".contains("\n"), "\(error)", file: file, line: line)
        }
    }
}
