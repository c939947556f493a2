import Foundation
import GPZData
import GPZModels
import GPZNN
import GPZTensor
import GPZTestSupport
import XCTest

/// Models exported from PyTorch 2.13 by `python/gpz_export.py` (run from `.deps/python`), loaded by GPZ.
final class ScriptArchiveTests: XCTestCase {
    override func setUpWithError() throws {
        try Runtime.manualSeed(7)
    }

    private func resnet18() throws -> URL {
        try PythonExporter.export("resnet18", ["--torchvision", "resnet18", "--input", "3,32,32", "--classes", "10",
                                               "--splits", "layer1,layer2,layer3,layer4"])
    }

    private func smallViT() throws -> URL {
        try PythonExporter.export("small-vit", ["--factory", "python/gpz_models.py:small_vit", "--kwargs",
                                                #"{"img_size": 16, "patch": 4, "channels": 3, "classes": 5}"#,
                                                "--input", "3,16,16", "--classes", "5"])
    }

    /// GPZ's own cnn4 (ndf 8, 1×32×32, 10 classes) with batch-norm statistics moved off their initial values.
    private func cnn4() throws -> StagedModel {
        let model = try ModelFactory.make(ModelConfig(architecture: .cnn4, channels: 1, imageSize: 32, classes: 10,
                                                      options: ModelOptions(cnn4Width: 8)))
        _ = try withNoGrad { try model(try Tensor.randn([16, 1, 32, 32]) * 2 + 0.5) }
        model.eval()
        return model
    }

    /// The paper's Classifier_4 written in PyTorch, exported with the weights of `model` (one safetensors file).
    private func classifier4(weightsOf model: StagedModel, name: String) throws -> URL {
        let weights = try PythonExporter.scratch("\(name).safetensors")
        try model.saveWeights(to: weights)
        return try PythonExporter.export(name, ["--factory", "python/gpz_models.py:classifier4", "--kwargs",
                                                #"{"nc": 1, "ndf": 8, "nz": 10, "img_size": 32}"#,
                                                "--input", "1,32,32", "--classes", "10", "--weights", weights.path,
                                                "--splits", "block1,block2,block3,block4"])
    }

    func testResNet18SplitsAtItsLayersAndEachCutComposes() throws {
        let (model, metadata) = try ScriptArchive.load(try resnet18())
        XCTAssertEqual(metadata.source, "torchvision:resnet18")
        XCTAssertEqual(model.splitPoints.map(\.name), ["layer1", "layer2", "layer3", "layer4", "logits"])
        XCTAssertEqual(model.splitPoints.map(\.shape), [[64, 8, 8], [128, 4, 4], [256, 2, 2], [512, 1, 1], [10]])
        XCTAssertEqual(model.parameterCount, 11_181_642, "torchvision's resnet18 with 10 classes")
        let costs = try SplitCost.all(for: model)
        XCTAssertEqual(costs.last?.edgeParameters, 11_181_642)
        XCTAssertTrue(costs.allSatisfy { $0.macsDerived == nil && $0.edgeMACs > 0 })
        let input = try Tensor.randn([2, 3, 32, 32])
        let logits = try model(input)
        for split in model.splitPoints {
            let joined = try model.cloud(try model.edge(input, upTo: split.index), from: split.index)
            XCTAssertEqual(try maxAbsDifference(joined, logits), 0, "split \(split.name)")
        }
    }

    func testSmallViTOnScaledDotProductAttentionLoadsAndComposes() throws {
        let url = try smallViT()
        let bytes = try Data(contentsOf: url)
        XCTAssertNotNil(bytes.range(of: Data("scaled_dot_product_attention".utf8)), "the archive calls sdpa")
        let (model, _) = try ScriptArchive.load(url)
        XCTAssertEqual(model.splitPoints.last?.shape, [5])
        XCTAssertGreaterThanOrEqual(model.splitPoints.count, 3)
        let input = try Tensor.randn([3, 3, 16, 16])
        let middle = model.splitPoints[1].index
        XCTAssertEqual(try maxAbsDifference(try model.cloud(try model.edge(input, upTo: middle), from: middle),
                                            try model(input)), 0)
    }

    /// The same weights in GPZ's cnn4 and in PyTorch's Classifier_4: the features at every split agree to 1e-5.
    func testClassifier4FromPyTorchMatchesCNN4AtEverySplit() throws {
        let native = try cnn4()
        let (exported, _) = try ScriptArchive.load(try classifier4(weightsOf: native, name: "classifier4"))
        XCTAssertEqual(exported.splitPoints.map(\.name), native.splitPoints.map(\.name))
        XCTAssertEqual(exported.splitPoints.map(\.shape), native.splitPoints.map(\.shape))
        XCTAssertEqual(exported.parameterCount, native.parameterCount)
        let input = try Tensor.randn([4, 1, 32, 32])
        let all = Array(1...native.splitPoints.count)
        let (ours, _) = try native.features(input, at: all)
        let (theirs, _) = try exported.features(input, at: all)
        for index in all {
            let difference = try maxAbsDifference(ours[index]!, theirs[index]!)
            XCTAssertLessThanOrEqual(difference, 1e-5, "split \(index)")
        }
    }

    /// rMLE needs gradients through the edge stages: the directional derivative from backward matches a central
    /// finite difference.
    func testGradientsFlowThroughExportedEdgeStages() throws {
        let (model, _) = try ScriptArchive.load(try classifier4(weightsOf: try cnn4(), name: "classifier4-grad"))
        let input = try Tensor.randn([1, 1, 32, 32], dtype: .float64).to(.float32)
        let direction = try Tensor.randn([1, 1, 32, 32])
        func objective(_ x: Tensor) throws -> Tensor { try model.edge(x, upTo: 2).square().sum() }
        let x = try input.requiringGrad()
        try objective(x).backward()
        let gradient = try XCTUnwrap(x.grad)
        let analytic = try (gradient * direction).sum().item()
        let epsilon = 1e-2
        let numeric = try withNoGrad {
            (try objective(try input + direction * epsilon).item() - (try objective(try input - direction * epsilon).item()))
                / (2 * epsilon)
        }
        XCTAssertNotEqual(analytic, 0)
        XCTAssertEqual(numeric, analytic, accuracy: 0.02 * Swift.abs(analytic))
    }

    func testAnArchiveWhoseStagesDoNotComposeIsRefused() throws {
        let good = try classifier4(weightsOf: try cnn4(), name: "classifier4-broken")
        let broken = try PythonExporter.scratch("broken.gpz.pt")
        let script = """
            import sys, torch
            files = {"gpz.json": ""}
            m = torch.jit.load(sys.argv[1], _extra_files=files)
            m.reference_output.add_(0.5)
            torch.jit.save(m, sys.argv[2], _extra_files=files)
            """
        let result = try PythonExporter.run(["-c", script, good.path, broken.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertThrowsError(try ScriptArchive.load(broken)) { error in
            XCTAssertTrue("\(error)".contains("the stages do not compose"), "\(error)")
            XCTAssertFalse("\(error)".contains("\n"))
        }
    }

    /// Truncated, overwritten and padded copies of an archive: each loads or is refused with a one-line error.
    func testCorruptedArchivesAreRefusedWithoutCrashing() throws {
        let bytes = [UInt8](try Data(contentsOf: try classifier4(weightsOf: try cnn4(), name: "classifier4-fuzz")))
        var generator = SeededRandom(seed: 2026)
        let target = try PythonExporter.scratch("corrupt.gpz.pt")
        var refused = 0
        for round in 0..<60 {
            var copy = bytes
            switch round % 3 {
            case 0: copy = Array(copy.prefix(generator.below(copy.count)))
            case 1: for _ in 0..<(1 + generator.below(8)) { copy[generator.below(copy.count)] = UInt8(generator.below(256)) }
            default: copy.insert(contentsOf: (0..<(1 + generator.below(64))).map { _ in UInt8(generator.below(256)) },
                                 at: generator.below(copy.count))
            }
            try Data(copy).write(to: target)
            do {
                _ = try ScriptArchive.load(target)
            } catch let error as ModelError {
                refused += 1
                XCTAssertFalse(error.message.contains("\n"), "round \(round): \(error.message)")
            }
        }
        XCTAssertGreaterThan(refused, 20)
    }
}
