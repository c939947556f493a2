import Foundation
import GPZAnalysis
import GPZConfig
@testable import GPZReport
@testable import GPZScan
import GPZTestSupport
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
        let decoded = try JSONDecoder().decode(ClassBounds.self, from: ResultsJSON.encoder().encode(bounds))
        let mixture = try XCTUnwrap(decoded.mixture), average = try XCTUnwrap(decoded.average)
        XCTAssertEqual(mixture, bounds.classMixturePerDimension)
        XCTAssertEqual(average, bounds.classAveragePerDimension)
        XCTAssertEqual(mixture - average, EntropyBounds.labelEntropy(priors: [0.5, 0.25, 0.25]) / 8, accuracy: 1e-12)
    }

    /// A results.json split row carries the analysis layer's own `EntropyBounds` under `bounds`, so both files
    /// name each bound the same way by construction.
    func testResultsUseTheAnalysisKeyForTheMixtureBound() throws {
        let results = try ReportFixture.cnn4(writingGridsTo: try makeTemporaryDirectory("gpz-bounds"))
        let split = try XCTUnwrap(results.splits.first)
        struct Row: Decodable { let bounds: ClassBounds }
        let decoded = try JSONDecoder().decode(Row.self, from: ResultsJSON.encoder().encode(split)).bounds
        XCTAssertEqual(decoded.mixture, split.bounds.classMixturePerDimension)
        XCTAssertEqual(decoded.average, split.bounds.classAveragePerDimension)
        XCTAssertTrue(ResultsCSV.columns.contains("h_class_mixture_per_dim"))
        XCTAssertFalse(ResultsCSV.columns.contains("h_class_per_dim"))
    }
}
