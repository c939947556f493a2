import Foundation
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

    /// Evaluated images (0.1, 0.3) and (0.9, 0.7); aux images of class 0 (0.2, 0.2), (0.4, 0.4) → m_0 = (0.3, 0.3),
    /// of class 1 (0.8, 0.6) → m_1 = (0.8, 0.6). Predicted [0, 1]: errors (0.04 + 0)/2 and (0.01 + 0.01)/2 →
    /// mean 0.015. Predicted [1, 1]: image 0 gets m_1, (0.49 + 0.09)/2 = 0.29, with 0.01 → 0.15.
    func testHandComputedLabelOnly() throws {
        let images = try Tensor([0.1, 0.3, 0.9, 0.7] as [Float], shape: [2, 1, 1, 2])
        let aux = try Tensor([0.2, 0.2, 0.4, 0.4, 0.8, 0.6] as [Float], shape: [3, 1, 1, 2])
        XCTAssertEqual(try ReconstructionBaselines.labelOnlyMSE(images: images, predicted: [0, 1], auxImages: aux,
                                                                auxLabels: [0, 0, 1]), 0.015, accuracy: 1e-7)
        XCTAssertEqual(try ReconstructionBaselines.labelOnlyMSE(images: images, predicted: [1, 1], auxImages: aux,
                                                                auxLabels: [0, 0, 1]), 0.15, accuracy: 1e-7)
    }

    /// With the evaluated set as the aux set and every prediction right, the attainable floor is the oracle.
    func testCorrectPredictionsOnTheEvaluatedSetGiveTheOracle() throws {
        let (images, labels) = try randomImages(count: 30, classes: 3)
        let oracle = try ReconstructionBaselines.compute(images: images, labels: labels)
        let labelOnly = try ReconstructionBaselines.labelOnlyMSE(images: images, predicted: labels,
                                                                 auxImages: images, auxLabels: labels)
        XCTAssertEqual(labelOnly, oracle.classMeanMSE, accuracy: 1e-12)
        // Wrong predictions (every label shifted by one class) pick another class's mean: a larger MSE.
        let wrong = labels.map { ($0 + 1) % 3 }
        XCTAssertGreaterThan(try ReconstructionBaselines.labelOnlyMSE(images: images, predicted: wrong,
                                                                      auxImages: images, auxLabels: labels),
                             oracle.classMeanMSE)
    }

    /// A predicted class with no aux image is reconstructed as the global aux mean: aux (0.2, 0.2) and
    /// (0.4, 0.4), both class 0 → m̄ = (0.3, 0.3); image (0.5, 0.1) predicted as class 2 → (0.04 + 0.04)/2 = 0.04.
    func testMissingAuxClassUsesTheGlobalAuxMean() throws {
        let images = try Tensor([0.5, 0.1] as [Float], shape: [1, 1, 1, 2])
        let aux = try Tensor([0.2, 0.2, 0.4, 0.4] as [Float], shape: [2, 1, 1, 2])
        XCTAssertEqual(try ReconstructionBaselines.labelOnlyMSE(images: images, predicted: [2], auxImages: aux,
                                                                auxLabels: [0, 0]), 0.04, accuracy: 1e-7)
        // Global aux mean over two classes: aux (0.2, 0.2) class 0, (0.6, 0.8) class 1 → m̄ = (0.4, 0.5);
        // image (0.5, 0.1) predicted as class 5 → (0.01 + 0.16)/2 = 0.085.
        let two = try Tensor([0.2, 0.2, 0.6, 0.8] as [Float], shape: [2, 1, 1, 2])
        XCTAssertEqual(try ReconstructionBaselines.labelOnlyMSE(images: images, predicted: [5], auxImages: two,
                                                                auxLabels: [0, 1]), 0.085, accuracy: 1e-7)
    }

    func testLabelOnlyRejectsMismatchedShapes() throws {
        let images = try Tensor.zeros([2, 1, 2, 2])
        XCTAssertThrowsError(try ReconstructionBaselines.labelOnlyMSE(images: images, predicted: [0],
                                                                      auxImages: images, auxLabels: [0, 1]))
        XCTAssertThrowsError(try ReconstructionBaselines.labelOnlyMSE(images: images, predicted: [0, 1],
                                                                      auxImages: try Tensor.zeros([2, 1, 2, 3]),
                                                                      auxLabels: [0, 1]))
    }

    /// `label_only_mse` and `aux_images` are optional in JSON: absent when nil, decoded as nil when missing.
    func testLabelOnlyIsOptionalInJSON() throws {
        let plain = ReconstructionBaselines(images: 4, channels: 1, globalMeanMSE: 0.06, classMeanMSE: 0.01)
        let json = String(decoding: try JSONEncoder().encode(plain), as: UTF8.self)
        XCTAssertFalse(json.contains("label_only_mse"))
        XCTAssertFalse(json.contains("aux_images"))
        let old = #"{"images": 4, "channels": 1, "global_mean_mse": 0.06, "class_mean_mse": 0.01}"#
        let decoded = try JSONDecoder().decode(ReconstructionBaselines.self, from: Data(old.utf8))
        XCTAssertEqual(decoded, plain)
        XCTAssertNil(decoded.labelOnlyMSE)
        let full = plain.with(labelOnlyMSE: 0.02, auxImages: 12)
        let encoded = try JSONEncoder().encode(full)
        XCTAssertTrue(String(decoding: encoded, as: UTF8.self).contains("\"label_only_mse\":0.02"))
        XCTAssertEqual(try JSONDecoder().decode(ReconstructionBaselines.self, from: encoded), full)
        XCTAssertEqual(full.leakage(mse: 0.005), plain.leakage(mse: 0.005), "the verdict's floor stays the oracle")
    }

    /// `count` images [count, 2, 3, 3] of uniform pixels in [0, 1] with labels cycling through `classes`.
    private func randomImages(count: Int, classes: Int) throws -> (Tensor, [Int]) {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let values = (0..<(count * 18)).map { _ -> Float in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(state >> 40) / Float(1 << 24)
        }
        return (try Tensor(values, shape: [count, 2, 3, 3]), (0..<count).map { $0 % classes })
    }

    func testRejectsMismatchedLabels() throws {
        let images = try Tensor.zeros([2, 1, 2, 2])
        XCTAssertThrowsError(try ReconstructionBaselines.compute(images: images, labels: [0]))
    }

    /// A run re-identifies only where its interval lies above chance and above the label-only reconstruction's
    /// rate for the same similarity: 0.25–0.35 is above chance 0.1 but not above a label-only rate of 0.28.
    func testReidentificationCountsOnlyAboveTheLabelOnlyRate() throws {
        func result(_ rate: Double, _ lower: Double, _ upper: Double) -> Reidentification.Result {
            Reidentification.Result(candidates: 10, trials: 500, hits: rate * 500, rate: rate, lower: lower,
                                    upper: upper, chance: 0.1)
        }
        let run = Reidentification.Measured(embedding: result(0.3, 0.25, 0.35), ssim: result(0.12, 0.095, 0.15))
        let plain = ReconstructionBaselines(images: 500, channels: 1, globalMeanMSE: 0.08, classMeanMSE: 0.04)
        XCTAssertTrue(plain.reidentifies(run), "without a label-only rate, chance is the bar")
        let high = plain.with(labelOnlyMSE: 0.043, auxImages: 3_000,
                              reidentification: .init(embedding: result(0.28, 0.24, 0.32), ssim: result(0.1, 0.08, 0.13)))
        XCTAssertFalse(high.reidentifies(run))
        let low = plain.with(labelOnlyMSE: 0.043, auxImages: 3_000,
                             reidentification: .init(embedding: result(0.2, 0.17, 0.24), ssim: result(0.1, 0.08, 0.13)))
        XCTAssertTrue(low.reidentifies(run))
    }

    /// The label-only reconstruction is the aux class mean of each predicted class, as an image tensor.
    func testLabelOnlyReconstructionsAreThePredictedClassMeans() throws {
        let aux = try Tensor([0.0, 0.2, 1.0, 0.6], shape: [4, 1, 1, 1])
        let guesses = try ReconstructionBaselines.labelOnlyReconstructions(predicted: [1, 0, 7], auxImages: aux,
                                                                          auxLabels: [0, 0, 1, 1])
        XCTAssertEqual(guesses.shape, [3, 1, 1, 1])
        let values = try guesses.toDoubles()
        XCTAssertEqual(values[0], 0.8, accuracy: 1e-12)
        XCTAssertEqual(values[1], 0.1, accuracy: 1e-12)
        XCTAssertEqual(values[2], 0.45, accuracy: 1e-12, "a class without aux images: the global aux mean")
    }
}
