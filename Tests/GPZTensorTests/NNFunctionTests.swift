import XCTest
@testable import GPZTensor
import GPZTestSupport

final class NNFunctionTests: XCTestCase {
    /// The fast transposed convolution (conv2d's input-gradient on oneDNN) must equal libtorch's own, values and
    /// gradients, including stride, padding, output padding, dilation and non-square sizes.
    func testFastTransposedConvolutionMatchesLibtorch() throws {
        try Runtime.manualSeed(7)
        let configurations: [(stride: (Int, Int), padding: (Int, Int), outputPadding: (Int, Int), dilation: (Int, Int))] = [
            ((2, 2), (1, 1), (0, 0), (1, 1)),
            ((2, 1), (0, 1), (1, 0), (1, 1)),
            ((1, 1), (2, 2), (0, 0), (2, 2)),
            ((3, 3), (1, 1), (2, 1), (1, 1)),
        ]
        for c in configurations {
            let x = try Tensor.randn([2, 5, 4, 3], dtype: .float64)
            let w = try Tensor.randn([5, 4, 4, 3], dtype: .float64)
            let b = try Tensor.randn([4], dtype: .float64)
            var outputs: [Tensor] = [], grads: [[Tensor]] = []
            for fast in [true, false] {
                let xi = try x.clone().detached().requiringGrad()
                let wi = try w.clone().detached().requiringGrad()
                let bi = try b.clone().detached().requiringGrad()
                let y = try xi.convTranspose2d(weight: wi, bias: bi, stride: c.stride, padding: c.padding,
                                               outputPadding: c.outputPadding, dilation: c.dilation, fast: fast)
                let projection = try Tensor.ones(y.shape, dtype: .float64) * (try Tensor.arange(0, Double(y.count), dtype: .float64).reshaped(y.shape).sin())
                try (y * projection).sum().backward()
                outputs.append(y)
                grads.append([try XCTUnwrap(xi.grad), try XCTUnwrap(wi.grad), try XCTUnwrap(bi.grad)])
            }
            XCTAssertEqual(outputs[0].shape, outputs[1].shape, "\(c)")
            XCTAssertLessThan(try maxAbsDifference(outputs[0], outputs[1]), 1e-10, "\(c)")
            for k in 0..<3 { XCTAssertLessThan(try maxAbsDifference(grads[0][k], grads[1][k]), 1e-10, "\(c) grad \(k)") }
        }
    }

    func testConvolutionChannelErrorNamesShapes() throws {
        let x = try Tensor.zeros([8, 3, 28, 28]), w = try Tensor.zeros([4, 1, 3, 3])
        XCTAssertThrowsError(try x.conv2d(weight: w)) { error in
            XCTAssertEqual("\(error)", "conv2d: input [8, 3, 28, 28] has 3 channels, weight expects 1")
        }
        XCTAssertThrowsError(try x.convTranspose2d(weight: w)) { error in
            XCTAssertEqual("\(error)", "conv_transpose2d: input [8, 3, 28, 28] has 3 channels, weight expects 4")
        }
        XCTAssertThrowsError(try Tensor.zeros([4, 7]).linear(weight: try Tensor.zeros([3, 5]))) { error in
            XCTAssertEqual("\(error)", "linear: input [4, 7] has 7 features, weight [3, 5] expects 5")
        }
        XCTAssertThrowsError(try Tensor.zeros([1, 1, 2, 2]).maxPool2d(kernel: (3, 3))) { error in
            XCTAssertTrue("\(error)".hasPrefix("max_pool2d: [1, 1, 2, 2]:"), "\(error)")
        }
    }

    func testBilinearResizeKeepsConstantImages() throws {
        let x = try Tensor.full([1, 1, 28, 28], 0.25)
        let y = try x.resizedBilinear(to: (32, 32))
        XCTAssertEqual(y.shape, [1, 1, 32, 32])
        XCTAssertEqual(try y.min().item(), 0.25, accuracy: 1e-7)
        XCTAssertEqual(try y.max().item(), 0.25, accuracy: 1e-7)
    }
}
