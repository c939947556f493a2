import GPZTestSupport
import XCTest
import GPZAnalysis
import GPZTensor

/// The participation ratio (tr Σ)² / tr Σ² from the reservoir's Gram matrix.
final class EffectiveDimensionTests: SeededTestCase {
    /// n rows in d dimensions whose variance lies in k equal directions (standard deviations `scales` there).
    private func data(rows n: Int, dimension d: Int, scales: [Double]) throws -> Tensor {
        let columns = try (0..<d).map { j -> Tensor in
            let scale = j < scales.count ? scales[j] : 0
            return try Tensor.randn([n, 1], dtype: .float64) * scale + Double(j)
        }
        return try Tensor.cat(columns, dim: 1)
    }

    func testEqualVarianceDirectionsGiveTheirCount() throws {
        for k in [1, 5] {
            let s = try streamedStatistics(try data(rows: 1_000, dimension: 40, scales: Array(repeating: 2, count: k)),
                                           labels: Array(repeating: 0, count: 1_000), classes: 1, batchSizes: [100])
            XCTAssertEqual(s.effectiveDimensionRows, 1_000)
            // From n rows the estimate is about k/(1 + k/n): 4.975 for k = 5.
            assertClose(s.effectiveDimension, Double(k) / (1 + Double(k) / 1_000), relative: 0.03)
        }
    }

    func testUnequalVariancesGiveTheParticipationRatio() throws {
        // Variances 4, 1, 1: (4 + 1 + 1)² / (16 + 1 + 1) = 2.
        let s = try streamedStatistics(try data(rows: 1_000, dimension: 10, scales: [2, 1, 1]),
                                       labels: Array(repeating: 0, count: 1_000), classes: 1, batchSizes: [1_000])
        assertClose(s.effectiveDimension, 2, relative: 0.05)
    }

    func testConstantFeaturesHaveDimensionZero() throws {
        let s = try streamedStatistics(try Tensor.ones([20, 3], dtype: .float64), labels: Array(repeating: 0, count: 20),
                                       classes: 1, batchSizes: [20])
        XCTAssertEqual(s.effectiveDimension, 0)
        XCTAssertEqual(s.totalVariance, 0)
        XCTAssertEqual(s.intraClassShare, 0)
    }

    func testReservoirSampleDoesNotDependOnBatching() throws {
        let x = try data(rows: 500, dimension: 12, scales: [3, 2, 1, 1])
        let labels = Array(repeating: 0, count: 500)
        let options = SplitStatisticsAccumulator.Options(effectiveDimensionRows: 64, seed: 7)
        let whole = try streamedStatistics(x, labels: labels, classes: 1, batchSizes: [500], options: options)
        let pieces = try streamedStatistics(x, labels: labels, classes: 1, batchSizes: [7, 1, 60], options: options)
        XCTAssertEqual(whole.effectiveDimensionRows, 64)
        XCTAssertEqual(whole.effectiveDimension, pieces.effectiveDimension)
        let reseeded = try streamedStatistics(x, labels: labels, classes: 1, batchSizes: [500],
                                              options: .init(effectiveDimensionRows: 64, seed: 8))
        XCTAssertNotEqual(whole.effectiveDimension, reseeded.effectiveDimension)
    }

    func testBudgetLimitsTheRowsOfEverySplitAlike() throws {
        let splits = [vectorSplit(1, "wide", dimension: 300), vectorSplit(2, "narrow", dimension: 100)]
        let accumulator = try SplitStatisticsAccumulator(splits: splits, classes: 1,
                                                         options: .init(effectiveDimensionRows: 1_000,
                                                                        reservoirBudget: 20_000))
        // 20 000 values over 300 + 100 per row: 50 rows for each split.
        XCTAssertEqual(accumulator.reservoirRows, 50)
        let tooSmall = try SplitStatisticsAccumulator(splits: splits, classes: 1,
                                                      options: .init(reservoirBudget: 500))
        try tooSmall.add(features: [1: Tensor.randn([4, 300]), 2: Tensor.randn([4, 100])], labels: [0, 0, 0, 0])
        let statistics = try tooSmall.statistics()
        XCTAssertNil(statistics[0].effectiveDimension)
        XCTAssertEqual(statistics[0].effectiveDimensionRows, 1)
    }
}
