import GPZTestSupport
import XCTest
@testable import GPZNN
import GPZTensor

/// Weights stored as integers or booleans are refused by name, not silently converted into a model.
final class StateDictDTypeTests: SeededTestCase {
    func testIntegerOrBooleanWeightsAreRefusedWithTheirName() throws {
        let layer = try Linear(2, 2)
        let bias = try Tensor.zeros([2])
        for weight in [try Tensor([Int64](repeating: 1, count: 4), shape: [2, 2]),
                       try Tensor([Bool](repeating: true, count: 4), shape: [2, 2])] {
            XCTAssertThrowsError(try layer.loadStateDict(["weight": weight, "bias": bias])) { error in
                let message = (error as? TensorError)?.message ?? "\(error)"
                XCTAssertTrue(message.contains("weight: checkpoint stores \(weight.dtype) values, model expects float32"),
                              message)
            }
        }
        XCTAssertNoThrow(try layer.loadStateDict(["weight": try Tensor.zeros([2, 2], dtype: .float64), "bias": bias]))
    }
}
