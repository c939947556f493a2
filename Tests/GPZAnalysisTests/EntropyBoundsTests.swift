import Foundation
import GPZConfig
import XCTest
import GPZAnalysis

/// The maximum-entropy bounds against their closed forms.
final class EntropyBoundsTests: XCTestCase {
    private let twoPiE = 2 * Double.pi * M_E

    func testClosedForms() {
        // d = 4, σ² = 2, R² = (2, 0.5) for π = (0.25, 0.75).
        let b = EntropyBounds(dimension: 4, sigma2: 2, classRadii: [2, 0.5], classPriors: [0.25, 0.75])
        let global = 2 * log(twoPiE * 2)
        let class0 = 2 * log(twoPiE * 0.5), class1 = 2 * log(twoPiE * 0.125)
        let average = 0.25 * class0 + 0.75 * class1
        let hy = -(0.25 * log(0.25) + 0.75 * log(0.75))
        assertClose(b.global, global, relative: 1e-14)
        assertClose(b.classConditional[0], class0, relative: 1e-14)
        assertClose(b.classConditional[1], class1, relative: 1e-14)
        assertClose(b.classAverage, average, relative: 1e-14)
        assertClose(b.labelEntropy, hy, relative: 1e-14)
        assertClose(b.classMixture, hy + average, relative: 1e-14)
        assertClose(b.hxzLowerMinusConstant, -min(global, hy + average), relative: 1e-14)
        assertClose(b.globalPerDimension, global / 4, relative: 1e-14)
        assertClose(b.classAveragePerDimension, average / 4, relative: 1e-14)
        assertClose(b.classMixturePerDimension, (hy + average) / 4, relative: 1e-14)
        assertClose(b.hxzLowerMinusConstantPerDimension, -min(global, hy + average) / 4, relative: 1e-14)
        XCTAssertTrue(b.constantNote.contains("not estimated"))
    }

    /// Classes tighter than the whole cloud: the class mixture bound is the smaller one.
    func testMixtureIsTighterForSeparatedClasses() {
        let b = EntropyBounds(dimension: 10, sigma2: 1, classRadii: [0.1, 0.1], classPriors: [0.5, 0.5])
        // Global 5 ln(2πe); mixture ln 2 + 5 ln(2πe·0.01).
        assertClose(b.classMixture, log(2) + 5 * log(twoPiE * 0.01), relative: 1e-14)
        XCTAssertLessThan(b.classMixture, b.global)
        assertClose(b.hxzLowerMinusConstant, -b.classMixture, relative: 1e-14)
    }

    func testZeroRadiusGivesMinusInfinityAndMissingClassesAreSkipped() throws {
        let b = EntropyBounds(dimension: 3, sigma2: 1, classRadii: [0, nil, 3], classPriors: [0.5, 0, 0.5])
        XCTAssertEqual(b.classConditional[0], -.infinity)
        XCTAssertNil(b.classConditional[1])
        assertClose(b.classConditional[2], 1.5 * log(twoPiE), relative: 1e-14)
        XCTAssertEqual(b.classAverage, -.infinity)
        XCTAssertEqual(b.hxzLowerMinusConstant, .infinity)
        XCTAssertEqual(EntropyBounds.isotropicGaussianEntropy(dimension: 3, variance: 0), -.infinity)
        let json = String(decoding: try ResultsJSON.encoder().encode(b), as: UTF8.self)
        XCTAssertTrue(json.contains("\"h_class\" : \"-inf\""), json)
        XCTAssertEqual(try ResultsJSON.decoder().decode(EntropyBounds.self, from: Data(json.utf8)), b)
    }

    func testLabelEntropy() {
        assertClose(EntropyBounds.labelEntropy(priors: Array(repeating: 0.1, count: 10)), log(10), relative: 1e-14)
        XCTAssertEqual(EntropyBounds.labelEntropy(priors: [1, 0]), 0)
    }
}
