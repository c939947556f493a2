import GPZTestSupport
import XCTest
import GPZAttacks
import GPZTensor

final class ReconstructionMetricsTests: SeededTestCase {
    func testIdenticalImagesScorePerfectly() throws {
        let images = try syntheticImages(count: 3, channels: 3, size: 16)
        let metrics = try ReconstructionMetrics.perImage(images, images)
        XCTAssertEqual(metrics.count, 3)
        for i in 0..<3 {
            XCTAssertEqual(metrics.mse[i], 0)
            XCTAssertEqual(metrics.psnr[i], ReconstructionMetrics.psnrCap)
            XCTAssertEqual(metrics.ssim[i], 1, accuracy: 1e-12)
            XCTAssertEqual(metrics.cosine[i], 1, accuracy: 1e-12)
        }
    }

    func testConstantOffsetGivesKnownMSEAndPSNR() throws {
        let original = try Tensor.rand([2, 3, 12, 12]) * 0.8
        let reconstruction = try original + 0.1
        let metrics = try ReconstructionMetrics.perImage(reconstruction, original)
        for i in 0..<2 {
            XCTAssertEqual(metrics.mse[i], 0.01, accuracy: 1e-8)
            XCTAssertEqual(metrics.mseSumChannels[i], 0.03, accuracy: 3e-8)
            XCTAssertEqual(metrics.psnr[i], 20, accuracy: 1e-5)
        }
    }

    func testChannelSummedMSEIsChannelsTimesMSE() throws {
        let original = try Tensor.rand([4, 3, 11, 11])
        let reconstruction = try Tensor.rand([4, 3, 11, 11])
        let metrics = try ReconstructionMetrics.perImage(reconstruction, original)
        for (summed, mse) in zip(metrics.mseSumChannels, metrics.mse) { XCTAssertEqual(summed, 3 * mse, accuracy: 1e-15) }
        let grayscale = try ReconstructionMetrics.perImage(reconstruction.slice(dim: 1, end: 1),
                                                           original.slice(dim: 1, end: 1))
        XCTAssertEqual(grayscale.mseSumChannels, grayscale.mse)
    }

    func testCosineSimilarityIgnoresScaleAndIsZeroForOrthogonalImages() throws {
        let image = try syntheticImages(count: 1, channels: 1, size: 12)
        XCTAssertEqual(try ReconstructionMetrics.cosineSimilarity(image * 2, image)[0], 1, accuracy: 1e-12)
        let left = try Tensor.cat([Tensor.ones([1, 1, 12, 6]), Tensor.zeros([1, 1, 12, 6])], dim: 3)
        let right = try Tensor.cat([Tensor.zeros([1, 1, 12, 6]), Tensor.ones([1, 1, 12, 6])], dim: 3)
        XCTAssertEqual(try ReconstructionMetrics.cosineSimilarity(left, right)[0], 0)
        XCTAssertEqual(try ReconstructionMetrics.cosineSimilarity(left, Tensor.zeros([1, 1, 12, 12]))[0], 0)
    }

    func testAccumulatorGivesMeanAndPopulationDeviationOverBatches() throws {
        var accumulator = ReconstructionMetricsAccumulator()
        let original = try Tensor.full([1, 3, 11, 11], 0.5)
        try accumulator.add(original + 0.1, original)
        try accumulator.add(original + 0.2, original)
        let summary = accumulator.summary
        XCTAssertEqual(summary.count, 2)
        XCTAssertEqual(summary.mse.mean, 0.025, accuracy: 1e-8)
        XCTAssertEqual(summary.mse.std, 0.015, accuracy: 1e-8)
        XCTAssertEqual(summary.mseSumChannels.mean, 0.075, accuracy: 3e-8)
        XCTAssertEqual(summary.psnr.mean, (20 + 10 * log10(1 / 0.04)) / 2, accuracy: 1e-5)
        let json = String(decoding: try JSONEncoder().encode(summary), as: UTF8.self)
        XCTAssertTrue(json.contains("\"mse_sum_channels\""), json)
    }

    func testRunningStatisticMatchesDirectFormulas() {
        var statistic = RunningStatistic()
        let values = [2.0, 4, 4, 4, 5, 5, 7, 9]
        statistic.add(contentsOf: values)
        XCTAssertEqual(statistic.mean, 5)
        XCTAssertEqual(statistic.standardDeviation, 2, accuracy: 1e-12)
    }

    func testMismatchedShapesAndTinyImagesAreRejected() throws {
        XCTAssertThrowsError(try ReconstructionMetrics.perImage(Tensor.zeros([1, 1, 12, 12]), Tensor.zeros([1, 1, 12, 11])))
        XCTAssertThrowsError(try ReconstructionMetrics.structuralSimilarity(Tensor.zeros([1, 1, 10, 10]),
                                                                             Tensor.zeros([1, 1, 10, 10])))
    }
}
