import Foundation
import XCTest
import GPZNN
import GPZTensor

/// A linear layer y = x·Wᵀ + b with a running-mean buffer, inside a container, so names are dotted.
private final class TinyLinear: Module {
    let weight: Tensor
    let bias: Tensor
    let runningMean: Tensor
    var isTraining = true

    init(seed: Float) throws {
        weight = try Tensor([1, 2, 3, 4, 5, 6].map { $0 * seed }, shape: [2, 3]).requiringGrad()
        bias = try Tensor([-seed, seed]).requiringGrad()
        runningMean = try Tensor([Double(seed), 2 * Double(seed)])
    }

    var ownParameters: [(name: String, tensor: Tensor)] { [("weight", weight), ("bias", bias)] }
    var ownBuffers: [(name: String, tensor: Tensor)] { [("running_mean", runningMean)] }

    func forward(_ input: Tensor) throws -> Tensor {
        try input.matmul(weight.transposed(0, 1)) + bias
    }
}

private final class TinyModel: Module {
    let layer: TinyLinear
    var isTraining = true

    init(seed: Float) throws { layer = try TinyLinear(seed: seed) }

    var children: [(name: String, module: any Module)] { [("layer", layer)] }

    func forward(_ input: Tensor) throws -> Tensor { try layer(input) }
}

final class ModuleWeightsTests: XCTestCase {
    private var url: URL!

    override func setUp() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("model-\(UUID().uuidString).safetensors")
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: url)
    }

    func testSaveAndLoadWeightsRoundTrip() throws {
        let saved = try TinyModel(seed: 0.5)
        try saved.saveWeights(to: url, metadata: ["epoch": "3"])
        XCTAssertEqual(try Safetensors.read(from: url).tensors.map(\.name),
                       ["layer.weight", "layer.bias", "layer.running_mean"])

        let loaded = try TinyModel(seed: 9)
        let weight = loaded.layer.weight
        XCTAssertEqual(try loaded.loadWeights(from: url), ["epoch": "3"])
        XCTAssertTrue(loaded.layer.weight === weight, "values are copied into the existing tensors")
        XCTAssertEqual(try loaded.layer.weight.toFloats(), [0.5, 1, 1.5, 2, 2.5, 3])
        XCTAssertEqual(try loaded.layer.bias.toFloats(), [-0.5, 0.5])
        XCTAssertEqual(try loaded.layer.runningMean.toDoubles(), [0.5, 1])
        XCTAssertTrue(loaded.layer.weight.requiresGrad)
        let input = try Tensor([1, 0, -1] as [Float], shape: [1, 3])
        XCTAssertEqual(try loaded(input).toFloats(), try saved(input).toFloats())
    }

    func testStrictLoadingRequiresEveryName() throws {
        let model = try TinyModel(seed: 1)
        try Safetensors.write([("layer.weight", model.layer.weight)], to: url)
        XCTAssertThrowsError(try TinyModel(seed: 2).loadWeights(from: url)) { error in
            XCTAssertEqual("\(error)",
                           #"load_state_dict: missing ["layer.bias", "layer.running_mean"] unexpected []"#)
        }
        let partial = try TinyModel(seed: 2)
        try partial.loadWeights(from: url, strict: false)
        XCTAssertEqual(try partial.layer.weight.toFloats(), [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(try partial.layer.bias.toFloats(), [-2, 2])
    }
}
