import GPZTestSupport
import XCTest
import GPZAttacks
import GPZModels
import GPZNN
import GPZTensor

final class InversionDecoderTests: SeededTestCase {
    private let imageSizes = [28, 32, 64]

    /// Every split of every architecture at 28, 32 and 64 px, for 1 and 3 image channels: the deconvolution
    /// decoder built from the split's metadata maps a zero batch of the split's shape to exactly the image shape.
    func testDeconvolutionDecodersProduceTheImageShapeAtEverySplit() throws {
        for architecture in Architecture.allCases {
            for size in imageSizes {
                for split in try splitPoints(architecture, size) {
                    for channels in [1, 3] {
                        try assertImageShape(split, channels: channels, size: size, architecture: .deconvolution,
                                             context: "\(architecture) \(size) px")
                    }
                }
            }
        }
    }

    /// The strong decoder depends only on a split's kind and shape, so each distinct shape is checked once per
    /// architecture and size.
    func testStrongDecodersProduceTheImageShapeForEveryDistinctSplitShape() throws {
        for architecture in Architecture.allCases {
            for size in imageSizes {
                var seen = Set<[Int]>()
                for split in try splitPoints(architecture, size) where seen.insert(split.shape).inserted {
                    try assertImageShape(split, channels: 3, size: size, architecture: .strong,
                                         context: "\(architecture) \(size) px")
                }
            }
        }
    }

    /// A map already at the image side (VGG's first block, ResNet-18's stem) is decoded by nonlinear stages, not by
    /// one linear layer: Conv3×3 → BN → Tanh twice, halving 64 → 32 → 32 channels, then Conv3×3 → Sigmoid.
    func testImageSideMapsGetNonlinearStages() throws {
        let split = SplitPoint(index: 1, name: "conv1", shape: [64, 32, 32], kind: .spatial)
        let decoder = try InversionDecoder(for: split, imageChannels: 3, imageSize: 32)
        let kinds = decoder.layers.layers.map { layer -> String in
            switch layer {
            case is Conv2d: return "conv"
            case is BatchNorm2d: return "bn"
            case is Tanh: return "tanh"
            case is Sigmoid: return "sigmoid"
            default: return "\(type(of: layer))"
            }
        }
        XCTAssertEqual(kinds, ["conv", "bn", "tanh", "conv", "bn", "tanh", "conv", "sigmoid"])
        let widths = decoder.layers.layers.compactMap { ($0 as? Conv2d)?.outChannels }
        XCTAssertEqual(widths, [32, 32, 3])
        XCTAssertEqual(try decoder(try Tensor.zeros([2, 64, 32, 32])).shape, [2, 3, 32, 32])
    }

    func testCNN4DecodersFollowThePapersInversion4() throws {
        let model = try ModelFactory.make(architecture: "cnn4", channels: 1, imageSize: 64, classes: 10)
        let block4 = try InversionDecoder(for: try model.split(at: 4), imageChannels: 1, imageSize: 64)
        let widths = block4.namedModules().compactMap { ($0.module as? ConvTranspose2d).map { [$0.inChannels, $0.outChannels] } }
        XCTAssertEqual(widths, [[512, 256], [256, 128], [128, 64], [64, 1]])
        let block1 = try InversionDecoder(for: try model.split(at: 1), imageChannels: 1, imageSize: 64)
        XCTAssertEqual(block1.layers.count, 2)
        XCTAssertTrue(block1.layers[0] is ConvTranspose2d)
        XCTAssertTrue(block1.layers[1] is Sigmoid)
    }

    func testStrongDecoderAttendsStronglyOnlyOnDeepMaps() throws {
        let split = SplitPoint(index: 4, name: "block4", shape: [512, 4, 4], kind: .spatial)
        let decoder = try InversionDecoder(for: split, imageChannels: 3, imageSize: 64, architecture: .strong)
        let modules = decoder.layers.layers
        let selfAttention = modules.compactMap { $0 as? SpatialSelfAttention }
        let squeezeExcitation = modules.compactMap { $0 as? SqueezeExcitation }
        XCTAssertEqual(selfAttention.count, 3, "on the 4, 8 and 16 px maps")
        XCTAssertEqual(squeezeExcitation.count, 4, "on every refined map, 32 px included")
        XCTAssertEqual(modules.compactMap { $0 as? InverseResidualBlock }.count, 4)
    }

    func testTokensDropTheClassTokenAndFormTheirGrid() throws {
        let grid = try TokenGrid(tokens: 50, width: 8)
        XCTAssertEqual(grid.side, 7)
        XCTAssertTrue(grid.dropsClassToken)
        let tokens = try Tensor.arange(0, 2 * 50 * 8).reshaped([2, 50, 8])
        let map = try grid.forward(tokens)
        XCTAssertEqual(map.shape, [2, 8, 7, 7])
        XCTAssertEqual(try map.slice(dim: 2, end: 1).slice(dim: 3, end: 1).flattened().toFloats(),
                       try tokens.slice(dim: 1, start: 1, end: 2).flattened().toFloats())
        XCTAssertFalse(try TokenGrid(tokens: 49, width: 8).dropsClassToken)
        XCTAssertThrowsError(try TokenGrid(tokens: 48, width: 8))
    }

    func testUpsamplingPlansReachTheImageSideExactly() throws {
        let plan28 = try UpsamplingPlan(from: 3, to: 28)
        XCTAssertEqual(plan28.steps.map(\.outputSide), [7, 14, 28])
        XCTAssertEqual(plan28.steps.map(\.outputPadding), [1, 0, 0])
        let plan4to28 = try UpsamplingPlan(from: 4, to: 28)
        XCTAssertEqual(plan4to28.steps.first, UpsamplingPlan.Step(inputSide: 4, outputSide: 7, padding: 2,
                                                                  outputPadding: 1))
        XCTAssertEqual(try UpsamplingPlan(from: 4, to: 64).steps.map(\.padding), [1, 1, 1, 1])
        XCTAssertTrue(try UpsamplingPlan(from: 28, to: 28).steps.isEmpty)
        XCTAssertTrue(try UpsamplingPlan(from: 64, to: 32).needsDownsampling)
        for size in [16, 28, 32, 64] {
            for side in 1...size {
                let plan = try UpsamplingPlan(from: side, to: size)
                var current = side
                for step in plan.steps {
                    XCTAssertEqual(step.inputSide, current)
                    XCTAssertEqual(2 * current + 2 - 2 * step.padding + step.outputPadding, step.outputSide)
                    XCTAssertTrue((0...1).contains(step.outputPadding))
                    current = step.outputSide
                }
                XCTAssertEqual(current, size, "from \(side) to \(size)")
            }
        }
    }

    func testDecoderRejectsFeaturesOfAnotherShape() throws {
        let split = SplitPoint(index: 1, name: "block1", shape: [8, 4, 4], kind: .spatial)
        let decoder = try InversionDecoder(for: split, imageChannels: 1, imageSize: 16)
        XCTAssertThrowsError(try decoder.forward(Tensor.zeros([1, 8, 5, 5])))
    }

    private func splitPoints(_ architecture: Architecture, _ size: Int) throws -> [SplitPoint] {
        try XCTUnwrap(Self.splitTable["\(architecture) \(size)"], "no split table for \(architecture) at \(size) px")
    }

    /// The split points of every architecture at every size, worked out once for all tests (building the big
    /// models takes a few seconds).
    private static let splitTable: [String: [SplitPoint]] = {
        var table: [String: [SplitPoint]] = [:]
        for architecture in Architecture.allCases {
            for size in [28, 32, 64] {
                let config = ModelConfig(architecture: architecture, channels: 3, imageSize: size, classes: 10)
                table["\(architecture) \(size)"] = try? ModelFactory.make(config).splitPoints
            }
        }
        return table
    }()

    private func assertImageShape(_ split: SplitPoint, channels: Int, size: Int, architecture: DecoderArchitecture,
                                  context: String) throws {
        let decoder = try InversionDecoder(for: split, imageChannels: channels, imageSize: size,
                                           architecture: architecture)
        decoder.eval()
        let output = try withNoGrad { try decoder.forward(Tensor.zeros([1] + split.shape)) }
        XCTAssertEqual(output.shape, [1, channels, size, size], "\(context) split \(split)")
    }
}
