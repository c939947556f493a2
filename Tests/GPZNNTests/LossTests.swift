import Foundation
import GPZTestSupport
import XCTest
@testable import GPZNN
import GPZTensor

final class LossTests: SeededTestCase {
    func testNegativeLabelSmoothingTargets() throws {
        let labels = try Tensor(indices: [2, 0])
        let targets = try Loss.smoothedTargets(labels: labels, classes: 4, alpha: -0.05, dtype: .float64)
        let off = -0.05 / 3
        try assertValues(targets, [off, off, 1.05, off, 1.05, off, off, off], shape: [2, 4], accuracy: 1e-12)
        try assertValues(targets.sum(dims: [1]), [1, 1], accuracy: 1e-12)
    }

    func testPositiveLabelSmoothingTargets() throws {
        let targets = try Loss.smoothedTargets(labels: Tensor(indices: [3]), classes: 4, alpha: 0.3)
        try assertValues(targets, [0.1, 0.1, 0.1, 0.7], shape: [1, 4])
        XCTAssertEqual(targets.dtype, .float32)
    }

    /// Logits [0, ln 2, ln 3, ln 4] give softmax [1, 2, 3, 4]/10. With label 3 and α = −0.05:
    /// loss = −(1.05·ln 0.4 − (0.05/3)·(ln 0.1 + ln 0.2 + ln 0.3)); with label 0 and α = 0: −ln 0.1.
    func testCrossEntropyValueByHand() throws {
        let row = [0, Foundation.log(2.0), Foundation.log(3.0), Foundation.log(4.0)]
        let logits = try Tensor(row + row, shape: [2, 4])
        let smoothed = try Loss.crossEntropy(logits, labels: Tensor(indices: [3, 3]), labelSmoothing: -0.05)
        let otherLogProbabilities = Foundation.log(0.1) + Foundation.log(0.2) + Foundation.log(0.3)
        let expected = -(1.05 * Foundation.log(0.4) - 0.05 / 3 * otherLogProbabilities)
        XCTAssertEqual(try smoothed.item(), expected, accuracy: 1e-12)
        XCTAssertEqual(smoothed.shape, [])

        let plain = try Loss.crossEntropy(logits, labels: Tensor(indices: [0, 3]))
        XCTAssertEqual(try plain.item(), -(Foundation.log(0.1) + Foundation.log(0.4)) / 2, accuracy: 1e-12)
    }

    func testCrossEntropyWithoutSmoothingIsNegativeLogLikelihood() throws {
        let logits = try Tensor.randn([5, 3])
        let labels = try Tensor(indices: [0, 2, 1, 1, 0])
        let negativeLogLikelihood = try -logits.logSoftmax(dim: 1).gather(dim: 1, index: labels.unsqueezed(1)).mean()
        XCTAssertEqual(try Loss.crossEntropy(logits, labels: labels).item(), try negativeLogLikelihood.item(),
                       accuracy: 1e-6)
    }

    func testSoftTargetsMatchLabels() throws {
        let logits = try Tensor.randn([3, 5])
        let labels = try Tensor(indices: [4, 0, 2])
        let targets = try Loss.smoothedTargets(labels: labels, classes: 5, alpha: 0.1)
        XCTAssertEqual(try Loss.crossEntropy(logits, softTargets: targets).item(),
                       try Loss.crossEntropy(logits, labels: labels, labelSmoothing: 0.1).item(), accuracy: 1e-6)
    }

    /// prediction − target = [1, −2, 3, 0]: mean square 14/4, mean absolute 6/4.
    func testRegressionLossesByHand() throws {
        let prediction = try Tensor([2, 0, 3, 1] as [Float], shape: [2, 2])
        let target = try Tensor([1, 2, 0, 1] as [Float], shape: [2, 2])
        XCTAssertEqual(try Loss.mse(prediction, target).item(), 3.5, accuracy: 1e-6)
        XCTAssertEqual(try Loss.l1(prediction, target).item(), 1.5, accuracy: 1e-6)
    }

    /// x = [[1, 2, 4], [3, 3, 3]]: vertical |differences| 2, 1, 1 (mean 4/3); horizontal 1, 2, 0, 0 (mean 3/4).
    func testTotalVariationByHand() throws {
        let x = try Tensor([1, 2, 4, 3, 3, 3] as [Double], shape: [1, 1, 2, 3])
        XCTAssertEqual(try Loss.totalVariation(x).item(), 4.0 / 3 + 3.0 / 4, accuracy: 1e-12)
        let singleRow = try Tensor([1, 2, 4] as [Double], shape: [1, 1, 1, 3])
        XCTAssertEqual(try Loss.totalVariation(singleRow).item(), 1.5, accuracy: 1e-12)
        XCTAssertEqual(try Loss.totalVariation(Tensor.ones([2, 3, 4, 4])).item(), 0)
    }

    func testCrossEntropyGradients() throws {
        let labels = try Tensor(indices: [1, 0, 3])
        for alpha in [0, -0.05, 0.3] {
            let logits = try randomLeaf([3, 4])
            try assertGradientsMatch({ try Loss.crossEntropy(logits, labels: labels, labelSmoothing: alpha) },
                                     wrt: [("logits", logits)])
        }
        let logits = try randomLeaf([3, 4])
        let targets = try Tensor.rand([3, 4], dtype: .float64).softmax(dim: 1).requiringGrad()
        try assertGradientsMatch({ try Loss.crossEntropy(logits, softTargets: targets) },
                                 wrt: [("logits", logits), ("soft targets", targets)])
    }

    func testRegressionAndTotalVariationGradients() throws {
        let prediction = try randomLeaf([2, 3]), target = try randomLeaf([2, 3])
        let inputs = [("prediction", prediction), ("target", target)]
        try assertGradientsMatch({ try Loss.mse(prediction, target) }, wrt: inputs)
        try assertGradientsMatch({ try Loss.l1(prediction, target) }, wrt: inputs)
        let image = try randomLeaf([2, 2, 3, 4])
        try assertGradientsMatch({ try Loss.totalVariation(image) }, wrt: [("image", image)])
    }
}
