import GPZTestSupport
import XCTest
@testable import GPZNN
import GPZTensor

/// A container in the style of a PyTorch model: a `features` Sequential and a `classifier`.
private final class SmallConvNet: Module {
    let features: Sequential
    let classifier: Linear
    var isTraining = true

    init() throws {
        features = try Sequential([Conv2d(1, 4, 3), BatchNorm2d(4), ReLU(), Conv2d(4, 4, 3), Dropout(0.2)])
        classifier = try Linear(4 * 2 * 2, 3)
    }

    var children: [(name: String, module: any Module)] { [("features", features), ("classifier", classifier)] }

    func forward(_ input: Tensor) throws -> Tensor {
        try classifier(features(input).flattened(from: 1))
    }
}

final class ModuleTests: SeededTestCase {
    func testNamesFollowPyTorch() throws {
        let net = try SmallConvNet()
        XCTAssertEqual(net.namedParameters().map(\.name), [
            "features.0.weight", "features.0.bias", "features.1.weight", "features.1.bias",
            "features.3.weight", "features.3.bias", "classifier.weight", "classifier.bias",
        ])
        XCTAssertEqual(net.namedBuffers().map(\.name),
                       ["features.1.running_mean", "features.1.running_var", "features.1.num_batches_tracked"])
        XCTAssertEqual(net.namedModules().map(\.name),
                       ["", "features", "features.0", "features.1", "features.2", "features.3", "features.4",
                        "classifier"])
        XCTAssertEqual(try net(Tensor.randn([2, 1, 6, 6])).shape, [2, 3])
    }

    func testShapesAndNamesOfEachLayer() throws {
        let shapes = { (module: any Module) in module.stateDict().map { "\($0.name) \($0.tensor.shape)" } }
        XCTAssertEqual(try shapes(Linear(10, 5)), ["weight [5, 10]", "bias [5]"])
        XCTAssertEqual(try shapes(Conv2d(4, 8, IntPair(3, 5), groups: 2, bias: false)), ["weight [8, 2, 3, 5]"])
        XCTAssertEqual(try shapes(ConvTranspose2d(4, 6, 3, groups: 2)), ["weight [4, 3, 3, 3]", "bias [6]"])
        XCTAssertEqual(try shapes(BatchNorm1d(3)),
                       ["weight [3]", "bias [3]", "running_mean [3]", "running_var [3]", "num_batches_tracked []"])
        XCTAssertEqual(try shapes(LayerNorm([2, 3])), ["weight [2, 3]", "bias [2, 3]"])
        XCTAssertEqual(try shapes(LayerNorm(4, elementwiseAffine: false)), [])
        XCTAssertEqual(try shapes(PReLU(numParameters: 3)), ["weight [3]"])
        XCTAssertEqual(try shapes(MultiheadAttention(embedDim: 8, numHeads: 2)),
                       ["in_proj_weight [24, 8]", "in_proj_bias [24]", "out_proj.weight [8, 8]", "out_proj.bias [8]"])
        XCTAssertEqual(try shapes(MultiheadAttention(embedDim: 8, numHeads: 2, bias: false)),
                       ["in_proj_weight [24, 8]", "out_proj.weight [8, 8]"])
    }

    func testParameterCounts() throws {
        XCTAssertEqual(try Linear(10, 5).parameterCount, 55)
        XCTAssertEqual(try Conv2d(3, 8, 3).parameterCount, 224)
        let bn = try BatchNorm2d(8)
        XCTAssertEqual(bn.parameterCount, 16)
        XCTAssertEqual(bn.namedBuffers().count, 3)
        XCTAssertEqual(try MultiheadAttention(embedDim: 8, numHeads: 2).parameterCount, 3 * 64 + 24 + 64 + 8)
        XCTAssertEqual(try SmallConvNet().parameterCount, (36 + 4) + 8 + (144 + 4) + (48 + 3))
    }

    func testStateDictRoundTrip() throws {
        let source = try SmallConvNet(), target = try SmallConvNet()
        _ = try source(Tensor.randn([4, 1, 6, 6]))
        let targetTensors = target.stateDict().map(\.tensor)
        try target.loadStateDict(stateDictionary(of: source))

        for ((name, expected), (_, loaded)) in zip(source.stateDict(), target.stateDict()) {
            XCTAssertEqual(try loaded.toDoubles(), try expected.toDoubles(), name)
        }
        XCTAssertEqual(try target.features[1].namedBuffers()[2].tensor.toInts(), [1])
        XCTAssertTrue(zip(targetTensors, target.stateDict().map(\.tensor)).allSatisfy { $0 === $1 },
                      "loading copies into the existing tensors")
        source.eval()
        target.eval()
        let x = try Tensor.randn([2, 1, 6, 6])
        XCTAssertEqual(try target(x).toFloats(), try source(x).toFloats())
    }

    func testLoadStateDictRejectsMismatches() throws {
        let linear = try Linear(3, 2)
        assertThrowsError(TensorError.self,
                          "load_state_dict: weight: checkpoint has shape [3, 2], model expects [2, 3]",
                          try linear.loadStateDict(["weight": Tensor.zeros([3, 2]), "bias": Tensor.zeros([2])]))
        XCTAssertThrowsError(try linear.loadStateDict(["weight": Tensor.zeros([2, 3])]))
    }

    func testTrainAndEvalPropagate() throws {
        let net = try SmallConvNet()
        net.eval()
        XCTAssertTrue(net.namedModules().allSatisfy { !$0.module.isTraining })
        let x = try Tensor.randn([2, 1, 6, 6])
        XCTAssertEqual(try net(x).toFloats(), try net(x).toFloats(), "evaluation is deterministic")
        net.train()
        XCTAssertTrue(net.namedModules().allSatisfy { $0.module.isTraining })
        net.features.train(false)
        XCTAssertTrue(net.isTraining && net.classifier.isTraining && !net.features[4].isTraining)
    }

    func testGradientsReachEveryParameter() throws {
        let net = try SmallConvNet()
        try Loss.crossEntropy(net(Tensor.randn([4, 1, 6, 6])), labels: Tensor(indices: [0, 1, 2, 1])).backward()
        for (name, parameter) in net.namedParameters() {
            XCTAssertNotNil(parameter.grad, name)
            XCTAssertEqual(parameter.grad?.shape, parameter.shape, name)
        }
        try net.zeroGrad()
        XCTAssertTrue(net.parameters().allSatisfy { $0.grad.map { (try? $0.abs().sum().item()) == 0 } ?? true })
    }

    func testSequentialAppendNamesByPosition() throws {
        let model = Sequential()
        model.append(try Linear(2, 3))
        model.append(ReLU())
        model.append(try Linear(3, 1))
        XCTAssertEqual(model.count, 3)
        XCTAssertEqual(model.namedParameters().map(\.name), ["0.weight", "0.bias", "2.weight", "2.bias"])
    }
}
