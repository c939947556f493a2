import GPZTestSupport
import XCTest
import GPZAnalysis
import GPZModels
import GPZTensor

/// A tiny untrained cnn4 fed through one forward pass per batch into the accumulator.
final class ModelIntegrationTests: SeededTestCase {
    func testEverySplitOfCNN4GivesFiniteStatistics() throws {
        let model = try ModelFactory.make(architecture: "cnn4", channels: 1, imageSize: 28, classes: 4)
        model.eval()
        for source in LabelSource.allCases {
            let accumulator = try SplitStatisticsAccumulator(model: model, options: .init(labelSource: source))
            for _ in 0..<2 {
                try accumulator.add(input: Tensor.randn([16, 1, 28, 28]), labels: (0..<16).map { $0 % 4 },
                                    model: model)
            }
            let statistics = try accumulator.statistics()
            XCTAssertEqual(statistics.map(\.name), model.splitPoints.map(\.name))
            XCTAssertEqual(statistics.map(\.dimension), model.splitPoints.map(\.elementCount))
            for split in statistics {
                XCTAssertEqual(split.sampleCount, 32)
                let values = [split.meanRadius, split.totalVariance, split.sigma2, split.intraClassShare,
                              split.effectiveDimension ?? .nan]
                XCTAssertTrue(values.allSatisfy(\.isFinite), "\(source) \(split.name): \(values)")
                XCTAssertGreaterThan(split.totalVariance, 0, split.name)
                let bounds = EntropyBounds(split)
                XCTAssertTrue(bounds.global.isFinite, split.name)
            }
            let report = try AnalysisReport(statistics: statistics, labels: source)
            XCTAssertTrue(model.splitPoints.map(\.index).contains(report.gpzApriori.first))
        }
    }
}
