import Foundation
import GPZPipeline
import XCTest

final class ScanConfigTests: XCTestCase {
    func testDefaultsAreValid() throws {
        XCTAssertNoThrow(try ScanConfig().validate())
    }
}
