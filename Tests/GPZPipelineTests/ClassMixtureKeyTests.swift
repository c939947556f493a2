import Foundation
import GPZAnalysis
import GPZPipeline
import XCTest

/// `h_class_mixture_per_dim` names the class-mixture bound h(Z|Y)/d + H(Y)/d in results.json, results.csv and
/// analysis.json alike; `h_class_per_dim` is analysis.json's class-average bound and never appears in the results.
final class ClassMixtureKeyTests: XCTestCase {
    /// The two per-dimension class bounds as a JSON object names them.
    private struct ClassBounds: Decodable {
        let mixture: Double?
        let average: Double?

        enum CodingKeys: String, CodingKey {
            case mixture = "h_class_mixture_per_dim", average = "h_class_per_dim"
        }
    }

    private let bounds = EntropyBounds(dimension: 8, sigma2: 2, classRadii: [4, 9, 1], classPriors: [0.5, 0.25, 0.25])

    func testAnalysisJSONNamesBothBounds() throws {
        let decoded = try JSONDecoder().decode(ClassBounds.self, from: AnalysisJSON.encoder().encode(bounds))
        let mixture = try XCTUnwrap(decoded.mixture), average = try XCTUnwrap(decoded.average)
        XCTAssertEqual(mixture, bounds.classMixturePerDimension)
        XCTAssertEqual(average, bounds.classAveragePerDimension)
        XCTAssertEqual(mixture - average, EntropyBounds.labelEntropy(priors: [0.5, 0.25, 0.25]) / 8, accuracy: 1e-12)
    }

    func testResultsUseTheAnalysisKeyForTheMixtureBound() throws {
        let split = ScanSplit(name: "block1", index: 1, shape: [2, 2, 2], d: 8, r2cMean: 4, r2cMin: 1, r2cMax: 9,
                              intraShare: 0.5, sigma2: 2, effectiveDimension: nil,
                              hGlobalPerDim: bounds.globalPerDimension,
                              hClassMixturePerDim: bounds.classMixturePerDimension, mse: nil, mseStd: nil,
                              mseSumChannels: nil, psnr: nil, ssim: nil, cosine: nil, accuracyWithDefense: nil,
                              grid: nil, edgeParams: 0, edgeMacs: 0, bytes: 32)
        let decoded = try JSONDecoder().decode(ClassBounds.self, from: ScanJSON.encoder().encode(split))
        XCTAssertEqual(decoded.mixture, bounds.classMixturePerDimension)
        XCTAssertNil(decoded.average, "results.json must not reuse analysis.json's class-average key")
        XCTAssertTrue(ResultsCSV.columns.contains("h_class_mixture_per_dim"))
        XCTAssertFalse(ResultsCSV.columns.contains("h_class_per_dim"))
    }
}
