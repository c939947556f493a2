import GPZTestSupport
import XCTest
@testable import GPZNN
import GPZTensor

final class InitTests: SeededTestCase {
    func testFansAndGains() throws {
        let (fanIn, fanOut) = try Init.fans(of: Tensor.zeros([8, 3, 5, 5]))
        XCTAssertEqual(fanIn, 75)
        XCTAssertEqual(fanOut, 200)
        XCTAssertThrowsError(try Init.fans(of: Tensor.zeros([5])))
        XCTAssertEqual(Init.gain(.linear), 1)
        XCTAssertEqual(Init.gain(.tanh), 5.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(Init.gain(.relu), 2.0.squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(Init.gain(.leakyRelu), (2 / 1.0001).squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(Init.gain(.leakyRelu, param: 5.0.squareRoot()), (1.0 / 3).squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(Init.gain(.selu), 0.75)
    }

    func testXavierAndKaimingSpreads() throws {
        let weight = try Tensor.zeros([200, 400], dtype: .float64)
        try Init.xavierUniform(weight)
        try assertUniform(weight, bound: (6.0 / 600).squareRoot())
        try Init.xavierNormal(weight, gain: 2)
        XCTAssertEqual(try standardDeviation(weight), 2 * (2.0 / 600).squareRoot(), accuracy: 0.002)
        try Init.kaimingUniform(weight, mode: .fanOut, nonlinearity: .relu)
        try assertUniform(weight, bound: (6.0 / 200).squareRoot())
        try Init.kaimingNormal(weight, nonlinearity: .relu)
        XCTAssertEqual(try standardDeviation(weight), (2.0 / 400).squareRoot(), accuracy: 0.002)
        try Init.normal(weight, mean: 3, std: 0.5)
        XCTAssertEqual(try weight.mean().item(), 3, accuracy: 0.01)
        try Init.ones(weight)
        XCTAssertEqual(try weight.sum().item(), 80000)
        try Init.zeros(weight)
        XCTAssertEqual(try weight.abs().sum().item(), 0)
    }

    func testInitialisersWorkOnParametersThatRequireGrad() throws {
        let parameter = try Tensor.zeros([3, 4]).requiringGrad()
        try Init.kaimingUniform(parameter)
        XCTAssertTrue(parameter.requiresGrad)
        XCTAssertNil(parameter.grad)
        XCTAssertGreaterThan(try parameter.abs().sum().item(), 0)
    }

    /// PyTorch's defaults: U(±1/√fan_in) for weight and bias, fan_in = weight.size(1)·k·k even for transposed
    /// convolutions.
    func testLayerDefaults() throws {
        let linear = try Linear(100, 50)
        try assertUniform(linear.weight, bound: 0.1)
        try assertUniform(try XCTUnwrap(linear.bias), bound: 0.1, tolerance: 0.2)
        let conv = try Conv2d(16, 32, 3)
        try assertUniform(conv.weight, bound: 1 / 12.0)
        let transposed = try ConvTranspose2d(32, 16, 3)
        try assertUniform(transposed.weight, bound: 1 / 12.0)
        try assertUniform(try XCTUnwrap(transposed.bias), bound: 1 / 12.0, tolerance: 0.2)
        let attention = try MultiheadAttention(embedDim: 32, numHeads: 4)
        try assertUniform(attention.inProjWeight, bound: (6.0 / (32 + 96)).squareRoot())
        XCTAssertEqual(try XCTUnwrap(attention.inProjBias).abs().sum().item(), 0)
        XCTAssertEqual(try XCTUnwrap(attention.outProj.bias).abs().sum().item(), 0)
        try assertUniform(attention.outProj.weight, bound: 1 / 32.0.squareRoot())
        let bn = try BatchNorm2d(4)
        XCTAssertEqual(try bn.weight?.toFloats(), [1, 1, 1, 1])
        XCTAssertEqual(try bn.bias?.toFloats(), [0, 0, 0, 0])
        XCTAssertEqual(try bn.runningVar?.toFloats(), [1, 1, 1, 1])
        XCTAssertEqual(try PReLU().weight.toFloats(), [0.25])
    }

    /// All values inside [−bound, bound] and the largest magnitude close to it (within `tolerance`·bound).
    private func assertUniform(_ tensor: Tensor, bound: Double, tolerance: Double = 0.01,
                               file: StaticString = #filePath, line: UInt = #line) throws {
        let largest = try tensor.abs().max().item()
        XCTAssertLessThanOrEqual(largest, bound * (1 + 1e-6), file: file, line: line)
        XCTAssertGreaterThan(largest, bound * (1 - tolerance), file: file, line: line)
    }

    private func standardDeviation(_ tensor: Tensor) throws -> Double {
        try tensor.variance().sqrt().item()
    }
}
