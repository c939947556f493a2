import XCTest
import GPZAttacks
import GPZTensor

final class ReconstructionBaselinesTests: XCTestCase {
    /// Four 1×1×2 images, two per class, computed by hand: class means (0.2, 0.4) and (0.8, 0.6); every image is
    /// 0.1 off its class mean in each value → class-mean MSE 0.01; global mean (0.5, 0.5) → per-image errors
    /// (0.16 + 0.04)/2, (0.04 + 0)/2, (0.04 + 0)/2, (0.16 + 0.04)/2, averaging to 0.06.
    func testHandComputedBaselines() throws {
        let images = try Tensor([0.1, 0.3, 0.3, 0.5, 0.7, 0.5, 0.9, 0.7] as [Float], shape: [4, 1, 1, 2])
        let baselines = try ReconstructionBaselines.compute(images: images, labels: [0, 0, 1, 1])
        XCTAssertEqual(baselines.classMeanMSE, 0.01, accuracy: 1e-7)
        XCTAssertEqual(baselines.globalMeanMSE, 0.06, accuracy: 1e-7)
        XCTAssertEqual(baselines.leakage(mse: 0.0025), 0.75, accuracy: 1e-6)
        XCTAssertEqual(baselines.leakage(mse: 0.02), 0)
    }

    func testRejectsMismatchedLabels() throws {
        let images = try Tensor.zeros([2, 1, 2, 2])
        XCTAssertThrowsError(try ReconstructionBaselines.compute(images: images, labels: [0]))
    }
}
