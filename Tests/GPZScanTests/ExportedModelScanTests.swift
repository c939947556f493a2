import Foundation
import GPZConfig
import GPZReport
import GPZScan
import GPZTestSupport
import XCTest

/// `gpz scan` on models GPZ has never seen: exported from PyTorch 2.13 by `python/gpz_export.py` with random
/// weights, scanned end to end as pretrained targets (no training) on a generated RGB data set.
final class ExportedModelScanTests: XCTestCase {
    private var work: URL!

    override func setUpWithError() throws {
        work = try makeTemporaryDirectory("gpz-exported-scan")
    }

    /// `classes` × 24 RGB images of 16×16 in a .npz (`x_train` uint8 [N, 16, 16, 3], `y_train` int64): a class-dependent
    /// colour and bright square on seeded noise, written by NumPy.
    private func writeDataSet(classes: Int) throws -> URL {
        let url = work.appendingPathComponent("rgb.npz")
        let script = """
            import sys, numpy as np
            classes = int(sys.argv[2]); rng = np.random.default_rng(0)
            labels = np.repeat(np.arange(classes), 24)
            images = rng.integers(0, 60, size=(labels.size, 16, 16, 3)).astype(np.uint8)
            for i, c in enumerate(labels):
                y, x = divmod(int(c) % 4, 2)
                images[i, 8*y:8*y+8, 8*x:8*x+8, int(c) % 3] += 150
            np.savez(sys.argv[1], x_train=images, y_train=labels.astype(np.int64))
            """
        let result = try PythonExporter.run(["-c", script, url.path, String(classes)])
        XCTAssertEqual(result.status, 0, result.stderr)
        return url
    }

    private func scan(model: URL, classes: Int, attacker: String) throws -> ScanResults {
        let data = try writeDataSet(classes: classes)
        let config = work.appendingPathComponent("scan.yaml")
        try """
            name: exported
            target: {model: "torchscript:\(model.path)", dataset: "npz:\(data.path)", private: train}
            analysis: {sample: 64, bootstrap: 4}
            attack: {epochs: 1, batch: 16, evaluate_limit: 16, attacker: \(attacker), seeds: 1}
            """.write(to: config, atomically: true, encoding: .utf8)
        let out = work.appendingPathComponent("run")
        let result = try GPZExecutable.run(["scan", "--config", config.path, "--out", out.path], besides: Self.self)
        XCTAssertEqual(result.status, 0, result.stderr)
        for file in ["results.json", "results.csv", "report.html"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent(file).path), file)
        }
        return try ResultsJSON.decoder().decode(ScanResults.self,
                                             from: Data(contentsOf: ScanRunner.resultsURL(out)))
    }

    func testTorchvisionResNet18IsScannedEndToEnd() throws {
        let model = try PythonExporter.export("resnet18", ["--torchvision", "resnet18", "--input", "3,32,32",
                                                           "--classes", "10", "--splits", "layer1,layer2,layer3,layer4"])
        let results = try scan(model: model, classes: 10, attacker: "decoder")
        XCTAssertEqual(results.target.architecture, "torchscript:\(model.path)")
        XCTAssertEqual(results.target.epochs, 0, "a pretrained target is not trained")
        XCTAssertEqual(results.splits.map(\.statistics.name), ["layer1", "layer2", "layer3", "layer4", "logits"])
        XCTAssertEqual(results.target.parameters, 11_181_642)
        let attacked = results.splits.filter { $0.attack != nil }
        XCTAssertFalse(attacked.isEmpty)
        XCTAssertTrue(attacked.allSatisfy { $0.attack!.mse.isFinite })
    }

    /// Attacked white-box (rMLE), so the gradients flow through the exported edge stages.
    func testViTOnScaledDotProductAttentionIsScannedEndToEnd() throws {
        let model = try PythonExporter.export("small-vit", ["--factory", "python/gpz_models.py:small_vit", "--kwargs",
                                                            #"{"img_size": 16, "patch": 4, "channels": 3, "classes": 5}"#,
                                                            "--input", "3,16,16", "--classes", "5"])
        let results = try scan(model: model, classes: 5, attacker: "rmle")
        XCTAssertEqual(results.splits.last?.statistics.name, "logits")
        XCTAssertTrue(results.splits.contains { $0.statistics.shape.count == 2 }, "token splits")
        XCTAssertTrue(results.splits.compactMap(\.attack).allSatisfy { $0.mse.isFinite })
    }

    func testAModelForAnotherClassCountIsAOneLineError() throws {
        let model = try PythonExporter.export("small-vit", ["--factory", "python/gpz_models.py:small_vit", "--kwargs",
                                                            #"{"img_size": 16, "patch": 4, "channels": 3, "classes": 5}"#,
                                                            "--input", "3,16,16", "--classes", "5"])
        let data = try writeDataSet(classes: 4)
        let config = work.appendingPathComponent("bad.yaml")
        try "target: {model: \"torchscript:\(model.path)\", dataset: \"npz:\(data.path)\", private: train}\n"
            .write(to: config, atomically: true, encoding: .utf8)
        let bad = try GPZExecutable.run(["scan", "--config", config.path, "--out", work.appendingPathComponent("x").path],
                                        besides: Self.self)
        XCTAssertEqual(bad.status, 2)
        XCTAssertEqual(bad.stderr.split(separator: "\n").last.map(String.init),
                       "error: model: \(model.path) classifies 5 classes, the data set npz:\(data.path) has 4")
    }

    /// An archive whose stages do not reproduce its reference output: `gpz scan` and `gpz models` refuse it with
    /// one line and exit 2, before anything is computed.
    func testAnArchiveWhoseStagesDoNotComposeExitsWithStatusTwo() throws {
        let model = try PythonExporter.export("small-vit", ["--factory", "python/gpz_models.py:small_vit", "--kwargs",
                                                            #"{"img_size": 16, "patch": 4, "channels": 3, "classes": 5}"#,
                                                            "--input", "3,16,16", "--classes", "5"])
        let broken = work.appendingPathComponent("broken.gpz.pt")
        let script = """
            import sys, torch
            files = {"gpz.json": ""}
            m = torch.jit.load(sys.argv[1], _extra_files=files)
            m.reference_output.mul_(-1)
            torch.jit.save(m, sys.argv[2], _extra_files=files)
            """
        XCTAssertEqual(try PythonExporter.run(["-c", script, model.path, broken.path]).status, 0)
        let data = try writeDataSet(classes: 5)
        let config = work.appendingPathComponent("broken.yaml")
        try "target: {model: \"torchscript:\(broken.path)\", dataset: \"npz:\(data.path)\", private: train}\n"
            .write(to: config, atomically: true, encoding: .utf8)
        let out = work.appendingPathComponent("broken-run")
        for arguments in [["scan", "--config", config.path, "--out", out.path], ["models", "torchscript:\(broken.path)"]] {
            let result = try GPZExecutable.run(arguments, besides: Self.self)
            XCTAssertEqual(result.status, 2, arguments[0])
            let last = result.stderr.split(separator: "\n").last.map(String.init) ?? ""
            XCTAssertTrue(last.hasPrefix("error: model: \(broken.path): the stages do not compose"), last)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent("targets").path))
    }
}
