import XCTest
import GPZTensor

/// A float64 leaf tensor that requires gradients.
func parameter(_ values: [Double]) throws -> Tensor {
    try Tensor(values).requiringGrad()
}

/// Replaces `parameter`'s gradient with exactly `values` (the gradient of Σ θᵢ·gᵢ).
func setGradient(_ parameter: Tensor, _ values: [Double]) throws {
    try parameter.zeroGrad()
    try (parameter * Tensor(values, shape: parameter.shape).to(parameter.dtype)).sum().backward()
}

func assertValues(_ tensor: Tensor?, _ expected: [Double], accuracy: Double = 1e-12,
                  file: StaticString = #filePath, line: UInt = #line) throws {
    let actual = try XCTUnwrap(tensor, file: file, line: line).toDoubles()
    XCTAssertEqual(actual.count, expected.count, file: file, line: line)
    for (a, e) in zip(actual, expected) {
        XCTAssertEqual(a, e, accuracy: accuracy, "\(actual) vs \(expected)", file: file, line: line)
    }
}

extension Array where Element == (name: String, tensor: Tensor) {
    var dictionary: [String: Tensor] { Dictionary(uniqueKeysWithValues: map { ($0.name, $0.tensor) }) }
}
