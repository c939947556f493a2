import XCTest
@testable import GPZTensor
import GPZTestSupport

final class NNFunctionTests: XCTestCase {
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
