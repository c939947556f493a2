import GPZTestSupport
import XCTest
import GPZAnalysis
import GPZModels
import GPZTensor

/// The accumulator's inputs: label sources, several splits, and the errors for inconsistent batches.
final class AccumulatorTests: SeededTestCase {
    private func twoSplits(options: SplitStatisticsAccumulator.Options = .init()) throws -> SplitStatisticsAccumulator {
        try SplitStatisticsAccumulator(splits: [vectorSplit(1, "a", dimension: 2),
                                                SplitPoint(index: 2, name: "b", shape: [1, 2, 2], kind: .spatial)],
                                       classes: 2, options: options)
    }

    func testSplitsOfDifferentShapesInOneBatch() throws {
        let accumulator = try twoSplits()
        let a = try matrix([[0, 0], [2, 0], [4, 4]])
        let b = try Tensor.arange(12, dtype: .float32).reshaped([3, 1, 2, 2])
        try accumulator.add(features: [1: a, 2: b, 9: a], labels: [0, 0, 1])
        let statistics = try accumulator.statistics()
        XCTAssertEqual(statistics.map(\.name), ["a", "b"])
        XCTAssertEqual(statistics.map(\.dimension), [2, 4])
        XCTAssertEqual(accumulator.sampleCount, 3)
        // Split b, class 0: rows (0,1,2,3) and (4,5,6,7), μ = (2,3,4,5): R² = 4·4 = 16.
        assertClose(statistics[1].classRadii[0], 16)
        XCTAssertEqual(statistics[1].classRadii[1], 0)
    }

    func testPredictedLabelsComeFromTheLogits() throws {
        let accumulator = try twoSplits(options: .init(labelSource: .predicted))
        let a = try matrix([[0, 0], [2, 0], [4, 4]])
        let b = try Tensor.zeros([3, 1, 2, 2])
        let logits = try matrix([[0, 1], [0, 1], [5, 1]])
        try accumulator.add(features: [1: a, 2: b], labels: [0, 0, 1], logits: logits)
        // argmax: 1, 1, 0 where the true labels are 0, 0, 1.
        XCTAssertEqual(try accumulator.statistics()[0].classCounts, [1, 2])
        assertThrowsError(AnalysisError.self, "predicted labels need the logits of every batch",
                          try accumulator.add(features: [1: a, 2: b], labels: [0, 0, 1]))
        assertThrowsError(AnalysisError.self, "logits [3, 3] do not match 3 samples of 2 classes",
                          try accumulator.add(features: [1: a, 2: b], labels: [0, 0, 1],
                                              logits: try Tensor.zeros([3, 3])))
    }

    func testNonFiniteFeaturesNameTheSplitAndAddNothing() throws {
        let accumulator = try twoSplits()
        let a = try matrix([[0, 0], [2, 0], [4, 4]])
        let b = try matrix([[0, 0, 0, .nan], [0, 0, 0, 0], [.infinity, 0, 0, 0]]).reshaped([3, 1, 2, 2])
        assertThrowsError(AnalysisError.self, "split 2 (b): features contain NaN or Inf",
                          try accumulator.add(features: [1: a, 2: b], labels: [0, 0, 1]))
        XCTAssertEqual(accumulator.sampleCount, 0)
    }

    func testInconsistentBatchesAreErrors() throws {
        let accumulator = try twoSplits()
        let a = try matrix([[0, 0], [2, 0], [4, 4]])
        let b = try Tensor.zeros([3, 1, 2, 2])
        assertThrowsError(AnalysisError.self, "split 1 (a): features [3, 2] do not match 2 labels of 2 values each",
                          try accumulator.add(features: [1: a, 2: b], labels: [0, 1]))
        assertThrowsError(AnalysisError.self, "no features for split 2 (b) in this batch",
                          try accumulator.add(features: [1: a], labels: [0, 1, 1]))
        assertThrowsError(AnalysisError.self, "label 2 is out of range 0..<2",
                          try accumulator.add(features: [1: a, 2: b], labels: [0, 2, 1]))
        assertThrowsError(AnalysisError.self, "split 2 (b): features [3, 5] do not match 3 labels of 4 values each",
                          try accumulator.add(features: [1: a, 2: Tensor.zeros([3, 5])], labels: [0, 1, 1]))
    }

    func testSplitWithoutSamplesIsAnError() throws {
        assertThrowsError(AnalysisError.self, "split 1 (a) received no samples: nothing to analyse",
                          try twoSplits().statistics())
    }

    func testConstructionErrors() throws {
        assertThrowsError(AnalysisError.self, "no splits to analyse",
                          try SplitStatisticsAccumulator(splits: [], classes: 2))
        assertThrowsError(AnalysisError.self, "the number of classes must be positive, got 0",
                          try SplitStatisticsAccumulator(splits: [vectorSplit(1, "a", dimension: 2)],
                                                         classes: 0))
        assertThrowsError(AnalysisError.self, "splits are listed more than once",
                          try SplitStatisticsAccumulator(splits: [vectorSplit(1, "a", dimension: 2),
                                                                  vectorSplit(1, "a", dimension: 2)],
                                                         classes: 2))
    }
}
