import GPZTestSupport
import XCTest
@testable import GPZTensor

final class FeatureNoiseTests: SeededTestCase {
    private func spread(_ features: Tensor, batches: Int = 3) throws -> Tensor {
        var accumulator = FeatureNoise.SpreadAccumulator()
        let size = features.size(0) / batches
        for batch in 0..<batches {
            try accumulator.add(try features.slice(dim: 0, start: batch * size, end: (batch + 1) * size))
        }
        return try accumulator.spread()
    }

    /// The spread accumulated over batches is each feature's population standard deviation.
    func testSpreadIsEachFeaturesStandardDeviation() throws {
        let features = try Tensor.randn([60, 3, 2]) * (try Tensor([0.5, 2, 10, 1, 3, 0.1], shape: [3, 2]))
        let values = try features.toDoubles()
        let measured = try spread(features).toDoubles()
        for feature in 0..<6 {
            let column = stride(from: feature, to: values.count, by: 6).map { values[$0] }
            let mean = column.reduce(0, +) / 60
            let sd = (column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 60).squareRoot()
            XCTAssertEqual(measured[feature], sd, accuracy: 1e-5 * max(1, sd))
        }
    }

    /// Relative to the spread, the noise is scale-invariant: with the same draws, noisy(c · Z) = c · noisy(Z).
    func testNoiseRelativeToTheSpreadIsScaleInvariant() throws {
        let features = try Tensor.randn([40, 5]) * 3
        let scale = 7.5
        let noise = try FeatureNoise(sigma: 0.5, spread: try spread(features, batches: 2))
        let scaled = try FeatureNoise(sigma: 0.5, spread: try spread(features * scale, batches: 2))
        try Runtime.manualSeed(11)
        let a = try noise.apply(features)
        try Runtime.manualSeed(11)
        let b = try scaled.apply(features * scale)
        XCTAssertLessThan(try maxAbsDifference(b, a * scale), 1e-4)
        XCTAssertGreaterThan(try maxAbsDifference(a, features), 0.1, "noise was added")
    }

    /// Draws are seeded: the same seed gives the same noise, and successive draws (a new batch, another role's
    /// seed) differ. σ = 0 leaves Z untouched; a wrong shape and a bad σ are errors naming them.
    func testDrawsAreSeededAndNotReused() throws {
        let features = try Tensor.zeros([4, 3])
        let noise = try FeatureNoise(sigma: 1, spread: try Tensor.ones([3]))
        try Runtime.manualSeed(5)
        let first = try noise.apply(features)
        let second = try noise.apply(features)
        try Runtime.manualSeed(5)
        XCTAssertEqual(try noise.apply(features).toDoubles(), try first.toDoubles())
        XCTAssertGreaterThan(try maxAbsDifference(first, second), 0.1)
        XCTAssertEqual(try FeatureNoise(sigma: 0, spread: try Tensor.ones([3])).apply(features).toDoubles(),
                       try features.toDoubles())
        XCTAssertThrowsError(try noise.apply(try Tensor.zeros([4, 2]))) { XCTAssertTrue("\($0)".contains("[4, 2]")) }
        XCTAssertThrowsError(try FeatureNoise(sigma: -1, spread: try Tensor.ones([3])))
        XCTAssertThrowsError(try FeatureNoise(sigma: .nan, spread: try Tensor.ones([3])))
    }

    private func maxAbsDifference(_ a: Tensor, _ b: Tensor) throws -> Double {
        try (a - b).abs().max().item()
    }
}

extension FeatureNoiseTests {
    /// Per-sample seeded draws do not depend on the batching: four samples in one batch get the draws they get in
    /// two batches of two.
    func testPerSampleDrawsDoNotDependOnTheBatch() throws {
        let features = try Tensor.randn([4, 3])
        let noise = try FeatureNoise(sigma: 0.7, spread: try Tensor([1.0, 2, 3], shape: [3]))
        let seeds = (0..<4).map { FeatureNoise.accountingSeed(9, image: $0) }
        let whole = try noise.apply(features, sampleSeeds: seeds)
        let halves = try Tensor.cat([
            try noise.apply(try features.slice(dim: 0, start: 0, end: 2), sampleSeeds: Array(seeds[0..<2])),
            try noise.apply(try features.slice(dim: 0, start: 2, end: 4), sampleSeeds: Array(seeds[2..<4])),
        ])
        XCTAssertEqual(try whole.toDoubles(), try halves.toDoubles())
        XCTAssertGreaterThan(try (whole - features).abs().max().item(), 0.1)
        XCTAssertThrowsError(try noise.apply(features, sampleSeeds: [1, 2]))
    }
}
