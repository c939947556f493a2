import XCTest
import GPZAttacks
import GPZModels
import GPZTensor

/// `count` smooth synthetic images [count, channels, size, size] in [0.1, 0.9]: per image and channel,
/// 0.5 + 0.4 · sin(a·i + b·j + φ) with random frequencies a, b ∈ [0.1, 0.8) and phase φ ∈ [0, 2π).
func syntheticImages(count: Int, channels: Int, size: Int) throws -> Tensor {
    let rows = try Tensor.arange(0, Double(size)).reshaped([1, 1, size, 1])
    let columns = try Tensor.arange(0, Double(size)).reshaped([1, 1, 1, size])
    let a = try Tensor.rand([count, channels, 1, 1]) * 0.7 + 0.1
    let b = try Tensor.rand([count, channels, 1, 1]) * 0.7 + 0.1
    let phase = try Tensor.rand([count, channels, 1, 1]) * (2 * Double.pi)
    return try (a * rows + b * columns + phase).sin() * 0.4 + 0.5
}

/// A tiny untrained cnn4 in evaluation mode.
func tinyCNN4(channels: Int = 1, imageSize: Int = 16) throws -> StagedModel {
    let model = try ModelFactory.make(architecture: "cnn4", channels: channels, imageSize: imageSize, classes: 4)
    model.eval()
    return model
}

/// max |a − b| over all elements (the shapes must match).
func maxAbsDifference(_ a: Tensor, _ b: Tensor) throws -> Double {
    XCTAssertEqual(a.shape, b.shape)
    return try (a - b).abs().max().item()
}

/// Asserts that two sequences have the same length and agree elementwise within `accuracy`.
func assertClose(_ actual: [Double], _ expected: [Double], accuracy: Double, _ message: String = "",
                 file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.count, expected.count, message, file: file, line: line)
    for (a, e) in zip(actual, expected) {
        XCTAssertEqual(a, e, accuracy: accuracy, "\(actual) vs \(expected) \(message)", file: file, line: line)
    }
}
