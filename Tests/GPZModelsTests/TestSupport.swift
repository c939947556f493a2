import XCTest
import GPZModels
import GPZNN
import GPZTensor

/// A model in evaluation mode.
func evalModel(_ architecture: Architecture, channels: Int = 3, imageSize: Int = 64,
               classes: Int = 10) throws -> StagedModel {
    let model = try ModelFactory.make(ModelConfig(architecture: architecture, channels: channels,
                                                  imageSize: imageSize, classes: classes))
    model.eval()
    return model
}

/// A random batch of images for `model`.
func randomInput(for model: StagedModel, batch: Int = 1) throws -> Tensor {
    try Tensor.randn([batch] + model.config.inputShape)
}

/// max |a − b| over all elements (the shapes must match).
func maxAbsDifference(_ a: Tensor, _ b: Tensor) throws -> Double {
    XCTAssertEqual(a.shape, b.shape)
    return try (a - b).abs().max().item()
}

/// Asserts that `body` throws a `ModelError` whose message is `expected`.
func assertThrowsModelError<T>(_ expected: String, _ body: @autoclosure () throws -> T,
                               file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertThrowsError(try body(), file: file, line: line) { error in
        XCTAssertEqual((error as? ModelError)?.message, expected, "\(error)", file: file, line: line)
    }
}
