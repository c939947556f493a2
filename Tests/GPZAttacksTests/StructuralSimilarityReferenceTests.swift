import GPZTestSupport
import XCTest
import GPZAttacks
import GPZTensor

/// SSIM against scikit-image 0.26.0 (NumPy 2.4.6, float64) on a deterministic fixture. The reference values were
/// computed with
///
///     structural_similarity(b, a, data_range=1.0, gaussian_weights=True, sigma=1.5,
///                           use_sample_covariance=False, channel_axis=0)   # without channel_axis for C = 1
///
/// on the 32 × 32 images of `fixture(channels:)`, built by the same formulas in NumPy. Ours filters in float32,
/// so it agrees to about 2e−7; 1e−6 is allowed.
final class StructuralSimilarityReferenceTests: SeededTestCase {
    /// a[c, i, j] = 0.5 + 0.4 · sin(0.37i + 0.23j + 1.1c)
    /// b[c, i, j] = 0.5 + 0.3 · sin(0.37i + 0.23j + 1.1c + 0.4) + 0.1 · cos(0.9i − 0.6j + c)
    private func fixture(channels: Int, size: Int = 32) throws -> (a: Tensor, b: Tensor) {
        var a: [Double] = [], b: [Double] = []
        for c in 0..<channels {
            for i in 0..<size {
                for j in 0..<size {
                    let (x, y, k) = (Double(i), Double(j), Double(c))
                    a.append(0.5 + 0.4 * sin(0.37 * x + 0.23 * y + 1.1 * k))
                    b.append(0.5 + 0.3 * sin(0.37 * x + 0.23 * y + 1.1 * k + 0.4) + 0.1 * cos(0.9 * x - 0.6 * y + k))
                }
            }
        }
        let shape = [1, channels, size, size]
        return (try Tensor(a, shape: shape), try Tensor(b, shape: shape))
    }

    func testGrayscaleMatchesScikitImage() throws {
        let (a, b) = try fixture(channels: 1)
        XCTAssertEqual(try ReconstructionMetrics.structuralSimilarity(b, a)[0], 0.7328217968688389, accuracy: 1e-6)
    }

    func testRGBMatchesScikitImage() throws {
        let (a, b) = try fixture(channels: 3)
        XCTAssertEqual(try ReconstructionMetrics.structuralSimilarity(b, a)[0], 0.7366665515711451, accuracy: 1e-6)
    }

    func testSSIMIsPerImageInABatch() throws {
        let (a, b) = try fixture(channels: 3)
        let values = try ReconstructionMetrics.structuralSimilarity(Tensor.cat([b, a]), Tensor.cat([a, a]))
        XCTAssertEqual(values[0], 0.7366665515711451, accuracy: 1e-6)
        XCTAssertEqual(values[1], 1, accuracy: 1e-12)
    }

    func testWindowIsANormalisedGaussian() throws {
        let window = try ReconstructionMetrics.ssimWindow()
        XCTAssertEqual(window.shape, [11, 11])
        XCTAssertEqual(try window.sum().item(), 1, accuracy: 1e-12)
        let values = try window.toDoubles()
        XCTAssertEqual(values[5 * 11 + 5] / values[5 * 11 + 6], exp(1 / (2 * 1.5 * 1.5)), accuracy: 1e-12)
    }
}
