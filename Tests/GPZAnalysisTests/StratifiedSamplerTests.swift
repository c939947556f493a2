import XCTest
import GPZAnalysis
import GPZTestSupport

final class StratifiedSamplerTests: XCTestCase {
    func testQuotasAreAsEqualAsClassSizesAllow() {
        // 30 from sizes 50, 3, 20: class 1 gives all 3; 27 left over two classes → 13 each, the extra 1 to label 0.
        XCTAssertEqual(StratifiedSampler.quotas(classSizes: [0: 50, 1: 3, 2: 20], count: 30), [0: 14, 1: 3, 2: 13])
        XCTAssertEqual(StratifiedSampler.quotas(classSizes: [0: 10, 1: 10], count: 6), [0: 3, 1: 3])
    }

    func testIndicesAreStratifiedSortedAndSeeded() throws {
        let labels = (0..<1_000).map { $0 < 700 ? 0 : ($0 < 990 ? 1 : 2) }
        let sample = try StratifiedSampler.indices(labels: labels, count: 100, seed: 3)
        XCTAssertEqual(sample.count, 100)
        XCTAssertEqual(sample, sample.sorted())
        XCTAssertEqual(Set(sample).count, 100)
        let perClass = Dictionary(grouping: sample, by: { labels[$0] }).mapValues(\.count)
        XCTAssertEqual(perClass, [0: 45, 1: 45, 2: 10])
        XCTAssertEqual(try StratifiedSampler.indices(labels: labels, count: 100, seed: 3), sample)
        XCTAssertNotEqual(try StratifiedSampler.indices(labels: labels, count: 100, seed: 4), sample)
        XCTAssertEqual(StratifiedSampler.defaultCount, 5_000)
    }

    func testWholeSetWhenAskedForAtLeastItsSize() throws {
        XCTAssertEqual(try StratifiedSampler.indices(labels: [2, 0, 1], count: 5), [0, 1, 2])
    }

    func testInvalidInput() {
        assertThrowsError(AnalysisError.self, "the sample size must be positive, got 0",
                          try StratifiedSampler.indices(labels: [0, 1], count: 0))
        assertThrowsError(AnalysisError.self, "labels must be non-negative, got -1",
                          try StratifiedSampler.indices(labels: [0, -1], count: 1))
    }
}
