import XCTest
@testable import GPZTensor

final class SmokeTests: XCTestCase {
    func testAddAndBroadcast() throws {
        let a = try Tensor([1, 2, 3, 4] as [Float], shape: [2, 2])
        let b = try Tensor([10, 20] as [Float])
        XCTAssertEqual(try (a + b).toFloats(), [11, 22, 13, 24])
    }

    func testShapeErrorIsThrown() throws {
        let a = try Tensor.zeros([2, 3]), b = try Tensor.zeros([4, 5])
        XCTAssertThrowsError(try a + b) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("add: [2, 3] and [4, 5]: The size of tensor a (3)"), text)
        }
        let x = try Tensor.zeros([8, 3, 28, 28]), w = try Tensor.zeros([4, 1, 3, 3])
        XCTAssertThrowsError(try x.conv2d(weight: w)) { error in
            XCTAssertEqual("\(error)", "conv2d: input [8, 3, 28, 28] has 3 channels, weight expects 1")
        }
    }

    func testBackward() throws {
        let x = try Tensor([1, 2, 3] as [Double]).requiringGrad()
        let y = try (x * x).sum()
        try y.backward()
        XCTAssertEqual(try x.grad?.toDoubles(), [2, 4, 6])
        XCTAssertGreaterThanOrEqual(Runtime.threads, 1)
        print("threads", Runtime.threads, "blas", Runtime.blasLibrary)
    }
}
