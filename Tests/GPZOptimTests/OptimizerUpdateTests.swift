import Foundation
import XCTest
import GPZTensor
import GPZTestSupport
@testable import GPZOptim

/// Each test starts from θ = [1, −2] with gradient g₁ = [0.5, 0.25] (and g₂ = [−1, 2] for a second step) and
/// compares with the update rule worked out by hand.
final class OptimizerUpdateTests: XCTestCase {
    private let g1 = [0.5, 0.25], g2 = [-1.0, 2.0]

    func testPlainSGD() throws {
        let theta = try parameter([1, -2])
        let sgd = try SGD(parameters: [theta], lr: 0.1)
        try setGradient(theta, g1)
        try sgd.step()
        // θ − γ·g = [1 − 0.1·0.5, −2 − 0.1·0.25]
        try assertValues(theta, [0.95, -2.025])
    }

    func testSGDWithWeightDecay() throws {
        let theta = try parameter([1, -2])
        let sgd = try SGD(parameters: [theta], lr: 0.1, weightDecay: 0.01)
        try setGradient(theta, g1)
        try sgd.step()
        // g + λθ = [0.5 + 0.01, 0.25 − 0.02] = [0.51, 0.23]; θ − 0.1·[0.51, 0.23]
        try assertValues(theta, [0.949, -2.023])
    }

    func testSGDWithMomentumAndDampeningOverTwoSteps() throws {
        let theta = try parameter([1, -2])
        let sgd = try SGD(parameters: [theta], lr: 0.1, momentum: 0.9, dampening: 0.1)
        try setGradient(theta, g1)
        try sgd.step()
        // First step: b = g₁ = [0.5, 0.25] (no dampening); θ = [1 − 0.05, −2 − 0.025]
        try assertValues(theta, [0.95, -2.025])
        try setGradient(theta, g2)
        try sgd.step()
        // b = 0.9·[0.5, 0.25] + 0.9·[−1, 2] = [−0.45, 2.025]; θ = [0.95 + 0.045, −2.025 − 0.2025]
        try assertValues(theta, [0.995, -2.2275])
        try assertValues(try sgd.stateDict().dictionary["state.0.momentum_buffer"], [-0.45, 2.025])
    }

    func testSGDWithNesterovMomentumOverTwoSteps() throws {
        let theta = try parameter([1, -2])
        let sgd = try SGD(parameters: [theta], lr: 0.1, momentum: 0.9, nesterov: true)
        try setGradient(theta, g1)
        try sgd.step()
        // b = g₁; step direction g₁ + 0.9·b = [0.95, 0.475]; θ = [1 − 0.095, −2 − 0.0475]
        try assertValues(theta, [0.905, -2.0475])
        try setGradient(theta, g2)
        try sgd.step()
        // b = 0.9·[0.5, 0.25] + [−1, 2] = [−0.55, 2.225]; direction [−1, 2] + 0.9·b = [−1.495, 4.0025];
        // θ = [0.905 + 0.1495, −2.0475 − 0.40025]
        try assertValues(theta, [1.0545, -2.44775])
    }

    func testAdamOverTwoSteps() throws {
        let theta = try parameter([1, -2])
        let adam = try Adam(parameters: [theta], lr: 0.1)
        try setGradient(theta, g1)
        try adam.step()
        // m = 0.1·g₁ = [0.05, 0.025]; v = 0.001·g₁² = [0.00025, 0.0000625];
        // step size 0.1 / (1 − 0.9) = 1; denominator √v / √(1 − 0.999) + ε = [0.5, 0.25] + 1e-8
        let theta1 = [1 - 0.05 / (0.5 + 1e-8), -2 - 0.025 / (0.25 + 1e-8)]
        try assertValues(theta, theta1)
        try setGradient(theta, g2)
        try adam.step()
        // m = 0.9·[0.05, 0.025] + 0.1·[−1, 2] = [−0.055, 0.2225]
        // v = 0.999·[0.00025, 0.0000625] + 0.001·[1, 4] = [0.00124975, 0.0040624375]
        // step size 0.1 / (1 − 0.9²) = 0.1 / 0.19; √(1 − 0.999²) = √0.001999
        let stepSize = 0.1 / 0.19, correction = 0.001999.squareRoot()
        try assertValues(theta, [
            theta1[0] + stepSize * 0.055 / (0.00124975.squareRoot() / correction + 1e-8),
            theta1[1] - stepSize * 0.2225 / (0.0040624375.squareRoot() / correction + 1e-8),
        ])
        let state = try adam.stateDict().dictionary
        try assertValues(state["state.0.step"], [2])
        try assertValues(state["state.0.exp_avg"], [-0.055, 0.2225])
        try assertValues(state["state.0.exp_avg_sq"], [0.00124975, 0.0040624375])
    }

    func testAdamWithL2WeightDecayAddsTheDecayToTheGradient() throws {
        let theta = try parameter([1, -2])
        let adam = try Adam(parameters: [theta], lr: 0.1, weightDecay: 0.5)
        try setGradient(theta, g1)
        try adam.step()
        // g + 0.5θ = [1, −0.75]; m = [0.1, −0.075]; √v / √0.001 = [1, 0.75]; step size 1
        try assertValues(theta, [1 - 0.1 / (1 + 1e-8), -2 + 0.075 / (0.75 + 1e-8)])
    }

    func testAMSGradDividesByTheLargestSecondMomentOverTwoSteps() throws {
        let theta = try parameter([1, -2])
        let adam = try Adam(parameters: [theta], lr: 0.1, betas: (0.5, 0.5), amsgrad: true)
        try setGradient(theta, [2, 1])
        try adam.step()
        // m = [1, 0.5]; v = v̂ = 0.5·[4, 1] = [2, 0.5]; step size 0.1 / 0.5 = 0.2;
        // denominator √[2, 0.5] / √0.5 + ε = [2, 1] + 1e-8
        let theta1 = [1 - 0.2 * 1 / (2 + 1e-8), -2 - 0.2 * 0.5 / (1 + 1e-8)]
        try assertValues(theta, theta1)
        try setGradient(theta, [0.1, 0.1])
        try adam.step()
        // m = 0.5·[1, 0.5] + 0.5·[0.1, 0.1] = [0.55, 0.3]; v = 0.5·[2, 0.5] + 0.5·0.01 = [1.005, 0.255];
        // v̂ = max(v̂, v) = [2, 0.5]; step size 0.1 / (1 − 0.25); √(1 − 0.25) = √0.75
        let stepSize = 0.1 / 0.75, correction = 0.75.squareRoot()
        try assertValues(theta, [
            theta1[0] - stepSize * 0.55 / (2.0.squareRoot() / correction + 1e-8),
            theta1[1] - stepSize * 0.3 / (0.5.squareRoot() / correction + 1e-8),
        ])
        let state = try adam.stateDict().dictionary
        try assertValues(state["state.0.exp_avg_sq"], [1.005, 0.255])
        try assertValues(state["state.0.max_exp_avg_sq"], [2, 0.5])
    }

    func testAdamWDecaysTheParametersDirectly() throws {
        let theta = try parameter([1, -2])
        let adamW = try AdamW(parameters: [theta], lr: 0.1, weightDecay: 0.5)
        try setGradient(theta, g1)
        try adamW.step()
        // θ·(1 − 0.1·0.5) = [0.95, −1.9], then the plain Adam step of testAdamOverTwoSteps
        try assertValues(theta, [0.95 - 0.05 / (0.5 + 1e-8), -1.9 - 0.025 / (0.25 + 1e-8)])
        XCTAssertEqual(try AdamW(parameters: []).weightDecay, 0.01)
    }

    func testParametersWithoutGradientAreSkipped() throws {
        let trained = try parameter([1, -2]), frozen = try parameter([3, 4])
        let adam = try Adam(parameters: [frozen, trained], lr: 0.1)
        try setGradient(trained, g1)
        try adam.step()
        try assertValues(frozen, [3, 4])
        try assertValues(trained, [1 - 0.05 / (0.5 + 1e-8), -2 - 0.025 / (0.25 + 1e-8)])
        XCTAssertEqual(try adam.stateDict().map(\.name).filter { $0.hasPrefix("state.") },
                       ["state.1.step", "state.1.exp_avg", "state.1.exp_avg_sq"])
    }

    func testZeroGradDropsEveryGradient() throws {
        let a = try parameter([1]), b = try parameter([2])
        try setGradient(a, [1])
        try setGradient(b, [1])
        try SGD(parameters: [a, b], lr: 0.1).zeroGrad()
        XCTAssertNil(a.grad)
        XCTAssertNil(b.grad)
    }

    func testInvalidHyperParametersAreRejected() throws {
        let theta = try parameter([1])
        assertThrowsMessage(try SGD(parameters: [theta], lr: -0.1), "SGD: invalid learning rate -0.1; expected >= 0")
        assertThrowsMessage(try SGD(parameters: [theta], lr: 0.1, momentum: -1),
                            "SGD: invalid momentum -1.0; expected >= 0")
        assertThrowsMessage(try SGD(parameters: [theta], lr: 0.1, weightDecay: -1),
                            "SGD: invalid weight decay -1.0; expected >= 0")
        assertThrowsMessage(try SGD(parameters: [theta], lr: 0.1, nesterov: true),
                            "SGD: Nesterov momentum requires momentum > 0 and dampening 0 "
                                + "(got momentum 0.0, dampening 0.0)")
        assertThrowsMessage(try SGD(parameters: [theta], lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true),
                            "SGD: Nesterov momentum requires momentum > 0 and dampening 0 "
                                + "(got momentum 0.9, dampening 0.1)")
        assertThrowsMessage(try Adam(parameters: [theta], lr: -1), "Adam: invalid learning rate -1.0; expected >= 0")
        assertThrowsMessage(try Adam(parameters: [theta], betas: (1, 0.999)),
                            "Adam: invalid beta1 1.0; expected 0 <= beta1 < 1")
        assertThrowsMessage(try AdamW(parameters: [theta], betas: (0.9, -0.1)),
                            "AdamW: invalid beta2 -0.1; expected 0 <= beta2 < 1")
        assertThrowsMessage(try Adam(parameters: [theta], eps: -1e-8), "Adam: invalid epsilon -1e-08; expected >= 0")
        assertThrowsMessage(try AdamW(parameters: [theta], weightDecay: -0.01),
                            "AdamW: invalid weight decay -0.01; expected >= 0")
    }
}
