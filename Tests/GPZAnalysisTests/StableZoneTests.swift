import XCTest
@testable import GPZAnalysis
import GPZModels
import GPZTensor
import GPZTestSupport

/// The verdict's a-priori zone on synthetic features whose answer is known, and its bootstrap.
final class StableZoneTests: XCTestCase {
    /// N samples of K classes: `spread` of noise around class means placed `separation` apart, in d dimensions.
    private func features(classes: Int, perClass: Int, dimension: Int, separation: Double, spread: Double,
                          seed: UInt64) throws -> (Tensor, [Int]) {
        var state = seed
        func uniform() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) * 0x1.0p-53
        }
        var rows: [Double] = [], labels: [Int] = []
        for i in 0..<(classes * perClass) {
            let c = i % classes
            labels.append(c)
            for j in 0..<dimension {
                let centre = j == c % dimension ? separation : 0
                rows.append(centre + spread * (uniform() - 0.5))
            }
        }
        return (try Tensor(rows, shape: [labels.count, dimension]), labels)
    }

    private func analyse(_ splits: [(SplitPoint, Tensor)], labels: [Int], classes: Int, replicates: Int,
                         seed: UInt64, batch: Int = 37) throws -> ([SplitStatistics], [BootstrapReplicates]) {
        let options = SplitStatisticsAccumulator.Options(bootstrap: .init(splits: splits.map(\.0.index),
                                                                          replicates: replicates, seed: seed))
        let accumulator = try SplitStatisticsAccumulator(splits: splits.map(\.0), classes: classes, options: options)
        var start = 0
        while start < labels.count {
            let end = min(start + batch, labels.count)
            var features: [Int: Tensor] = [:]
            for (point, data) in splits { features[point.index] = try data.slice(dim: 0, start: start, end: end) }
            try accumulator.add(features: features, labels: Array(labels[start..<end]))
            start = end
        }
        return (try accumulator.statistics(), try accumulator.bootstrapReplicates())
    }

    /// Three splits: wide mixed features, the same features narrowed to a tenth (a width change, no
    /// separation), then features whose classes separate. The share rule finds the separation every time; the
    /// raw-R_c² rule is drawn to the width change.
    func testPlantedSeparationIsFoundAndAWidthChangeIsNot() throws {
        let (wide, labels) = try features(classes: 4, perClass: 60, dimension: 40, separation: 0.3, spread: 2,
                                          seed: 1)
        let narrow = try wide.slice(dim: 1, start: 0, end: 4)
        let (separated, _) = try features(classes: 4, perClass: 60, dimension: 4, separation: 3, spread: 1, seed: 2)
        let points = [vectorSplit(1, "wide", dimension: 40), vectorSplit(2, "narrow", dimension: 4),
                      vectorSplit(3, "separated", dimension: 4)]
        let (statistics, replicates) = try analyse(zip(points, [wide, narrow, separated]).map { ($0, $1) },
                                                   labels: labels, classes: 4, replicates: 40, seed: 7)
        let share = try StableZoneLocator.locate(
            criterion: .intraClassShare, candidates: [1, 2, 3], names: ["wide", "narrow", "separated"],
            values: statistics.map(\.intraClassShare), replicates: replicates.map(\.intraClassShare))
        XCTAssertEqual(share.split, 3)
        XCTAssertEqual(share.featureSplit, 2)
        XCTAssertEqual(share.frequencies[2], 1)
        XCTAssertTrue(share.clear)
        let radius = try StableZoneLocator.locate(
            criterion: .meanRadius, candidates: [1, 2, 3], names: ["wide", "narrow", "separated"],
            values: statistics.map(\.meanRadius), replicates: replicates.map(\.meanRadius))
        XCTAssertEqual(radius.split, 2, "the raw R_c² drop of a width change wins the paper rule")
    }

    /// Two drops of nearly equal size: the rule flips between replicates, and the zone is not called clear.
    func testCloseDropsAreNotClear() throws {
        let zone = try StableZoneLocator.locate(
            criterion: .intraClassShare, candidates: [1, 2, 3], names: ["a", "b", "c"], values: [1, 0.6, 0.36],
            replicates: [[1, 1, 1, 1], [0.58, 0.62, 0.59, 0.61], [0.36, 0.36, 0.36, 0.36]])
        XCTAssertEqual(zone.frequencies, [0, 0.5, 0.5])
        XCTAssertEqual(zone.split, 2, "ties go to the earlier candidate")
        XCTAssertFalse(zone.clear)
    }

    /// The Poisson weights depend only on (seed, replicate, position): batch sizes do not change the replicates,
    /// the same seed repeats them exactly, another seed changes them.
    func testBootstrapIsDeterministicAndBatchIndependent() throws {
        let (data, labels) = try features(classes: 3, perClass: 30, dimension: 5, separation: 1, spread: 1, seed: 3)
        let point = vectorSplit(1, "z", dimension: 5)
        let a = try analyse([(point, data)], labels: labels, classes: 3, replicates: 5, seed: 11, batch: 7).1
        let b = try analyse([(point, data)], labels: labels, classes: 3, replicates: 5, seed: 11, batch: 90).1
        let c = try analyse([(point, data)], labels: labels, classes: 3, replicates: 5, seed: 12, batch: 7).1
        for (x, y) in zip(a[0].intraClassShare, b[0].intraClassShare) { assertClose(x, y, relative: 1e-12) }
        XCTAssertEqual(a, try analyse([(point, data)], labels: labels, classes: 3, replicates: 5, seed: 11,
                                      batch: 7).1)
        XCTAssertNotEqual(a[0].intraClassShare, c[0].intraClassShare)
    }

    /// A replicate's share equals the weighted share computed by hand from the same Poisson weights.
    func testReplicateEqualsHandWeightedShare() throws {
        let (data, labels) = try features(classes: 2, perClass: 10, dimension: 3, separation: 2, spread: 1, seed: 5)
        let replicates = try analyse([(vectorSplit(1, "z", dimension: 3), data)], labels: labels, classes: 2,
                                     replicates: 3, seed: 9).1[0]
        let rows = try data.toDoubles()
        for b in 0..<3 {
            let w = labels.indices.map { Double(BootstrapMoments.weight(seed: 9, replicate: b, position: $0)) }
            func weightedMean(_ members: [Int]) -> [Double] {
                let total = members.reduce(0) { $0 + w[$1] }
                return (0..<3).map { j in members.reduce(0) { $0 + w[$1] * rows[$1 * 3 + j] } / total }
            }
            func scatter(_ members: [Int], around mean: [Double]) -> Double {
                members.reduce(0) { sum, i in sum + w[i] * (0..<3).reduce(0) { $0 + pow(rows[i * 3 + $1] - mean[$1], 2) } }
            }
            let all = Array(labels.indices)
            let within = (0..<2).reduce(0.0) { sum, c in
                let members = all.filter { labels[$0] == c }
                return sum + scatter(members, around: weightedMean(members))
            }
            let expected = within / scatter(all, around: weightedMean(all))
            assertClose(replicates.intraClassShare[b], expected, relative: 1e-9)
        }
    }

    func testLocatorRejectsBadInput() {
        assertThrowsError(AnalysisError.self, "at least two candidate splits are needed to locate a zone, got 1",
                                  try StableZoneLocator.locate(criterion: .intraClassShare, candidates: [1],
                                                               names: ["a"], values: [1], replicates: []))
    }
}
