import Foundation
import GPZConfig
import GPZTestSupport
import XCTest
import GPZAnalysis
import GPZTensor

final class NeuralVortexRecorderTests: SeededTestCase {
    /// Statistics of a two-split set whose radii scale with `spread`.
    private func statistics(spread: Double) throws -> [SplitStatistics] {
        let accumulator = try SplitStatisticsAccumulator(splits: [vectorSplit(1, "early", dimension: 2),
                                                                  vectorSplit(3, "late", dimension: 1)], classes: 2)
        try accumulator.add(features: [1: matrix([[0, 0], [spread, 0], [5, 5], [5, 5 + spread]]),
                                       3: matrix([[0], [spread / 2], [1], [1]])],
                            labels: [0, 0, 1, 1])
        return try accumulator.statistics()
    }

    private func recorder() throws -> NeuralVortexRecorder {
        var recorder = NeuralVortexRecorder()
        for run in NeuralVortexRecorder.paperRuns { try recorder.addRun(name: run.name, labelSmoothing: run.labelSmoothing) }
        try recorder.record(run: "one-hot", epoch: 1, statistics: statistics(spread: 2))
        try recorder.record(run: "ls+", epoch: 1, statistics: statistics(spread: 1))
        try recorder.record(run: "one-hot", epoch: 2, statistics: statistics(spread: 2))
        try recorder.setFinalAccuracy(run: "ls+", accuracy: 0.91)
        return recorder
    }

    func testCSVPutsRunsSideBySide() throws {
        let lines = try recorder().csv().split(separator: "\n").map(String.init)
        XCTAssertEqual(lines[0], "epoch,split,name,one-hot_r2c_mean,one-hot_intra_share,ls+_r2c_mean,"
                           + "ls+_intra_share,ls-_r2c_mean,ls-_intra_share")
        // Epoch 1, split 1: one-hot R_c² = (spread/2)² = 1 for both classes; ls+ 0.25. ls− has no values.
        XCTAssertTrue(lines[1].hasPrefix("1,1,early,1.0,"), lines[1])
        XCTAssertTrue(lines[1].contains(",0.25,"), lines[1])
        XCTAssertTrue(lines[1].hasSuffix(",,"), lines[1])
        XCTAssertEqual(lines.count, 5)
        XCTAssertTrue(lines[4].hasPrefix("2,3,late,"), lines[4])
    }

    func testJSONRoundTripsWithAccuracies() throws {
        let original = try recorder()
        let data = try original.json()
        let text = String(decoding: data, as: UTF8.self)
        XCTAssertTrue(text.contains("\"final_accuracy\" : 0.91"), text)
        XCTAssertTrue(text.contains("\"label_smoothing\" : -0.05"), text)
        XCTAssertEqual(try ResultsJSON.decoder().decode(NeuralVortexRecorder.self, from: data), original)
        let directory = try makeTemporaryDirectory("vortex")
        try original.write(csvTo: directory.appendingPathComponent("vortex.csv"),
                           jsonTo: directory.appendingPathComponent("vortex.json"))
        XCTAssertEqual(try String(contentsOf: directory.appendingPathComponent("vortex.csv"), encoding: .utf8),
                       original.csv())
    }

    func testErrors() throws {
        var recorder = try recorder()
        assertThrowsError(AnalysisError.self, "run 'ls+' is already recorded",
                          try recorder.addRun(name: "ls+", labelSmoothing: 0.3))
        assertThrowsError(AnalysisError.self, "run name 'a,b' must be non-empty without commas, quotes or line breaks",
                          try recorder.addRun(name: "a,b", labelSmoothing: 0))
        assertThrowsError(AnalysisError.self, "no run named 'ls'; recorded runs: one-hot, ls+, ls-",
                          try recorder.setFinalAccuracy(run: "ls", accuracy: 1))
        assertThrowsError(AnalysisError.self, "run 'one-hot': epoch 2 recorded after epoch 2",
                          try recorder.record(run: "one-hot", epoch: 2, statistics: statistics(spread: 1)))
    }
}
