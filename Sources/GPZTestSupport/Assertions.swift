import GPZTensor
import XCTest

/// Asserts that `body` throws an error of type `type` whose description is `expected`.
public func assertThrowsError<T, E: Error>(_ type: E.Type, _ expected: String, _ body: @autoclosure () throws -> T,
                                           file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertThrowsError(try body(), file: file, line: line) { error in
        XCTAssertTrue(error is E, "\(Swift.type(of: error)) is not a \(E.self)", file: file, line: line)
        XCTAssertEqual("\(error)", expected, file: file, line: line)
    }
}

/// Asserts that `expression` throws an error, of any type, whose description is `message`.
public func assertThrowsMessage<T>(_ expression: @autoclosure () throws -> T, _ message: String,
                                   file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertThrowsError(try expression(), file: file, line: line) { error in
        XCTAssertEqual("\(error)", message, file: file, line: line)
    }
}

/// Asserts that two sequences have the same length and agree elementwise within `accuracy`.
public func assertClose(_ actual: [Double], _ expected: [Double], accuracy: Double = 1e-12, _ message: String = "",
                        file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.count, expected.count, message, file: file, line: line)
    for (a, e) in zip(actual, expected) {
        XCTAssertEqual(a, e, accuracy: accuracy, "\(actual) vs \(expected) \(message)", file: file, line: line)
    }
}

/// max |a − b| over all elements (the shapes must match).
public func maxAbsDifference(_ a: Tensor, _ b: Tensor) throws -> Double {
    XCTAssertEqual(a.shape, b.shape)
    return try (a - b).abs().max().item()
}
