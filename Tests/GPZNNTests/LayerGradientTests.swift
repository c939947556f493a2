import GPZTestSupport
import XCTest
@testable import GPZNN
import GPZTensor

/// Finite-difference checks (float64) of every layer's gradients with respect to its input and parameters.
final class LayerGradientTests: SeededTestCase {
    func testCheckerNoticesAWrongGradient() throws {
        let x = try randomLeaf([3])
        let mismatches = try gradientMismatches(of: { try x.detached() * x }, wrt: [("x", x)])
        XCTAssertEqual(mismatches.count, 1)
    }

    func testLinear() throws {
        try assertModuleGradientsMatch(Linear(4, 3, dtype: .float64), inputShape: [5, 4])
        try assertModuleGradientsMatch(Linear(4, 3, bias: false, dtype: .float64), inputShape: [2, 3, 4])
    }

    func testConv2d() throws {
        try assertModuleGradientsMatch(Conv2d(2, 3, 3, padding: 1, dtype: .float64), inputShape: [2, 2, 5, 5])
        let strided = try Conv2d(4, 2, IntPair(2, 3), stride: 2, padding: IntPair(1, 0), dilation: IntPair(1, 2),
                                 groups: 2, dtype: .float64)
        try assertModuleGradientsMatch(strided, inputShape: [1, 4, 6, 7])
    }

    func testConvTranspose2d() throws {
        let layer = try ConvTranspose2d(3, 2, 3, stride: 2, padding: 1, outputPadding: 1, dtype: .float64)
        try assertModuleGradientsMatch(layer, inputShape: [2, 3, 3, 3])
        let grouped = try ConvTranspose2d(4, 2, 2, stride: 2, groups: 2, bias: false, dilation: 1, dtype: .float64)
        try assertModuleGradientsMatch(grouped, inputShape: [1, 4, 2, 3])
        let dilated = try ConvTranspose2d(2, 2, 2, dilation: 2, dtype: .float64)
        try assertModuleGradientsMatch(dilated, inputShape: [1, 2, 3, 3])
    }

    func testBatchNormInTrainingMode() throws {
        let bn1 = try BatchNorm1d(3, dtype: .float64)
        try randomiseAffine(bn1.weight, bn1.bias)
        try assertModuleGradientsMatch(bn1, inputShape: [5, 3])
        try assertModuleGradientsMatch(bn1, inputShape: [2, 3, 4])
        let bn2 = try BatchNorm2d(2, dtype: .float64)
        try randomiseAffine(bn2.weight, bn2.bias)
        try assertModuleGradientsMatch(bn2, inputShape: [2, 2, 3, 3])
    }

    func testBatchNormInEvaluationMode() throws {
        let bn = try BatchNorm2d(2, dtype: .float64)
        try withNoGrad {
            try bn.runningMean?.assign(Tensor([0.5, -1.0], shape: [2]))
            try bn.runningVar?.assign(Tensor([2.0, 0.25], shape: [2]))
        }
        bn.eval()
        try assertModuleGradientsMatch(bn, inputShape: [2, 2, 2, 2])
    }

    func testLayerNorm() throws {
        let norm = try LayerNorm([3, 4], dtype: .float64)
        try randomiseAffine(norm.weight, norm.bias)
        try assertModuleGradientsMatch(norm, inputShape: [2, 3, 4])
    }

    func testDropoutWithZeroProbabilityAndInEvaluation() throws {
        try assertModuleGradientsMatch(Dropout(0), inputShape: [4, 5])
        let dropout = try Dropout(0.5)
        dropout.eval()
        try assertModuleGradientsMatch(dropout, inputShape: [4, 5])
    }

    func testPointwiseActivations() throws {
        let activations: [any Module] = [ReLU(), LeakyReLU(0.2), GELU(), GELU(approximate: .tanh), Tanh(), Sigmoid()]
        for activation in activations {
            try assertModuleGradientsMatch(activation, inputShape: [3, 4])
        }
    }

    func testPReLU() throws {
        try assertModuleGradientsMatch(PReLU(dtype: .float64), inputShape: [3, 4])
        let perChannel = try PReLU(numParameters: 3, dtype: .float64)
        try Init.uniform(perChannel.weight, low: 0.1, high: 0.5)
        try assertModuleGradientsMatch(perChannel, inputShape: [2, 3, 2, 2])
    }

    func testMaxPool2dWithoutTies() throws {
        let distinct = try (Tensor.randperm(2 * 2 * 5 * 5).to(.float64) * 0.1).reshaped([2, 2, 5, 5])
        try assertModuleGradientsMatch(MaxPool2d(2), inputShape: [], input: distinct)
        try assertModuleGradientsMatch(MaxPool2d(3, stride: 2, padding: 1), inputShape: [], input: distinct)
    }

    func testAveragePooling() throws {
        try assertModuleGradientsMatch(AvgPool2d(2), inputShape: [2, 2, 4, 5])
        try assertModuleGradientsMatch(AvgPool2d(3, stride: 2, padding: 1, countIncludePad: false),
                                       inputShape: [1, 2, 5, 5])
        try assertModuleGradientsMatch(AdaptiveAvgPool2d(IntPair(2, 3)), inputShape: [2, 2, 5, 4])
    }

    func testFlatten() throws {
        try assertModuleGradientsMatch(Flatten(), inputShape: [2, 3, 2, 2])
        try assertModuleGradientsMatch(Flatten(startDim: 0, endDim: 1), inputShape: [2, 3, 2])
    }

    func testSequential() throws {
        let model = try Sequential([
            Conv2d(1, 2, 3, dtype: .float64), BatchNorm2d(2, dtype: .float64), Tanh(), MaxPool2d(2),
            Flatten(), Linear(8, 3, dtype: .float64),
        ])
        try assertModuleGradientsMatch(model, inputShape: [2, 1, 6, 6])
    }

    func testMultiheadSelfAttention() throws {
        let attention = try MultiheadAttention(embedDim: 4, numHeads: 2, dtype: .float64)
        try randomiseAffine(attention.inProjBias, attention.outProj.bias)
        try assertModuleGradientsMatch(attention, inputShape: [3, 2, 4])
        let batchFirst = try MultiheadAttention(embedDim: 4, numHeads: 1, bias: false, batchFirst: true,
                                                dtype: .float64)
        try assertModuleGradientsMatch(batchFirst, inputShape: [2, 3, 4])
    }

    func testMultiheadCrossAttentionWithMasksAndWeights() throws {
        let attention = try MultiheadAttention(embedDim: 4, numHeads: 2, dtype: .float64)
        try randomiseAffine(attention.inProjBias, attention.outProj.bias)
        let query = try randomLeaf([2, 1, 4]), key = try randomLeaf([3, 1, 4]), value = try randomLeaf([3, 1, 4])
        let attentionMask = try Tensor([false, true, false, false, false, true], shape: [2, 3])
        let keyPaddingMask = try Tensor([0.0, -0.5, 0.0], shape: [1, 3])
        let inputs = [("query", query), ("key", key), ("value", value)] + attention.namedParameters()
        try assertGradientsMatch({
            try attention.forward(query: query, key: key, value: value, keyPaddingMask: keyPaddingMask,
                                  attentionMask: attentionMask).output
        }, wrt: inputs)
        try assertGradientsMatch({
            try XCTUnwrap(attention.forward(query: query, key: key, value: value, averageWeights: false).weights)
        }, wrt: inputs)
    }

    /// Moves weights and biases away from their ones/zeros defaults so the check covers general values.
    private func randomiseAffine(_ tensors: Tensor?...) throws {
        for tensor in tensors.compactMap({ $0 }) { try Init.uniform(tensor, low: 0.5, high: 1.5) }
    }
}
