import Foundation
import XCTest
import GPZTensor
import GPZTestSupport
@testable import GPZOptim

/// Saving an optimiser's state (through a safetensors file) and resuming must continue bit-identically.
final class OptimizerStateTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try makeTemporaryDirectory("optim")
    }

    /// Float32 parameters of shapes [3, 2] and [2], with fixed starting values.
    private func makeParameters() throws -> [Tensor] {
        [try Tensor([0.3, -1.2, 0.8, 2.5, -0.7, 0.1] as [Float], shape: [3, 2]).requiringGrad(),
         try Tensor([1.5, -0.4] as [Float]).requiringGrad()]
    }

    /// One step on the loss Σ (θ·(1 + t/10) − 1)² · √(index + 1), which changes with the step number t.
    private func trainStep(_ optimizer: any Optimizer, _ t: Int) throws {
        try optimizer.zeroGrad()
        var loss = try Tensor(scalar: 0)
        for (index, theta) in optimizer.parameters.enumerated() {
            loss = try loss + ((theta * (1 + Double(t) / 10) - 1).square().sum() * Double(index + 1).squareRoot())
        }
        try loss.backward()
        try optimizer.step()
    }

    private func assertResumesExactly(_ makeOptimizer: ([Tensor]) throws -> any Optimizer,
                                      file: StaticString = #filePath, line: UInt = #line) throws {
        let uninterrupted = try makeOptimizer(makeParameters())
        for t in 0..<3 { try trainStep(uninterrupted, t) }

        let weights = directory.appendingPathComponent("weights.safetensors")
        let state = directory.appendingPathComponent("optimizer.safetensors")
        try Safetensors.write(uninterrupted.parameters.enumerated().map { ("\($0.offset)", $0.element) }, to: weights)
        try Safetensors.write(uninterrupted.stateDict(), to: state)

        let restoredParameters = try makeParameters()
        for (index, tensor) in try Safetensors.read(from: weights).tensors {
            try withNoGrad { try restoredParameters[Int(index)!].assign(tensor) }
        }
        let resumed = try makeOptimizer(restoredParameters)
        try resumed.loadStateDict(try Safetensors.read(from: state).tensors.dictionary)

        for t in 3..<6 {
            try trainStep(uninterrupted, t)
            try trainStep(resumed, t)
        }
        for (a, b) in zip(uninterrupted.parameters, resumed.parameters) {
            XCTAssertEqual(try a.toFloats(), try b.toFloats(), file: file, line: line)
        }
        XCTAssertEqual(resumed.learningRate, uninterrupted.learningRate, file: file, line: line)
    }

    func testSGDWithNesterovMomentumResumesExactly() throws {
        try assertResumesExactly {
            try SGD(parameters: $0, lr: 0.05, momentum: 0.9, weightDecay: 1e-3, nesterov: true)
        }
    }

    func testAdamWithAMSGradResumesExactly() throws {
        try assertResumesExactly { try Adam(parameters: $0, lr: 0.01, weightDecay: 1e-2, amsgrad: true) }
    }

    func testAdamWResumesExactly() throws {
        try assertResumesExactly { try AdamW(parameters: $0, lr: 0.01) }
    }

    func testStateRestoresHyperParameters() throws {
        let saved = try SGD(parameters: [parameter([1])], lr: 0.3, momentum: 0.5, dampening: 0.2, weightDecay: 0.1)
        let restored = try SGD(parameters: [parameter([1])], lr: 1)
        try restored.loadStateDict(try saved.stateDict().dictionary)
        XCTAssertEqual(restored.learningRate, 0.3)
        XCTAssertEqual(restored.momentum, 0.5)
        XCTAssertEqual(restored.dampening, 0.2)
        XCTAssertEqual(restored.weightDecay, 0.1)
        XCTAssertFalse(restored.nesterov)
    }

    func testStateThatDoesNotFitIsRejected() throws {
        let theta = try parameter([1, 2])
        let adam = try Adam(parameters: [theta])
        try setGradient(theta, [1, 1])
        try adam.step()
        var state = try adam.stateDict().dictionary

        assertThrowsMessage(try Adam(parameters: [parameter([1, 2])]).loadStateDict(
                                try SGD(parameters: [], lr: 1).stateDict().dictionary),
                            "Adam: state has no entry 'beta1'")
        assertThrowsMessage(try Adam(parameters: [parameter([1, 2, 3])]).loadStateDict(state),
                            "Adam: state entry 'state.0.exp_avg' has shape [2]; the parameter has shape [3]")
        assertThrowsMessage(try Adam(parameters: []).loadStateDict(state),
                            "Adam: unexpected state entries "
                                + #"["state.0.exp_avg", "state.0.exp_avg_sq", "state.0.step"]"#)
        state["beta2"] = try Tensor(scalar: 1.5, dtype: .float64)
        assertThrowsMessage(try Adam(parameters: [parameter([1, 2])]).loadStateDict(state),
                            "Adam: invalid beta2 1.5; expected 0 <= beta2 < 1")
    }
}
