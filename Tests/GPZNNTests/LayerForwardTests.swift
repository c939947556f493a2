import Foundation
import GPZTestSupport
import XCTest
@testable import GPZNN
import GPZTensor

/// Layer outputs against small cases worked out by hand.
final class LayerForwardTests: SeededTestCase {
    /// x = [[1, 2, 3], [4, 5, 6], [7, 8, 9]], k = [[1, 2], [3, 4]], b = 0.5:
    /// y[0, 0] = 1·1 + 2·2 + 4·3 + 5·4 + 0.5 = 37.5, then 47.5, 67.5, 77.5.
    func testConv2dByHand() throws {
        let conv = try Conv2d(1, 1, 2)
        try setValues(conv.weight, [1, 2, 3, 4])
        try setValues(try XCTUnwrap(conv.bias), [0.5])
        let x = try Tensor((1...9).map(Float.init), shape: [1, 1, 3, 3])
        try assertValues(conv(x), [37.5, 47.5, 67.5, 77.5], shape: [1, 1, 2, 2])

        let padded = try Conv2d(1, 1, 2, stride: 2, padding: 1, bias: false)
        try setValues(padded.weight, [1, 2, 3, 4])
        // Windows over the zero-padded 5×5 input start at (−1, −1), (−1, 1), (1, −1), (1, 1).
        try assertValues(padded(x), [4, 2 * 3 + 3 * 4, 4 * 2 + 7 * 4, 1 * 5 + 2 * 6 + 3 * 8 + 4 * 9],
                         shape: [1, 1, 2, 2])
    }

    /// A transposed convolution scatters x[i, j]·k into the output at offset (s·i, s·j) and sums overlaps.
    /// x = [[1, 2], [3, 4]], k = [[1, 2], [3, 4]]; with stride 1 the four copies overlap in the centre.
    func testConvTranspose2dByHand() throws {
        let x = try Tensor([1, 2, 3, 4] as [Float], shape: [1, 1, 2, 2])
        let stride1 = try ConvTranspose2d(1, 1, 2, bias: false)
        try setValues(stride1.weight, [1, 2, 3, 4])
        try assertValues(stride1(x), [1, 4, 4, 6, 20, 16, 9, 24, 16], shape: [1, 1, 3, 3])

        let stride2 = try ConvTranspose2d(1, 1, 2, stride: 2)
        try setValues(stride2.weight, [1, 2, 3, 4])
        try setValues(try XCTUnwrap(stride2.bias), [10])
        let blocks: [Double] = [1, 2, 2, 4, 3, 4, 6, 8, 3, 6, 4, 8, 9, 12, 12, 16]
        try assertValues(stride2(x), blocks.map { $0 + 10 }, shape: [1, 1, 4, 4])
    }

    /// x = 0…15 in a 4×4 grid: 2×2 windows have maxima 5, 7, 13, 15 and means 2.5, 4.5, 10.5, 12.5.
    func testPoolingByHand() throws {
        let x = try Tensor.arange(0, 16).reshaped([1, 1, 4, 4])
        try assertValues(MaxPool2d(2)(x), [5, 7, 13, 15], shape: [1, 1, 2, 2])
        try assertValues(AvgPool2d(2)(x), [2.5, 4.5, 10.5, 12.5], shape: [1, 1, 2, 2])
        try assertValues(MaxPool2d(3, stride: 1)(x), [10, 11, 14, 15], shape: [1, 1, 2, 2])
        // Padding 1, first output column: windows over the pad column and column 0, holding 0, 4 + 8 and 12;
        // divided by 4 when the pads count, by the number of real elements (1, 2, 1) when they do not.
        try assertValues(AvgPool2d(2, padding: 1)(x).slice(dim: 3, start: 0, end: 1), [0 / 4, 12 / 4, 12 / 4],
                         shape: [1, 1, 3, 1])
        try assertValues(AvgPool2d(2, padding: 1, countIncludePad: false)(x).slice(dim: 3, start: 0, end: 1),
                         [0, 6, 12], shape: [1, 1, 3, 1])
        // 3×3 to 2×2: rows and columns 0..<2 and 1..<3 (overlapping).
        let small = try Tensor.arange(0, 9).reshaped([1, 3, 3])
        try assertValues(AdaptiveAvgPool2d(2)(small), [2, 3, 5, 6], shape: [1, 2, 2])
    }

    /// Channel 0 = [1, 2, 3, 4]: mean 2.5, biased variance 1.25, unbiased 5/3.
    /// Channel 1 = [10, 20, 30, 40]: mean 25, biased variance 125, unbiased 500/3.
    func testBatchNormTrainingEvaluationAndRunningStatistics() throws {
        let bn = try BatchNorm1d(2, dtype: .float64)
        try setValues(try XCTUnwrap(bn.weight), [2, 0.5])
        try setValues(try XCTUnwrap(bn.bias), [1, -1])
        let values: [Double] = [1, 10, 2, 20, 3, 30, 4, 40]
        let x = try Tensor(values, shape: [4, 2])
        let weight = [2.0, 0.5], bias = [1.0, -1.0], eps = 1e-5
        /// (x − mean) / √(variance + eps) · weight + bias, channel c = element index mod 2.
        func expected(mean: [Double], variance: [Double]) -> [Double] {
            values.enumerated().map { index, value in
                let c = index % 2
                return (value - mean[c]) / (variance[c] + eps).squareRoot() * weight[c] + bias[c]
            }
        }

        try assertValues(bn(x), expected(mean: [2.5, 25], variance: [1.25, 125]), accuracy: 1e-9)
        let runningMean = [0.25, 2.5], runningVar = [0.9 + 0.1 * 5 / 3, 0.9 + 0.1 * 500 / 3]
        try assertValues(try XCTUnwrap(bn.runningMean), runningMean, accuracy: 1e-9)
        try assertValues(try XCTUnwrap(bn.runningVar), runningVar, accuracy: 1e-9)
        XCTAssertEqual(try bn.numBatchesTracked?.toInts(), [1])
        XCTAssertEqual(bn.numBatchesTracked?.shape, [])
        XCTAssertEqual(bn.numBatchesTracked?.dtype, .int64)

        bn.eval()
        try assertValues(bn(x), expected(mean: runningMean, variance: runningVar), accuracy: 1e-9)
        XCTAssertEqual(try bn.numBatchesTracked?.toInts(), [1], "evaluation does not count batches")

        bn.train()
        _ = try bn(x)
        try assertValues(try XCTUnwrap(bn.runningMean), [0.9 * 0.25 + 0.25, 0.9 * 2.5 + 2.5], accuracy: 1e-9)
        XCTAssertEqual(try bn.numBatchesTracked?.toInts(), [2])
    }

    func testBatchNormCumulativeAverageWithoutMomentum() throws {
        let bn = try BatchNorm2d(1, momentum: nil, dtype: .float64)
        _ = try bn(Tensor([1, 2, 3, 4] as [Double], shape: [1, 1, 2, 2]))
        _ = try bn(Tensor([5, 6, 7, 8] as [Double], shape: [1, 1, 2, 2]))
        try assertValues(try XCTUnwrap(bn.runningMean), [(2.5 + 6.5) / 2], accuracy: 1e-12)
        try assertValues(try XCTUnwrap(bn.runningVar), [5.0 / 3], accuracy: 1e-12)
    }

    func testBatchNormWithoutRunningStatisticsUsesTheBatchInEvaluation() throws {
        let bn = try BatchNorm2d(1, affine: false, trackRunningStats: false)
        XCTAssertTrue(bn.namedParameters().isEmpty)
        XCTAssertTrue(bn.namedBuffers().isEmpty)
        bn.eval()
        let y = try bn(Tensor([1, 2, 3, 4] as [Float], shape: [1, 1, 2, 2]))
        let scale = 1 / (1.25 + 1e-5).squareRoot()
        try assertValues(y, [-1.5, -0.5, 0.5, 1.5].map { $0 * scale })
    }

    /// [1, 2, 3]: mean 2, biased variance 2/3.
    func testLayerNormByHand() throws {
        let norm = try LayerNorm(3)
        let y = try norm(Tensor([1, 2, 3, 2, 2, 2] as [Float], shape: [2, 3]))
        let scale = 1 / (2.0 / 3 + 1e-5).squareRoot()
        try assertValues(y, [-scale, 0, scale, 0, 0, 0], shape: [2, 3])
    }

    func testDropoutZeroesAboutPAndRescalesTheRest() throws {
        let dropout = try Dropout(0.3)
        let y = try dropout(Tensor.ones([20000])).toDoubles()
        let zeroFraction = Double(y.filter { $0 == 0 }.count) / Double(y.count)
        XCTAssertEqual(zeroFraction, 0.3, accuracy: 0.02)
        XCTAssertTrue(y.allSatisfy { $0 == 0 || Swift.abs($0 - 1 / 0.7) < 1e-6 })
        dropout.eval()
        XCTAssertEqual(try dropout(Tensor.ones([100])).toDoubles(), [Double](repeating: 1, count: 100))
    }

    func testActivationsByHand() throws {
        let x = try Tensor([-2, -0.5, 0, 1] as [Double])
        try assertValues(ReLU()(x), [0, 0, 0, 1])
        try assertValues(LeakyReLU(0.1)(x), [-0.2, -0.05, 0, 1])
        try assertValues(Tanh()(x), [-2, -0.5, 0, 1].map(Foundation.tanh))
        try assertValues(Sigmoid()(x), [-2, -0.5, 0, 1].map { 1 / (1 + Foundation.exp(-$0)) })
        let exactGELU = { (v: Double) in v * 0.5 * (1 + erf(v / 2.0.squareRoot())) }
        try assertValues(GELU()(x), [-2, -0.5, 0, 1].map(exactGELU), accuracy: 1e-9)
        let tanhGELU = { (v: Double) in
            0.5 * v * (1 + Foundation.tanh((2 / Double.pi).squareRoot() * (v + 0.044715 * v * v * v)))
        }
        try assertValues(GELU(approximate: .tanh)(x), [-2, -0.5, 0, 1].map(tanhGELU), accuracy: 1e-9)

        let prelu = try PReLU(numParameters: 2)
        try setValues(prelu.weight, [0.5, 2])
        let channels = try Tensor([-1, 3, -1, 3] as [Float], shape: [1, 2, 2])
        try assertValues(prelu(channels), [-0.5, 3, -2, 3])
        try assertValues(PReLU()(Tensor([-4, 4] as [Float])), [-1, 4])
    }

    func testFlattenAndSequentialShapes() throws {
        let x = try Tensor.zeros([2, 3, 4, 5])
        XCTAssertEqual(try Flatten()(x).shape, [2, 60])
        XCTAssertEqual(try Flatten(startDim: 0, endDim: -2)(x).shape, [24, 5])
        XCTAssertEqual(try Flatten(startDim: 2)(x).shape, [2, 3, 20])
        let model = try Sequential(Conv2d(3, 4, 3, padding: 1), ReLU(), MaxPool2d(2), Flatten(), Linear(16, 7))
        XCTAssertEqual(try model(x).shape, [2, 7])
    }

    /// E = 2 with two heads of size 1, identity projections and zero biases: head h attends with the scalar
    /// scores x_i[h]·x_j[h]. For x = [[1, 0], [0, 1]] (L = 2, N = 1): head 0 scores [[1, 0], [0, 0]], head 1
    /// [[0, 0], [0, 1]], so with e = exp(1) the outputs are [[e/(e+1), 1/2], [1/2, e/(e+1)]].
    func testTwoHeadAttentionByHand() throws {
        let attention = try identityAttention(numHeads: 2)
        let x = try Tensor([1, 0, 0, 1] as [Float], shape: [2, 1, 2])
        let (output, weights) = try attention.forward(query: x, key: x, value: x)
        let e = M_E, p = e / (e + 1)
        try assertValues(output, [p, 0.5, 0.5, p], shape: [2, 1, 2])
        try assertValues(try XCTUnwrap(weights), [(p + 0.5) / 2, (1 - p + 0.5) / 2, (0.5 + 1 - p) / 2, (0.5 + p) / 2],
                         shape: [1, 2, 2])
        let perHead = try attention.forward(query: x, key: x, value: x, averageWeights: false).weights
        try assertValues(try XCTUnwrap(perHead), [p, 1 - p, 0.5, 0.5, 0.5, 0.5, 1 - p, p], shape: [1, 2, 2, 2])
    }

    /// One head of size 2 scales the scores by 1/√2: row 0 scores [1/√2, 0], so its weights are
    /// [s, 1 − s] with s = e^(1/√2) / (e^(1/√2) + 1), and the output (V = x) is [s, 1 − s].
    func testSingleHeadAttentionScalesByTheHeadSize() throws {
        let attention = try identityAttention(numHeads: 1)
        let x = try Tensor([1, 0, 0, 1] as [Float], shape: [2, 2])
        let a = Foundation.exp(1 / 2.0.squareRoot()), s = a / (a + 1)
        try assertValues(attention(x), [s, 1 - s, 1 - s, s], shape: [2, 2])

        let mask = try Tensor([false, true, false, false], shape: [2, 2])
        let masked = try attention.forward(query: x, key: x, value: x, attentionMask: mask)
        try assertValues(masked.output, [1, 0, 1 - s, s], shape: [2, 2])
        try assertValues(try XCTUnwrap(masked.weights), [1, 0, 1 - s, s], shape: [2, 2])
    }

    func testAttentionBatchFirstMatchesSequenceFirst() throws {
        let sequenceFirst = try MultiheadAttention(embedDim: 6, numHeads: 3)
        let batchFirst = try MultiheadAttention(embedDim: 6, numHeads: 3, batchFirst: true)
        try batchFirst.loadStateDict(stateDictionary(of: sequenceFirst))
        let query = try Tensor.randn([4, 2, 6]), memory = try Tensor.randn([5, 2, 6])
        let expected = try sequenceFirst.forward(query: query, key: memory, value: memory)
        let actual = try batchFirst.forward(query: query.transposed(0, 1), key: memory.transposed(0, 1),
                                            value: memory.transposed(0, 1))
        try assertValues(actual.output.transposed(0, 1), expected.output.toDoubles(), shape: [4, 2, 6])
        try assertValues(try XCTUnwrap(actual.weights), try XCTUnwrap(expected.weights).toDoubles(), shape: [2, 4, 5])
    }

    private func identityAttention(numHeads: Int) throws -> MultiheadAttention {
        let attention = try MultiheadAttention(embedDim: 2, numHeads: numHeads)
        try setValues(attention.inProjWeight, [1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1])
        try setValues(attention.outProj.weight, [1, 0, 0, 1])
        return attention
    }

    private func setValues(_ tensor: Tensor, _ values: [Double]) throws {
        try withNoGrad { try tensor.assign(Tensor(values, shape: tensor.shape)) }
    }
}
