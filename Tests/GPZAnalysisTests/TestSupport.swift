import XCTest
import GPZAnalysis
import GPZModels
import GPZTensor

/// A vector-valued split point with `dimension` values per sample.
func vectorSplit(_ index: Int, _ name: String, dimension: Int) -> SplitPoint {
    SplitPoint(index: index, name: name, shape: [dimension], kind: .vector)
}

/// `rows` as a float64 [N, d] tensor.
func matrix(_ rows: [[Double]]) throws -> Tensor {
    try Tensor(rows.flatMap { $0 }, shape: [rows.count, rows.first?.count ?? 0])
}

/// Feeds `data` [N, d] with `labels` to a one-split accumulator in batches of the sizes `batchSizes` (cycled)
/// and returns the split's statistics.
func streamedStatistics(_ data: Tensor, labels: [Int], classes: Int, batchSizes: [Int],
                        options: SplitStatisticsAccumulator.Options = .init()) throws -> SplitStatistics {
    let accumulator = try SplitStatisticsAccumulator(splits: [vectorSplit(1, "z", dimension: data.size(1))],
                                                     classes: classes, options: options)
    var start = 0
    var sizes = batchSizes.makeIterator()
    while start < labels.count {
        if let next = sizes.next() {
            let end = min(start + next, labels.count)
            try accumulator.add(features: [1: data.slice(dim: 0, start: start, end: end)],
                                labels: Array(labels[start..<end]))
            start = end
        } else {
            sizes = batchSizes.makeIterator()
        }
    }
    return try accumulator.statistics()[0]
}

/// Asserts |actual − expected| ≤ tolerance·max(1, |expected|).
func assertClose(_ actual: Double?, _ expected: Double, relative tolerance: Double = 1e-9,
                 file: StaticString = #filePath, line: UInt = #line) {
    guard let actual else { return XCTFail("nil, expected \(expected)", file: file, line: line) }
    XCTAssertLessThanOrEqual(abs(actual - expected), tolerance * max(1, abs(expected)),
                             "\(actual) vs \(expected)", file: file, line: line)
}
