import GPZTestSupport
import XCTest
@testable import GPZNN
import GPZTensor

/// Wrong shapes and arguments throw a `TensorError` naming the layer (or function) and the shapes.
final class ErrorTests: SeededTestCase {
    func testLayerInputShapeErrors() throws {
        assertThrowsError(TensorError.self, "linear: input [4, 7] has 7 features, weight [3, 5] expects 5",
                          try Linear(5, 3)(Tensor.zeros([4, 7])))
        assertThrowsError(TensorError.self, "conv2d: input [2, 1, 8, 8] has 1 channels, weight expects 3",
                          try Conv2d(3, 8, 3)(Tensor.zeros([2, 1, 8, 8])))
        assertThrowsError(TensorError.self, "conv2d: input [3, 8, 8] must be 4-D (N, C, H, W)",
                          try Conv2d(3, 8, 3)(Tensor.zeros([3, 8, 8])))
        assertThrowsError(TensorError.self, "conv_transpose2d: input [1, 2, 4, 4] has 2 channels, weight expects 3",
                          try ConvTranspose2d(3, 2, 2)(Tensor.zeros([1, 2, 4, 4])))
        assertThrowsError(TensorError.self, "BatchNorm2d: input [2, 3, 4, 4] has 3 channels, expected 8",
                          try BatchNorm2d(8)(Tensor.zeros([2, 3, 4, 4])))
        assertThrowsError(TensorError.self, "BatchNorm2d: input [2, 8] must be 4-D (N, C, H, W)",
                          try BatchNorm2d(8)(Tensor.zeros([2, 8])))
        assertThrowsError(TensorError.self, "BatchNorm1d: input [2, 8, 3, 3] must be 2-D (N, C) or 3-D (N, C, L)",
                          try BatchNorm1d(8)(Tensor.zeros([2, 8, 3, 3])))
        assertThrowsError(TensorError.self,
                          "BatchNorm1d: expected more than 1 value per channel when training, got input [1, 8]",
                          try BatchNorm1d(8)(Tensor.zeros([1, 8])))
        assertThrowsError(TensorError.self, "LayerNorm: input [2, 5] does not end with the normalized shape [4]",
                          try LayerNorm(4)(Tensor.zeros([2, 5])))
        assertThrowsError(TensorError.self, "PReLU: input [2, 4] has 4 channels, expected 3",
                          try PReLU(numParameters: 3)(Tensor.zeros([2, 4])))
        assertThrowsError(TensorError.self, "MaxPool2d: input [4, 4] must be 3-D (C, H, W) or 4-D (N, C, H, W)",
                          try MaxPool2d(2)(Tensor.zeros([4, 4])))
        assertThrowsError(TensorError.self, "AdaptiveAvgPool2d: input [4] must be 3-D (C, H, W) or 4-D (N, C, H, W)",
                          try AdaptiveAvgPool2d(2)(Tensor.zeros([4])))
        assertThrowsError(TensorError.self, "Flatten: dimensions 3 through -1 are not a range of input [2, 3]",
                          try Flatten(startDim: 3)(Tensor.zeros([2, 3])))
    }

    func testBackendErrorsNameTheOperation() throws {
        XCTAssertThrowsError(try Conv2d(1, 1, 5)(Tensor.zeros([1, 1, 3, 3]))) { error in
            XCTAssertTrue("\(error)".hasPrefix("conv2d: [1, 1, 3, 3] and [1, 1, 5, 5]: "), "\(error)")
        }
        XCTAssertThrowsError(try MaxPool2d(4)(Tensor.zeros([1, 1, 3, 3]))) { error in
            XCTAssertTrue("\(error)".hasPrefix("max_pool2d: [1, 1, 3, 3]: "), "\(error)")
        }
        let model = try Sequential(Linear(4, 3), ReLU(), Linear(2, 1))
        assertThrowsError(TensorError.self, "linear: input [5, 3] has 3 features, weight [1, 2] expects 2",
                          try model(Tensor.zeros([5, 4])))
    }

    func testAttentionErrors() throws {
        let attention = try MultiheadAttention(embedDim: 4, numHeads: 2)
        assertThrowsError(TensorError.self, "MultiheadAttention: query [3, 2, 5] has 5 features, expected embed dim 4",
                          try attention(Tensor.zeros([3, 2, 5])))
        assertThrowsError(TensorError.self,
                          "MultiheadAttention: query [4] must be 3-D (L, N, E) or unbatched 2-D (L, E)",
                          try attention(Tensor.zeros([4])))
        assertThrowsError(TensorError.self,
                          "MultiheadAttention: key [3, 2, 4] and value [2, 2, 4] must agree in all but the "
                              + "last dimension",
                          try attention.forward(query: Tensor.zeros([3, 2, 4]), key: Tensor.zeros([3, 2, 4]),
                                                value: Tensor.zeros([2, 2, 4])))
        assertThrowsError(TensorError.self,
                          "MultiheadAttention: query [3, 2, 4] and key [3, 1, 4] have different batch sizes",
                          try attention.forward(query: Tensor.zeros([3, 2, 4]), key: Tensor.zeros([3, 1, 4]),
                                                value: Tensor.zeros([3, 1, 4])))
    }

    func testConstructorArgumentErrors() {
        assertThrowsError(TensorError.self, "Conv2d: in 3 and out 8 channels must both be divisible by groups 2",
                          try Conv2d(3, 8, 3, groups: 2))
        assertThrowsError(TensorError.self, "Conv2d: stride (0, 0) must be positive", try Conv2d(3, 8, 3, stride: 0))
        assertThrowsError(TensorError.self,
                          "ConvTranspose2d: output padding (2, 2) must be smaller than stride (2, 2) or "
                              + "dilation (1, 1)",
                          try ConvTranspose2d(3, 8, 3, stride: 2, outputPadding: 2))
        assertThrowsError(TensorError.self, "Dropout: probability 1.5 is outside [0, 1]", try Dropout(1.5))
        assertThrowsError(TensorError.self,
                          "MultiheadAttention: embed dim 6 must be a positive multiple of the number of heads 4",
                          try MultiheadAttention(embedDim: 6, numHeads: 4))
        assertThrowsError(TensorError.self, "BatchNorm2d: number of features must be positive, got 0",
                          try BatchNorm2d(0))
    }

    func testLossErrors() throws {
        let logits = try Tensor.zeros([2, 4]), labels = try Tensor(indices: [0, 1])
        for alpha in [1.0, -1.0, 1.5] {
            assertThrowsError(TensorError.self,
                              "cross_entropy: label smoothing \(alpha) must lie strictly between -1 and 1",
                              try Loss.crossEntropy(logits, labels: labels, labelSmoothing: alpha))
        }
        assertThrowsError(TensorError.self, "cross_entropy: label 4 is out of range for 4 classes",
                          try Loss.crossEntropy(logits, labels: Tensor(indices: [4, 1])))
        assertThrowsError(TensorError.self, "cross_entropy: label -1 is out of range for 4 classes",
                          try Loss.crossEntropy(logits, labels: Tensor(indices: [0, -1])))
        assertThrowsError(TensorError.self, "cross_entropy: labels must be int64, got float32 [2]",
                          try Loss.crossEntropy(logits, labels: Tensor([0, 1] as [Float])))
        assertThrowsError(TensorError.self,
                          "cross_entropy: labels [3] must be 1-D with one label per row of logits [2, 4]",
                          try Loss.crossEntropy(logits, labels: Tensor(indices: [0, 1, 2])))
        assertThrowsError(TensorError.self, "cross_entropy: logits [8] must be 2-D (N, K)",
                          try Loss.crossEntropy(Tensor.zeros([8]), labels: Tensor(indices: [0])))
        assertThrowsError(TensorError.self, "cross_entropy: soft targets [2, 3] must have the shape of logits [2, 4]",
                          try Loss.crossEntropy(logits, softTargets: Tensor.zeros([2, 3])))
        assertThrowsError(TensorError.self, "mse_loss: prediction [2, 4] and target [4] must have the same shape",
                          try Loss.mse(logits, Tensor.zeros([4])))
        assertThrowsError(TensorError.self, "l1_loss: prediction [2, 4] and target [2, 1] must have the same shape",
                          try Loss.l1(logits, Tensor.zeros([2, 1])))
        assertThrowsError(TensorError.self, "total_variation: input [3, 4, 4] must be 4-D (N, C, H, W)",
                          try Loss.totalVariation(Tensor.zeros([3, 4, 4])))
    }
}
