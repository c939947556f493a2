import GPZTestSupport
import XCTest
import GPZModels
import GPZTensor

/// The features at every split have the shape `splitPoints` declares, at 28, 32 and 64 px with 1 and 3
/// channels, and the declared shapes at 64 px are the paper's.
final class SplitShapeTests: SeededTestCase {
    /// Runs one forward pass (batch 1) and compares every split's features with its declared shape and kind.
    private func assertDeclaredShapes(_ architecture: Architecture, sizes: [Int] = [28, 32, 64],
                                      channels: [Int] = [1, 3], file: StaticString = #filePath,
                                      line: UInt = #line) throws {
        for size in sizes {
            for channelCount in channels {
                let model = try evalModel(architecture, channels: channelCount, imageSize: size, classes: 7)
                let all = model.splitPoints.map(\.index)
                let (features, logits) = try withNoGrad { try model.features(randomInput(for: model), at: all) }
                let context = "\(architecture) \(channelCount)×\(size)×\(size)"
                XCTAssertEqual(logits.shape, [1, 7], context, file: file, line: line)
                XCTAssertEqual(features.count, all.count, context, file: file, line: line)
                for point in model.splitPoints {
                    let shape = try XCTUnwrap(features[point.index], context, file: file, line: line).shape
                    XCTAssertEqual(Array(shape.dropFirst()), point.shape, "\(context) split \(point)",
                                   file: file, line: line)
                    XCTAssertEqual(point.kind, SplitKind(perSampleShape: point.shape), file: file, line: line)
                }
                XCTAssertEqual(model.splitPoints.last?.name, "logits", context, file: file, line: line)
                XCTAssertEqual(model.splitPoints.last?.shape, [7], context, file: file, line: line)
            }
        }
    }

    func testCNN4() throws { try assertDeclaredShapes(.cnn4) }
    func testVGG16() throws { try assertDeclaredShapes(.vgg16bn) }
    func testVGG19() throws { try assertDeclaredShapes(.vgg19bn) }
    func testResNet18() throws { try assertDeclaredShapes(.resnet18) }
    func testViT() throws { try assertDeclaredShapes(.vit) }

    func testIR152() throws {
        try assertDeclaredShapes(.ir152, sizes: [28, 32])
        try assertDeclaredShapes(.ir152, sizes: [64], channels: [3])
    }

    /// Declared shapes at 64 px against the paper's block tables (no forward pass).
    func testPaperShapesAt64Pixels() throws {
        let cnn4 = try ModelFactory.make(architecture: "cnn4").splitPoints
        XCTAssertEqual(cnn4.map(\.shape), [[64, 32, 32], [128, 16, 16], [256, 8, 8], [512, 4, 4], [10]])
        XCTAssertEqual(cnn4.map(\.name), ["block1", "block2", "block3", "block4", "logits"])

        let resnet = try ModelFactory.make(architecture: "resnet18").splitPoints
        XCTAssertEqual(resnet.map(\.shape), [[64, 64, 64], [64, 64, 64], [64, 64, 64], [128, 32, 32],
                                             [128, 32, 32], [256, 16, 16], [256, 16, 16], [512, 8, 8],
                                             [512, 8, 8], [2048], [10]])
        XCTAssertEqual(resnet[4].name, "layer2.1")

        let ir152 = try ModelFactory.make(architecture: "ir152").splitPoints
        XCTAssertEqual(ir152.count, 53)
        let expected: [(Range<Int>, [Int])] = [(1..<2, [64, 64, 64]), (2..<5, [64, 32, 32]), (5..<13, [128, 16, 16]),
                                               (13..<49, [256, 8, 8]), (49..<52, [512, 4, 4]), (52..<53, [512])]
        for (blocks, shape) in expected {
            for block in blocks { XCTAssertEqual(ir152[block - 1].shape, shape, "ir152 block \(block)") }
        }
        XCTAssertEqual([ir152[0].name, ir152[1].name, ir152[48].name, ir152[50].name, ir152[51].name],
                       ["input_layer", "stage1.0", "stage4.0", "stage4.2", "embedding"])

        let vit = try ModelFactory.make(architecture: "vit").splitPoints
        XCTAssertEqual(vit.count, 7)
        XCTAssertTrue(vit.prefix(6).allSatisfy { $0.shape == [257, 128] && $0.kind == .tokens })
    }

    func testVGGNumberingMatchesThePaper() throws {
        let vgg19 = try ModelFactory.make(architecture: "vgg19bn").splitPoints
        XCTAssertEqual(vgg19.count, 54)
        let named = [1: "conv1_1", 2: "conv1_1.bn", 3: "conv1_1.relu", 7: "pool1", 13: "conv2_2.relu", 14: "pool2",
                     15: "conv3_1", 17: "conv3_1.relu", 18: "conv3_2", 26: "conv3_4.relu", 27: "pool3",
                     30: "conv4_1.relu", 39: "conv4_4.relu", 40: "pool4", 43: "conv5_1.relu", 52: "conv5_4.relu",
                     53: "pool5", 54: "logits"]
        for (index, name) in named { XCTAssertEqual(vgg19[index - 1].name, name, "vgg19bn split \(index)") }
        let shapes = [6: [64, 64, 64], 7: [64, 32, 32], 13: [128, 32, 32], 14: [128, 16, 16], 26: [256, 16, 16],
                      27: [256, 8, 8], 39: [512, 8, 8], 40: [512, 4, 4], 52: [512, 4, 4], 53: [512, 2, 2]]
        for (index, shape) in shapes { XCTAssertEqual(vgg19[index - 1].shape, shape, "vgg19bn split \(index)") }

        let vgg16 = try ModelFactory.make(architecture: "vgg16bn").splitPoints
        XCTAssertEqual(vgg16.count, 45)
        XCTAssertEqual([7, 14, 24, 34, 44].map { vgg16[$0 - 1].name }, ["pool1", "pool2", "pool3", "pool4", "pool5"])
    }

    /// VGG at 28 px keeps a 1×1 map after pool5 thanks to ceil-mode pooling.
    func testVGGAt28PixelsPoolsWithCeilMode() throws {
        let points = try ModelFactory.make(architecture: "vgg19bn", imageSize: 28).splitPoints
        XCTAssertEqual([7, 14, 27, 40, 53].map { points[$0 - 1].shape },
                       [[64, 14, 14], [128, 7, 7], [256, 4, 4], [512, 2, 2], [512, 1, 1]])
    }

    /// Below 28 px: the smallest sizes each architecture takes still give the declared shapes.
    func testSmallestImageSizes() throws {
        try assertDeclaredShapes(.vgg16bn, sizes: [16], channels: [1])
        try assertDeclaredShapes(.cnn4, sizes: [16], channels: [1])
        try assertDeclaredShapes(.resnet18, sizes: [25], channels: [1])
        assertThrowsError(ModelError.self, "cnn4 needs an image size of at least 16 px, got 15",
                          try ModelFactory.make(architecture: "cnn4", imageSize: 15))
    }

    /// The ViT's patch size sets the token count.
    func testViTPatchSizeOption() throws {
        let model = try ModelFactory.make(architecture: "vit", imageSize: 32, options: ModelOptions(patchSize: 8))
        XCTAssertEqual(model.splitPoints[0].shape, [17, 128])
        XCTAssertEqual(try ModelFactory.make(architecture: "vit", imageSize: 28).splitPoints[0].shape, [50, 128])
    }
}
