import GPZTestSupport
import XCTest
import GPZAnalysis
import GPZTensor

/// R_c², tr Σ, σ² and the intra-class share against hand computations and known distributions, and the
/// independence of the result from how the set is batched.
final class IntraClassRadiusTests: SeededTestCase {
    /// Class 0: (0,0), (2,0); class 1: (4,4), (4,6), (4,8).
    private let tinyRows: [[Double]] = [[0, 0], [4, 4], [2, 0], [4, 6], [4, 8]]
    private let tinyLabels = [0, 1, 0, 1, 1]

    func testHandComputedTinySet() throws {
        let s = try streamedStatistics(try matrix(tinyRows), labels: tinyLabels, classes: 2, batchSizes: [5])
        // μ_0 = (1, 0): R_0² = (1 + 1)/2 = 1.   μ_1 = (4, 6): R_1² = (4 + 0 + 4)/3 = 8/3.
        XCTAssertEqual(s.classCounts, [2, 3])
        assertClose(s.classRadii[0], 1)
        assertClose(s.classRadii[1], 8.0 / 3)
        assertClose(s.meanRadius, (1 + 8.0 / 3) / 2)
        assertClose(s.minRadius, 1)
        assertClose(s.maxRadius, 8.0 / 3)
        // μ = (2.8, 3.6); squared distances 20.8, 1.6, 13.6, 7.2, 20.8 sum to 64, so tr Σ = 64/5 = 12.8,
        // σ² = 12.8/2 = 6.4. Within: 0.4·1 + 0.6·8/3 = 2, share 2/12.8 = 0.15625.
        assertClose(s.totalVariance, 12.8)
        assertClose(s.sigma2, 6.4)
        assertClose(s.intraClassShare, 0.15625)
        XCTAssertEqual(s.dimension, 2)
        XCTAssertEqual(s.sampleCount, 5)
        XCTAssertEqual(s.missingClasses, [])
    }

    func testStreamingEqualsAllAtOnce() throws {
        let data = try Tensor.randn([301, 7], dtype: .float64) * 3 + 5
        let labels = (0..<301).map { ($0 * 7 + $0 / 5) % 4 }
        let whole = try streamedStatistics(data, labels: labels, classes: 4, batchSizes: [301])
        for sizes in [[1], [7], [16, 3, 50], [64]] {
            let streamed = try streamedStatistics(data, labels: labels, classes: 4, batchSizes: sizes)
            XCTAssertEqual(streamed.classCounts, whole.classCounts)
            for (a, b) in zip(streamed.classRadii, whole.classRadii) { assertClose(a, b!) }
            assertClose(streamed.totalVariance, whole.totalVariance)
            assertClose(streamed.intraClassShare, whole.intraClassShare)
            assertClose(streamed.meanRadius, whole.meanRadius)
            XCTAssertEqual(streamed.effectiveDimension, whole.effectiveDimension)
        }
    }

    /// Features far from the origin with a small spread: E‖z‖² − ‖μ_c‖² would lose every digit here
    /// (‖z‖² ≈ 4·10¹⁶, where float64 is spaced by 8), the pairwise merge keeps nine digits and more.
    func testLargeMeanSmallSpreadStaysExact() throws {
        let rows = (0..<200).map { i -> [Double] in (0..<4).map { j in 1e8 + ((i + j).isMultiple(of: 2) ? 1 : -1) } }
        let s = try streamedStatistics(try matrix(rows), labels: Array(repeating: 0, count: 200), classes: 1,
                                       batchSizes: [3, 17])
        // Every coordinate is 10⁸ ± 1 with the signs balanced: μ = 10⁸·1, R² = 4·1.
        assertClose(s.classRadii[0], 4, relative: 1e-9)
        assertClose(s.totalVariance, 4, relative: 1e-9)
        assertClose(s.intraClassShare, 1, relative: 1e-9)
    }

    /// Isotropic Gaussian clusters N(m_c, σ_c² I_d): R_c² → d·σ_c² and the share → Σπ_c dσ_c² / (that + between).
    func testGaussianClustersOfKnownRadius() throws {
        let d = 50, perClass = 400, sigmas = [0.5, 1.0, 2.0]
        let centres = try Tensor.randn([3, d], dtype: .float64) * 10
        var blocks: [Tensor] = []
        for (c, sigma) in sigmas.enumerated() {
            blocks.append(try Tensor.randn([perClass, d], dtype: .float64) * sigma + centres.slice(dim: 0, start: c, end: c + 1))
        }
        let labels = sigmas.indices.flatMap { Array(repeating: $0, count: perClass) }
        let s = try streamedStatistics(try Tensor.cat(blocks), labels: labels, classes: 3, batchSizes: [128])
        for (c, sigma) in sigmas.enumerated() {
            assertClose(s.classRadii[c], Double(d) * sigma * sigma, relative: 0.04)
        }
        let within = sigmas.reduce(0) { $0 + Double(d) * $1 * $1 } / 3
        let between = try (centres - centres.mean(dims: [0], keepDim: true)).square().sum().item() / 3
        assertClose(s.intraClassShare, within / (within + between), relative: 0.04)
        assertClose(s.sigma2, (within + between) / Double(d), relative: 0.04)
    }

    func testMissingClassIsReportedAndLeftOutOfTheMean() throws {
        let s = try streamedStatistics(try matrix(tinyRows), labels: tinyLabels.map { $0 * 2 }, classes: 3,
                                       batchSizes: [2])
        XCTAssertEqual(s.classCounts, [2, 0, 3])
        XCTAssertEqual(s.missingClasses, [1])
        XCTAssertNil(s.classRadii[1])
        assertClose(s.meanRadius, (1 + 8.0 / 3) / 2)
    }

    func testSingletonClassHasZeroRadius() throws {
        let s = try streamedStatistics(try matrix([[1, 2], [3, 4], [5, 6]]), labels: [0, 1, 1], classes: 2,
                                       batchSizes: [1])
        // As in the paper's code a singleton class contributes R² = 0 to the class mean. Class 1: μ = (4, 5),
        // squared distances 2 and 2, R² = 2; mean (0 + 2)/2 = 1.
        XCTAssertEqual(s.classRadii[0], 0)
        assertClose(s.classRadii[1], 2)
        assertClose(s.meanRadius, 1)
    }
}
