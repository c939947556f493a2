import GPZTestSupport
import XCTest
import GPZModels
import GPZNN
import GPZTensor

/// Cutting a model anywhere changes nothing: for every split k, edge(x, upTo: k) equals the features that one
/// full pass records at k, and cloud(edge(x, upTo: k), from: k) equals model(x), exactly.
final class SplitConsistencyTests: SeededTestCase {
    private func assertExactSplits(_ architecture: Architecture, channels: Int = 3, imageSize: Int, batch: Int = 1,
                                   file: StaticString = #filePath, line: UInt = #line) throws {
        let model = try evalModel(architecture, channels: channels, imageSize: imageSize)
        let x = try randomInput(for: model, batch: batch)
        try withNoGrad {
            let all = model.splitPoints.map(\.index)
            let (features, logits) = try model.features(x, at: all)
            XCTAssertEqual(try maxAbsDifference(model.forward(x), logits), 0, "\(architecture) forward",
                           file: file, line: line)
            for point in model.splitPoints {
                let edge = try model.edge(x, upTo: point.index)
                let recorded = try XCTUnwrap(features[point.index])
                XCTAssertEqual(try maxAbsDifference(edge, recorded), 0, "\(architecture) edge at \(point)",
                               file: file, line: line)
                XCTAssertEqual(try maxAbsDifference(model.cloud(edge, from: point.index), logits), 0,
                               "\(architecture) cloud from \(point)", file: file, line: line)
            }
        }
    }

    func testCNN4() throws {
        try assertExactSplits(.cnn4, imageSize: 64, batch: 2)
        try assertExactSplits(.cnn4, channels: 1, imageSize: 28)
    }

    func testVGG16() throws { try assertExactSplits(.vgg16bn, imageSize: 32) }
    func testVGG19() throws { try assertExactSplits(.vgg19bn, channels: 1, imageSize: 28) }
    func testResNet18() throws { try assertExactSplits(.resnet18, imageSize: 32) }
    func testIR152() throws { try assertExactSplits(.ir152, imageSize: 28) }
    func testViT() throws { try assertExactSplits(.vit, channels: 1, imageSize: 28) }

    /// features(at:) returns only what was asked for, with the same logits.
    func testFeaturesAtSomeSplits() throws {
        let model = try evalModel(.cnn4, imageSize: 32)
        let x = try randomInput(for: model)
        let (features, logits) = try model.features(x, at: [2, 4])
        XCTAssertEqual(features.keys.sorted(), [2, 4])
        XCTAssertEqual(try maxAbsDifference(logits, model.forward(x)), 0)
        XCTAssertThrowsError(try model.features(x, at: [0]))
    }

    /// The BN splits of VGG hold the batch-norm output, not the ReLU output that the paper's in-place ReLU
    /// leaves there.
    func testVGGBatchNormSplitIsNotOverwrittenByReLU() throws {
        let model = try evalModel(.vgg16bn, imageSize: 32)
        let (features, _) = try model.features(randomInput(for: model), at: [2, 3])
        let bn = try XCTUnwrap(features[2]), relu = try XCTUnwrap(features[3])
        XCTAssertLessThan(try bn.min().item(), 0)
        XCTAssertEqual(try maxAbsDifference(bn.relu(), relu), 0)
    }

    /// Training and evaluation mode reach every layer, including those inside heads and residual units.
    func testModeReachesEveryModule() throws {
        for architecture in Architecture.allCases {
            let model = try ModelFactory.make(ModelConfig(architecture: architecture, imageSize: 32))
            XCTAssertTrue(model.namedModules().allSatisfy { $0.module.isTraining }, "\(architecture)")
            model.eval()
            XCTAssertTrue(model.namedModules().allSatisfy { !$0.module.isTraining }, "\(architecture)")
            if architecture != .resnet18 {
                XCTAssertTrue(model.namedModules().contains { $0.module is Dropout }, "\(architecture) dropout")
            }
        }
    }

    /// State-dict names follow the stage keys.
    func testStateDictNames() throws {
        let names = { (architecture: String) in
            Set(try ModelFactory.make(architecture: architecture, imageSize: 32).stateDict().map(\.name))
        }
        let vgg = try names("vgg16bn")
        for name in ["features.0.weight", "features.1.running_var", "classifier.0.weight", "classifier.6.bias"] {
            XCTAssertTrue(vgg.contains(name), name)
        }
        let ir152 = try names("ir152")
        for name in ["input_layer.2.weight", "body.49.residual.4.weight", "body.3.shortcut.0.weight",
                     "output_layer.3.weight", "fc_layer.weight"] {
            XCTAssertTrue(ir152.contains(name), name)
        }
        let vit = try names("vit")
        for name in ["patch_embed.cls_token", "patch_embed.pos_embed", "patch_embed.proj.weight",
                     "blocks.5.attn.in_proj_weight", "blocks.0.mlp.3.bias", "head.fc.weight"] {
            XCTAssertTrue(vit.contains(name), name)
        }
        XCTAssertTrue(try names("resnet18").isSuperset(of: ["conv1.0.weight", "layer2.0.shortcut.1.weight", "fc.bias"]))
        XCTAssertTrue(try names("cnn4").isSuperset(of: ["block4.0.weight", "fc.0.weight", "fc.2.bias"]))
    }
}
