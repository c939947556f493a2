import Foundation
import GPZPipeline
import XCTest

final class ScanConfigTests: XCTestCase {
    func testDefaultsAndEveryPresetAreValid() throws {
        XCTAssertNoThrow(try ScanConfig().validate())
        for name in ScanPresets.names {
            XCTAssertNoThrow(try ScanPresets.plan(name).validate(), name)
        }
    }

    func testYAMLStudyOverridesOnlyWhatItNames() throws {
        let plan = try ScanPlan.parse("""
            name: tiny
            image_size: 28
            target:
              epochs: 2
              labels: "ls:0.3"
            attack:
              splits: block1,logits
              evaluate_limit: 100
            """, json: false, source: "tiny.yaml")
        XCTAssertEqual(plan.studies.count, 1)
        let study = plan.studies[0]
        XCTAssertEqual(study.name, "tiny")
        XCTAssertEqual(study.imageSize, 28)
        XCTAssertEqual(study.target.epochs, 2)
        XCTAssertEqual(study.target.labels, "ls:0.3")
        XCTAssertEqual(study.target.model, "cnn4")
        XCTAssertEqual(study.attack.splits, "block1,logits")
        XCTAssertEqual(study.attack.evaluateLimit, 100)
        XCTAssertEqual(study.attack.epochs, ScanConfig.AttackSection().epochs)
    }

    func testJSONPlanWithSeveralStudies() throws {
        let plan = try ScanPlan.parse("""
            {"name": "two", "studies": [{"name": "a"}, {"name": "b", "target": {"width": 8}}]}
            """, json: true, source: "two.json")
        XCTAssertEqual(plan.studies.map(\.name), ["a", "b"])
        XCTAssertEqual(plan.studies[1].target.width, 8)
        XCTAssertEqual(plan.directory(of: plan.studies[1], in: URL(fileURLWithPath: "/r")).path, "/r/b")
    }

    func testWrongFieldTypeNamesTheField() {
        assertConfigError("target:\n  epochs: three\n", contains: "target.epochs", "expected an integer")
        assertConfigError("{\"attack\": {\"lr\": \"fast\"}}", json: true, contains: "attack.lr", "expected a number")
    }

    func testUnknownFieldIsAnError() {
        assertConfigError("target:\n  epoch: 3\n", contains: "target.epoch", "unknown field")
        assertConfigError("colour: red\n", contains: "colour", "unknown field")
    }

    func testOutOfRangeValuesNameTheField() throws {
        var config = ScanConfig()
        config.target.epochs = 0
        XCTAssertThrowsError(try config.validate()) { XCTAssertEqual(($0 as? ScanConfigError)?.field, "target.epochs") }
        config = ScanConfig()
        config.attack.batch = -1
        XCTAssertThrowsError(try config.validate()) { XCTAssertEqual(($0 as? ScanConfigError)?.field, "attack.batch") }
        config = ScanConfig()
        config.target.labels = "soft"
        XCTAssertThrowsError(try config.validate()) { XCTAssertEqual(($0 as? ScanConfigError)?.field, "target.labels") }
        config = ScanConfig()
        config.privacyThreshold = .nan
        XCTAssertThrowsError(try config.validate()) {
            XCTAssertEqual(($0 as? ScanConfigError)?.field, "privacy_threshold")
        }
    }

    func testUnknownPresetListsTheKnownOnes() {
        XCTAssertThrowsError(try ScanPresets.plan("fastest")) { error in
            XCTAssertTrue("\(error)".contains("quick"), "\(error)")
        }
    }

    func testHashesSeparateTheStages() {
        var a = ScanConfig(), b = ScanConfig()
        b.attack.epochs += 1
        XCTAssertEqual(a.training.hash, b.training.hash)
        XCTAssertEqual(a.analysisHash, b.analysisHash)
        XCTAssertNotEqual(a.attackHash, b.attackHash)
        a.target.labels = "ls:0.3"
        XCTAssertNotEqual(a.analysisHash, b.analysisHash)
        var renamed = ScanConfig()
        renamed.name = "other"
        XCTAssertEqual(renamed.hash, ScanConfig().hash)
    }

    private func assertConfigError(_ text: String, json: Bool = false, contains parts: String...,
                                   file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try ScanPlan.parse(text, json: json, source: "c"), file: file, line: line) { error in
            let message = "\(error)"
            XCTAssertTrue(error is ScanConfigError, message, file: file, line: line)
            XCTAssertFalse(message.contains("\n"), message, file: file, line: line)
            for part in parts { XCTAssertTrue(message.contains(part), message, file: file, line: line) }
        }
    }
}
