import GPZTestSupport
import XCTest
import GPZModels
import GPZNN

/// The analytic cost of each split.
final class SplitCostTests: SeededTestCase {
    func testCNN4AgainstHandComputedValues() throws {
        let model = try ModelFactory.make(architecture: "cnn4")
        let costs = try SplitCost.all(for: model)
        XCTAssertEqual(costs.map(\.split), model.splitPoints)

        // Each convolution runs at the resolution of its input (pooling follows it):
        // block1 64·3·9 · 64·64 = 7 077 888; block2 128·64·9 · 32·32 = 75 497 472;
        // block3 256·128·9 · 16·16 = 75 497 472; block4 512·256·9 · 8·8 = 75 497 472;
        // head 8192·50 + 50·10 = 410 100.
        let perStage = [7_077_888, 75_497_472, 75_497_472, 75_497_472, 410_100]
        let cumulative = perStage.indices.map { perStage[...$0].reduce(0, +) }
        XCTAssertEqual(costs.map(\.edgeMACs), cumulative)
        XCTAssertEqual(cumulative, [7_077_888, 82_575_360, 158_072_832, 233_570_304, 233_980_404])

        // block1 = conv 3·64·9 + 64 and BN 128; block2 adds 64·128·9 + 128 + 256.
        XCTAssertEqual(costs[0].edgeParameters, 1_920)
        XCTAssertEqual(costs[1].edgeParameters, 1_920 + 73_856 + 256)
        XCTAssertEqual(costs[4].edgeParameters, model.parameterCount)
        XCTAssertEqual(costs[4].parameterShare, 1)
        XCTAssertEqual(costs[0].parameterShare, 1_920 / 1_963_056, accuracy: 1e-12)

        // block1 sends 64·32·32 values.
        XCTAssertEqual(costs[0].transmittedElements, 65_536)
        XCTAssertEqual(costs[0].bytesFloat32, 262_144)
        XCTAssertEqual(costs[0].bytesFloat16, 131_072)
        XCTAssertEqual(costs[4].transmittedElements, 10)
        XCTAssertNil(costs[0].edgeLatencySeconds)
    }

    func testViTAttentionMACs() throws {
        let costs = try SplitCost.all(for: ModelFactory.make(architecture: "vit"))
        // Patch projection 128·3·4·4 · 16·16. Per block with T = 257 tokens of width E = 128: projections
        // 4·T·E², QKᵀ and AV 2·T²·E, MLP 2·T·E·512.
        let embedding = 128 * 3 * 16 * 256
        let block = 4 * 257 * 128 * 128 + 2 * 257 * 257 * 128 + 2 * 257 * 128 * 512
        XCTAssertEqual(costs[0].edgeMACs, embedding + block)
        XCTAssertEqual(costs[5].edgeMACs, embedding + 6 * block)
        XCTAssertEqual(costs[6].edgeMACs, embedding + 6 * block + 128 * 10)
    }

    /// Residual units count both branches; the identity shortcut is free.
    func testResNetShortcutMACs() throws {
        let costs = try SplitCost.all(for: ModelFactory.make(architecture: "resnet18", imageSize: 32))
        let conv1 = 64 * 3 * 9 * 32 * 32
        let layer1Block = 2 * 64 * 64 * 9 * 32 * 32
        XCTAssertEqual(costs[0].edgeMACs, conv1)
        XCTAssertEqual(costs[1].edgeMACs, conv1 + layer1Block)
        // layer2.0: 3×3 stride 2 (64→128) and 3×3 (128→128) at 16×16, plus the 1×1 shortcut 64→128.
        let layer2First = (128 * 64 * 9 + 128 * 128 * 9 + 128 * 64) * 16 * 16
        XCTAssertEqual(costs[3].edgeMACs - costs[2].edgeMACs, layer2First)
    }

    /// One smoke run: a positive time for every split, growing with the split, and the mode restored.
    func testLatencyMeasurementRestoresMode() throws {
        let model = try ModelFactory.make(architecture: "cnn4", imageSize: 28)
        let timed = try EdgeLatency.measured(SplitCost.all(for: model), model: model, batch: 1, rounds: 1)
        let seconds = try timed.map { try XCTUnwrap($0.edgeLatencySeconds) }
        XCTAssertGreaterThan(seconds[0], 0)
        XCTAssertEqual(seconds, seconds.sorted())
        XCTAssertTrue(model.isTraining)
    }
}
