import Foundation
import GPZAttacks
import GPZConfig
import GPZData
import GPZModels
import GPZReport
import GPZScan
import GPZTensor
import GPZTraining
import XCTest

final class ScanConfigTests: XCTestCase {
    func testDefaultsAndEveryPresetAreValid() throws {
        XCTAssertNoThrow(try ScanConfig().validate())
        for name in ScanPresets.names {
            XCTAssertNoThrow(try ScanPresets.plan(name).validate(), name)
        }
    }

    /// The deep presets' LS+ plan repeats deep-vgg16bn's one-hot study exactly (same target, same attack), so with
    /// deep-vgg16bn's targets folder it trains only the LS+ target.
    func testDeepLabelPlanSharesTheOneHotStudy() throws {
        let deep = try ScanPresets.plan("deep-vgg16bn").studies
        let labels = try ScanPresets.plan("deep-vgg16bn-lsplus").studies
        XCTAssertEqual(labels.map(\.name), ["onehot-decoder", "lsplus-decoder"])
        XCTAssertEqual(labels[0], deep[0])
        XCTAssertEqual(labels[1].target.labels, .smoothed(0.3))
        XCTAssertNotEqual(try labels[1].target.hash, try deep[0].target.hash)
        let resnet = try ScanPresets.plan("deep-resnet18").studies
        XCTAssertEqual(resnet.map(\.target.trainLimit), [nil, nil, nil], "every training image")
        XCTAssertEqual(Set(try resnet.map { try $0.target.hash }).count, 1, "one target, trained once")
    }

    /// Every example plan under docs/examples parses and validates.
    func testDocumentedExamplePlansAreValid() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/examples")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".yaml") }
        XCTAssertFalse(files.isEmpty)
        for file in files {
            XCTAssertNoThrow(try ScanPlan.load(folder.appendingPathComponent(file)).validate(), file)
        }
        let plan = try ScanPlan.load(folder.appendingPathComponent("deploy-encodings.yaml"))
        XCTAssertEqual(plan.studies.map(\.attack.encoding), [.fp32, .fp16, .int8])
        XCTAssertEqual(Set(try plan.studies.map { try $0.target.hash }).count, 1, "one target, trained once")
    }

    func testYAMLStudyOverridesOnlyWhatItNames() throws {
        let plan = try ScanPlan.parse("""
            name: tiny
            target:
              image_size: 28
              epochs: 2
              labels: "ls:0.3"
            attack:
              splits: block1,logits
              evaluate_limit: 100
            """, json: false, source: "tiny.yaml")
        XCTAssertEqual(plan.studies.count, 1)
        let study = plan.studies[0]
        XCTAssertEqual(study.name, "tiny")
        XCTAssertEqual(study.target.imageSize, 28)
        XCTAssertEqual(study.target.epochs, 2)
        XCTAssertEqual(study.target.labels, .smoothed(0.3))
        XCTAssertEqual(study.target.architecture, .cnn4)
        XCTAssertEqual(study.target.dataset, ScanConfig().target.dataset)
        XCTAssertEqual(study.attack.splits, "block1,logits")
        XCTAssertEqual(study.attack.evaluateLimit, 100)
        XCTAssertEqual(study.attack.epochs, AttackConfig().epochs)
    }

    func testJSONPlanWithSeveralStudies() throws {
        let plan = try ScanPlan.parse("""
            {"name": "two", "studies": [{"name": "a"}, {"name": "b", "target": {"cnn4_width": 8}}]}
            """, json: true, source: "two.json")
        XCTAssertEqual(plan.studies.map(\.name), ["a", "b"])
        XCTAssertEqual(plan.studies[1].target.cnn4Width, 8)
        XCTAssertEqual(plan.directory(of: plan.studies[1], in: URL(fileURLWithPath: "/r")).path, "/r/b")
    }

    func testWrongFieldTypeNamesTheField() {
        assertConfigError("target:\n  epochs: three\n", contains: "target.epochs", "expected an integer")
        assertConfigError("{\"attack\": {\"lr\": \"fast\"}}", json: true, contains: "attack.lr", "expected a number")
    }

    func testUnknownFieldIsAnError() {
        assertConfigError("target:\n  epoch: 3\n", contains: "target.epoch", "unknown field")
        assertConfigError("colour: red\n", contains: "colour", "unknown field")
        assertConfigError("studies:\n  - {name: a, attack: {evaluate_lmit: 3}}\n", contains: "studies[0].attack.evaluate_lmit",
                          "unknown field")
        assertConfigError("target:\n  labels: soft\n", contains: "target.labels", "not onehot")
        assertConfigError("target:\n  architecture: alexnet\n", contains: "target.architecture")
    }

    func testOutOfRangeValuesNameTheField() throws {
        var config = ScanConfig()
        config.target.epochs = 0
        XCTAssertThrowsError(try config.validate()) { XCTAssertEqual(($0 as? ConfigError)?.field, "target.epochs") }
        config = ScanConfig()
        config.attack.batchSize = -1
        XCTAssertThrowsError(try config.validate()) { XCTAssertEqual(($0 as? ConfigError)?.field, "attack.batch") }
        config = ScanConfig()
        config.attack.evaluateLimit = 0
        XCTAssertThrowsError(try config.validate()) {
            XCTAssertEqual("\($0)", "attack.evaluate_limit: expected at least 1, got 0")
        }
        config = ScanConfig()
        config.analysis.sample = 0
        XCTAssertThrowsError(try config.validate()) { XCTAssertEqual(($0 as? ConfigError)?.field, "analysis.sample") }
        config = ScanConfig()
        config.target.learningRate = 1e300
        XCTAssertThrowsError(try config.validate()) {
            XCTAssertEqual("\($0)", "target.lr: expected a learning rate of at most 10, got 1e+300")
        }
        config = ScanConfig()
        config.leakageThreshold = 1
        XCTAssertThrowsError(try config.validate()) { XCTAssertEqual(($0 as? ConfigError)?.field, "leakage_threshold") }
        config = ScanConfig()
        config.analysis.majority = 0.5
        XCTAssertThrowsError(try config.validate()) { XCTAssertEqual(($0 as? ConfigError)?.field, "analysis.majority") }
        config = ScanConfig()
        config.attack.seeds = 0
        XCTAssertThrowsError(try config.validate()) { XCTAssertEqual(($0 as? ConfigError)?.field, "attack.seeds") }
        config = ScanConfig()
        config.privacyThreshold = .nan
        XCTAssertThrowsError(try config.validate()) {
            XCTAssertEqual(($0 as? ConfigError)?.field, "privacy_threshold")
        }
    }

    func testUnknownPresetListsTheKnownOnes() {
        XCTAssertThrowsError(try ScanPresets.plan("fastest")) { error in
            XCTAssertTrue("\(error)".contains("quick"), "\(error)")
        }
    }

    func testNullClearsAnOptionalSetting() throws {
        let plan = try ScanPlan.parse("target: {image_size: null}\nanalysis: {sample: null}\n", json: false, source: "c")
        XCTAssertNil(plan.studies[0].target.imageSize)
        XCTAssertNil(plan.studies[0].analysis.sample)
    }

    func testHashesSeparateTheStages() throws {
        var a = ScanConfig(), b = ScanConfig()
        b.attack.epochs += 1
        XCTAssertEqual(try a.target.hash, try b.target.hash)
        XCTAssertEqual(try a.analysisHash, try b.analysisHash)
        XCTAssertNotEqual(try a.attackHash, try b.attackHash)
        a.target.labels = .smoothed(0.3)
        XCTAssertNotEqual(try a.analysisHash, try b.analysisHash)
        var renamed = ScanConfig()
        renamed.name = "other"
        XCTAssertEqual(try renamed.hash, try ScanConfig().hash)
        var infinite = ScanConfig()
        infinite.target.learningRate = .infinity
        XCTAssertThrowsError(try infinite.hash)
    }

    private func assertConfigError(_ text: String, json: Bool = false, contains parts: String...,
                                   file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try ScanPlan.parse(text, json: json, source: "c"), file: file, line: line) { error in
            let message = "\(error)"
            XCTAssertTrue(error is ConfigError, message, file: file, line: line)
            XCTAssertFalse(message.contains("\n"), message, file: file, line: line)
            for part in parts { XCTAssertTrue(message.contains(part), message, file: file, line: line) }
        }
    }
}
