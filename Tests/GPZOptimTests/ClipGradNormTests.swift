import XCTest
import GPZTensor
import GPZTestSupport
@testable import GPZOptim

final class ClipGradNormTests: XCTestCase {
    /// Gradients [3, 4] (norm 5) and [12] (norm 12): the joint 2-norm is √(5² + 12²) = 13.
    private func parameters() throws -> [Tensor] {
        let a = try parameter([0, 0]), b = try parameter([0]), withoutGradient = try parameter([7])
        try setGradient(a, [3, 4])
        try setGradient(b, [12])
        return [a, withoutGradient, b]
    }

    func testScalesGradientsAboveTheMaximum() throws {
        let parameters = try parameters()
        XCTAssertEqual(try clipGradNorm(parameters, maxNorm: 6.5), 13, accuracy: 1e-12)
        let coefficient = 6.5 / (13 + 1e-6)
        try assertValues(parameters[0].grad, [3 * coefficient, 4 * coefficient])
        try assertValues(parameters[2].grad, [12 * coefficient])
        XCTAssertNil(parameters[1].grad)
    }

    func testLeavesGradientsBelowTheMaximumUnchanged() throws {
        let parameters = try parameters()
        XCTAssertEqual(try clipGradNorm(parameters, maxNorm: 20), 13, accuracy: 1e-12)
        try assertValues(parameters[0].grad, [3, 4], accuracy: 0)
        try assertValues(parameters[2].grad, [12], accuracy: 0)
    }

    func testOtherNormTypes() throws {
        // ∞-norm: largest |gᵢ| = 12; 1-norm: 3 + 4 + 12 = 19; 3-norm: (27 + 64 + 1728)^(1/3)
        XCTAssertEqual(try clipGradNorm(parameters(), maxNorm: 100, normType: .infinity), 12)
        XCTAssertEqual(try clipGradNorm(parameters(), maxNorm: 100, normType: 1), 19, accuracy: 1e-12)
        XCTAssertEqual(try clipGradNorm(parameters(), maxNorm: 100, normType: 3), Foundation.pow(1819, 1.0 / 3),
                       accuracy: 1e-12)
        let parameters = try parameters()
        try clipGradNorm(parameters, maxNorm: 6, normType: .infinity)
        try assertValues(parameters[2].grad, [12 * 6 / (12 + 1e-6)])
    }

    func testNoGradientsGiveZeroAndNonfiniteNormsCanBeRejected() throws {
        XCTAssertEqual(try clipGradNorm([parameter([1])], maxNorm: 1), 0)
        let p = try parameter([1])
        try setGradient(p, [.infinity])
        assertThrowsMessage(try clipGradNorm([p], maxNorm: 1, errorIfNonfinite: true),
                            "clipGradNorm: the total norm of order 2.0 of the gradients is inf")
        assertThrowsMessage(try clipGradNorm([p], maxNorm: -1), "clipGradNorm: invalid max norm -1.0; expected >= 0")
    }
}
