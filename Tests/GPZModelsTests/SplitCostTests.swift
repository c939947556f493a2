import Foundation
import GPZModels
import GPZNN
import GPZTensor
import GPZTestSupport
import XCTest

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

    /// One smoke run on a real model: a positive time for every split, and the training mode restored.
    func testLatencyMeasurementRestoresMode() throws {
        let model = try ModelFactory.make(architecture: "cnn4", imageSize: 28)
        let timed = try EdgeLatency.measured(SplitCost.all(for: model), model: model, batch: 1, rounds: 1)
        let seconds = try timed.map { try XCTUnwrap($0.edgeLatencySeconds) }
        XCTAssertEqual(seconds.count, model.splitPoints.count)
        XCTAssertTrue(seconds.allSatisfy { $0 > 0 }, "\(seconds)")
        XCTAssertTrue(model.isTraining)
    }

    /// Split k's latency is the time from the start of a pass to the end of split k's stage, per image: the median
    /// of the timed rounds after one untimed warm-up, in evaluation mode without gradients. In a model whose third
    /// stage sleeps 0.2 s per call and whose other stages pass their input through, with 4 images, the split before
    /// the sleeping stage takes about 0 s and every split from it on about 0.2 s / 4 = 0.05 s. A sleep never ends
    /// early, so the lower bounds hold on any machine; the upper bounds leave 0.05 s for a stage that does nothing
    /// and 0.6 s of delay over a 0.2 s sleep (the time per batch instead of per image would be 0.2 s).
    func testLatencyIsPerImageFromTheStartOfThePassToTheEndOfEachSplitsStage() throws {
        let first = ProbeStage(), hidden = ProbeStage(), sleeping = ProbeStage(sleeping: 0.2), last = ProbeStage()
        let model = try StagedModel(config: ModelConfig(architecture: .cnn4, channels: 1, imageSize: 4, classes: 2),
                                    stages: [Stage(name: "first", module: first),
                                             Stage(name: "hidden", module: hidden, isSplitPoint: false),
                                             Stage(name: "sleeping", module: sleeping),
                                             Stage(name: "last", module: last)])
        let seconds = try EdgeLatency.measure(model, batch: 4, rounds: 3)
        XCTAssertEqual(seconds.count, 3, "one time per split")
        let perImage = 0.2 / 4
        XCTAssertLessThan(seconds[0], perImage, "split 1 ends before the sleeping stage: \(seconds)")
        XCTAssertGreaterThanOrEqual(seconds[1], perImage, "split 2 ends with the sleeping stage: \(seconds)")
        XCTAssertLessThan(seconds[1], 0.2, "per image, not per batch: \(seconds)")
        XCTAssertGreaterThanOrEqual(seconds[2], perImage, "from the start of the pass, not from split 2: \(seconds)")
        XCTAssertLessThan(seconds[2], 0.2, "per image, not per batch: \(seconds)")
        for probe in [first, hidden, sleeping, last] {
            XCTAssertEqual(probe.calls, 1 + 3, "one warm-up round and three timed rounds")
            XCTAssertEqual(probe.callsInTraining, 0, "evaluation mode")
            XCTAssertEqual(probe.callsWithGradients, 0, "no gradients")
            XCTAssertTrue(probe.isTraining, "the training mode is restored")
        }
        XCTAssertTrue(model.isTraining)
    }
}

/// A stage that passes its input through, sleeping `seconds` in every call, and counts its calls.
private final class ProbeStage: AnalyzableModule {
    var isTraining = true
    let seconds: Double
    private(set) var calls = 0
    private(set) var callsInTraining = 0
    private(set) var callsWithGradients = 0

    init(sleeping seconds: Double = 0) { self.seconds = seconds }

    func forward(_ input: Tensor) throws -> Tensor {
        calls += 1
        if isTraining { callsInTraining += 1 }
        if isGradEnabled { callsWithGradients += 1 }
        if seconds > 0 { Thread.sleep(forTimeInterval: seconds) }
        return input
    }

    func analyze(input: [Int]) throws -> LayerAnalysis { LayerAnalysis(outputShape: input, macs: 0) }
}
