import GPZTestSupport
import XCTest
import GPZAttacks
import GPZModels
import GPZTensor

final class FeatureEnhancementTests: SeededTestCase {
    func testNormalizationOfAHandMadeVectorBatch() throws {
        var estimator = FeatureNormalization.Estimator()
        try estimator.add(Tensor([Float(1), 2, 3, 4], shape: [2, 2]))
        let normalization = try estimator.finish()
        let normalized = try normalization.apply(Tensor([Float(1), 2, 3, 4], shape: [2, 2]))
        let h: Double = 1 / 2.0.squareRoot()
        assertClose(try normalized.toDoubles(), [-h, -h, h, h], accuracy: 1e-6)
    }

    func testNormalizationEstimatesPerChannelStatisticsAndRoundTrips() throws {
        let channelMeans = try Tensor([Float(-1), 0, 2, 5]).reshaped([1, 4, 1, 1])
        let channelScales = try Tensor([Float(0.5), 1, 2, 3]).reshaped([1, 4, 1, 1])
        var estimator = FeatureNormalization.Estimator()
        var batches: [Tensor] = []
        for _ in 0..<4 {
            let batch = try Tensor.randn([32, 4, 6, 6]) * channelScales + channelMeans
            batches.append(batch)
            try estimator.add(batch)
        }
        let normalization = try estimator.finish()
        XCTAssertEqual(normalization.mean.shape, [1, 4, 1, 1])
        XCTAssertLessThan(try maxAbsDifference(normalization.mean, channelMeans), 0.1)
        XCTAssertLessThan(try maxAbsDifference(normalization.scale, channelScales), 0.1)
        let all = try Tensor.cat(batches)
        let normalized = try normalization.apply(all)
        XCTAssertLessThan(try normalized.mean(dims: [0, 2, 3]).abs().max().item(), 1e-4)
        assertClose(try normalized.variance(dims: [0, 2, 3]).toDoubles(), [1, 1, 1, 1], accuracy: 1e-3)
        XCTAssertLessThan(try maxAbsDifference(normalization.cloudInput(normalized), all), 1e-5)
        XCTAssertThrowsError(try normalization.apply(Tensor.zeros([2, 3, 6, 6])))
    }

    func testNormalizationOfTokensIsPerFeature() throws {
        var estimator = FeatureNormalization.Estimator()
        try estimator.add(Tensor.randn([8, 5, 3]) * 2 + 1)
        let normalization = try estimator.finish()
        XCTAssertEqual(normalization.mean.shape, [1, 1, 3])
        XCTAssertEqual(try normalization.enhancedShape(for: [5, 3]), [5, 3])
    }

    func testFittedNormalizationLeavesTheCloudsLogitsUnchanged() throws {
        let model = try tinyCNN4()
        let images = ImageBatchStream([try syntheticImages(count: 8, channels: 1, size: 16)])
        let normalizations = try FeatureNormalization.fit(target: model, splits: model.splitPoints, images: images)
        XCTAssertEqual(normalizations.keys.sorted(), [1, 2, 3, 4, 5])
        let input = try syntheticImages(count: 3, channels: 1, size: 16)
        let expected = try withNoGrad { try model.forward(input) }
        for index in 1...4 {
            let normalization = try XCTUnwrap(normalizations[index])
            let logits = try withNoGrad { try normalization.logits(of: model, input: input, split: index) }
            XCTAssertLessThan(try maxAbsDifference(logits, expected), 1e-4, "split \(index)")
        }
    }

    /// z = [[1, 2], [3, 4]]: the orthonormal 2-D DFT is ½·[[10, −2], [−4, 0]] = [[5, −1], [−2, 0]], all real, so
    /// E = [[log 6, log 2], [log 3, 0]], standardised with its mean and unbiased standard deviation.
    func testFFTResidualOfARealSpectrum() throws {
        let z = try Tensor([Float(1), 2, 3, 4], shape: [1, 1, 2, 2])
        let energy = [log(6.0), log(2.0), log(3.0), 0]
        try assertResidual(of: z, energy: energy, values: [1, 2, 3, 4])
    }

    /// z = [1, 1, 0, 0] as a 1 × 4 map: F_k = (1 + e^{−iπk/2}) / 2 = [1, (1 − i)/2, 0, (1 + i)/2], so
    /// |Re F| + |Im F| = [1, 1, 0, 1] and E = [log 2, log 2, 0, log 2].
    func testFFTResidualUsesRealAndImaginaryParts() throws {
        let z = try Tensor([Float(1), 1, 0, 0], shape: [1, 4])
        try assertResidual(of: z, energy: [log(2.0), log(2.0), 0, log(2.0)], values: [1, 1, 0, 0])
    }

    func testFFTResidualKeepsTheShapeOfMapsAndTokens() throws {
        let residual = FFTResidual()
        XCTAssertEqual(try residual.apply(Tensor.randn([3, 4, 5, 5])).shape, [3, 4, 5, 5])
        XCTAssertEqual(try residual.apply(Tensor.randn([3, 10, 8])).shape, [3, 10, 8])
        let z = try Tensor.randn([2, 6])
        XCTAssertTrue(try residual.cloudInput(z) === z)
    }

    func testDropoutConcatDoublesTheFeatureAxisAndTheCloudTakesTheOriginal() throws {
        let enhancement = try DropoutConcat(probability: 0.5)
        XCTAssertEqual(try enhancement.enhancedShape(for: [4, 3, 3]), [8, 3, 3])
        XCTAssertEqual(try enhancement.enhancedShape(for: [5, 16]), [5, 32])
        XCTAssertEqual(try enhancement.enhancedShape(for: [10]), [20])
        let z = try Tensor.rand([2, 4, 3, 3]) + 1
        let enhanced = try enhancement.apply(z)
        XCTAssertEqual(enhanced.shape, [2, 8, 3, 3])
        XCTAssertEqual(try maxAbsDifference(enhancement.cloudInput(enhanced), z), 0)
        let copy = try enhanced.slice(dim: 1, start: 4)
        let kept = try copy.ne(0)
        XCTAssertEqual(try maxAbsDifference(Tensor.where(kept, copy, z * 2), z * 2), 0, accuracy: 1e-6)
        let tokens = try enhancement.apply(Tensor.rand([2, 5, 16]))
        XCTAssertEqual(tokens.shape, [2, 5, 32])
        let split = SplitPoint(index: 3, name: "block3", shape: [4, 3, 3], kind: .spatial)
        XCTAssertEqual(try enhancement.enhancedSplit(split).shape, [8, 3, 3])
        XCTAssertThrowsError(try DropoutConcat(probability: 1))
    }

    private func assertResidual(of z: Tensor, energy: [Double], values: [Double]) throws {
        let mean = energy.reduce(0, +) / Double(energy.count)
        let std = (energy.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(energy.count - 1)).squareRoot()
        let expected = zip(values, energy).map { $0 + ($1 - mean) / (std + 1e-6) }
        let enhanced = try FFTResidual().apply(z)
        XCTAssertEqual(enhanced.shape, z.shape)
        assertClose(try enhanced.toDoubles(), expected, accuracy: 1e-5)
    }
}
