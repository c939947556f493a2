import Foundation
import XCTest
@testable import GPZTensor
import GPZTestSupport

final class MathTests: XCTestCase {
    func testBroadcastingOperators() throws {
        let m = try Tensor([1, 2, 3, 4, 5, 6] as [Double], shape: [2, 3])
        let row = try Tensor([10, 20, 30] as [Double])
        let col = try Tensor([1, 2] as [Double], shape: [2, 1])
        assertClose(try (m + row).toDoubles(), [11, 22, 33, 14, 25, 36])
        assertClose(try (m - col).toDoubles(), [0, 1, 2, 2, 3, 4])
        assertClose(try (m * col).toDoubles(), [1, 2, 3, 8, 10, 12])
        assertClose(try (m / row).toDoubles(), [0.1, 0.1, 0.1, 0.4, 0.25, 0.2])
        assertClose(try (2 - m).toDoubles(), [1, 0, -1, -2, -3, -4])
        assertClose(try (12 / m).toDoubles(), [12, 6, 4, 3, 2.4, 2])
        assertClose(try (m * 0.5 + 1).toDoubles(), [1.5, 2, 2.5, 3, 3.5, 4])
        assertClose(try (-m).toDoubles(), [-1, -2, -3, -4, -5, -6])
    }

    func testElementwiseFunctions() throws {
        let x = try Tensor([0.25, 1, 4] as [Double])
        assertClose(try x.exp().toDoubles(), [Foundation.exp(0.25), M_E, Foundation.exp(4)])
        assertClose(try x.log().toDoubles(), [Foundation.log(0.25), 0, Foundation.log(4)])
        assertClose(try x.sqrt().toDoubles(), [0.5, 1, 2])
        assertClose(try x.pow(3).toDoubles(), [0.015625, 1, 64])
        assertClose(try x.pow(try Tensor([2, 0, 0.5] as [Double])).toDoubles(), [0.0625, 1, 2])
        let y = try Tensor([-2, 0, 3] as [Double])
        assertClose(try y.abs().toDoubles(), [2, 0, 3])
        assertClose(try y.clamped(min: -1, max: 1).toDoubles(), [-1, 0, 1])
        assertClose(try y.clamped(min: 0).toDoubles(), [0, 0, 3])
        assertClose(try y.sigmoid().toDoubles(), [1 / (1 + Foundation.exp(2)), 0.5, 1 / (1 + Foundation.exp(-3))])
        assertClose(try y.tanh().toDoubles(), [Foundation.tanh(-2), 0, Foundation.tanh(3)])
        assertClose(try y.relu().toDoubles(), [0, 0, 3])
        assertClose(try Tensor.where(try y.gt(0), y, try Tensor.zeros([3], dtype: .float64)).toDoubles(), [0, 0, 3])
    }

    func testComparisonsGiveBools() throws {
        let a = try Tensor([1, 2, 3] as [Float]), b = try Tensor([3, 2, 1] as [Float])
        XCTAssertEqual(try a.lt(b).toBools(), [true, false, false])
        XCTAssertEqual(try a.eq(b).toBools(), [false, true, false])
        XCTAssertEqual(try a.ge(2).toBools(), [false, true, true])
        XCTAssertEqual(try a.ne(b).logicalAnd(try a.gt(1)).toBools(), [false, false, true])
        XCTAssertEqual(try Tensor([Float.nan, 1]).isNaN().toBools(), [true, false])
    }

    func testReductionsOverAllAndGivenDims() throws {
        let x = try Tensor([1, 5, 3, 4, 2, 6] as [Double], shape: [2, 3])
        XCTAssertEqual(try x.sum().item(), 21)
        XCTAssertEqual(try x.mean().item(), 3.5)
        assertClose(try x.sum(dims: [0]).toDoubles(), [5, 7, 9])
        XCTAssertEqual(try x.sum(dims: [1], keepDim: true).shape, [2, 1])
        assertClose(try x.mean(dims: [1]).toDoubles(), [3, 4])
        // Population variance of (1,5,3) = ((−2)²+2²+0²)/3 = 8/3; Bessel-corrected 8/2 = 4.
        assertClose(try x.variance(dims: [1], correction: 0).toDoubles(), [8.0 / 3, 8.0 / 3])
        assertClose(try x.variance(dims: [1]).toDoubles(), [4, 4])
        XCTAssertEqual(try x.variance().item(), 3.5, accuracy: 1e-12)
        XCTAssertEqual(try x.max().item(), 6)
        XCTAssertEqual(try x.min().item(), 1)
        assertClose(try x.max(dims: [1]).toDoubles(), [5, 6])
        assertClose(try x.min(dims: [0]).toDoubles(), [1, 2, 3])
        XCTAssertEqual(try x.argmax().toInts(), [5])
        XCTAssertEqual(try x.argmax(dim: 1).toInts(), [1, 2])
        XCTAssertEqual(try x.argmin(dim: 0).toInts(), [0, 1, 0])
        XCTAssertEqual(try x.prod(dims: [0, 1]).item(), 720)
        XCTAssertEqual(try x.logSumExp(dims: [1]).toDoubles()[0],
                       Foundation.log(Foundation.exp(1) + Foundation.exp(5) + Foundation.exp(3)), accuracy: 1e-12)
        let p = try x.softmax(dim: 1).sum(dims: [1]).toDoubles()
        assertClose(p, [1, 1])
    }

    func testMatmul() throws {
        let a = try Tensor([1, 2, 3, 4, 5, 6] as [Double], shape: [2, 3])
        let b = try Tensor([7, 8, 9, 10, 11, 12] as [Double], shape: [3, 2])
        assertClose(try a.matmul(b).toDoubles(), [58, 64, 139, 154])
        XCTAssertEqual(try Tensor.zeros([5, 2, 3]).matmul(try Tensor.zeros([3, 4])).shape, [5, 2, 4])
        XCTAssertThrowsError(try a.matmul(a)) { error in
            XCTAssertTrue("\(error)".hasPrefix("matmul: [2, 3] and [2, 3]: mat1 and mat2 shapes cannot be multiplied"),
                          "\(error)")
        }
    }

    /// The 2-D DFT X[k,l] = Σ_m Σ_n x[m,n] e^{−2πi(km/M + ln/N)}, computed directly.
    func testFFT2MatchesDirectDFT() throws {
        let rows = 3, cols = 4
        let values = (0..<(rows * cols)).map { Double(($0 * 7) % 5) - 1.5 }
        var re = [Double](), im = [Double]()
        for k in 0..<rows {
            for l in 0..<cols {
                var sr = 0.0, si = 0.0
                for m in 0..<rows {
                    for n in 0..<cols {
                        let angle = -2 * Double.pi * (Double(k * m) / Double(rows) + Double(l * n) / Double(cols))
                        sr += values[m * cols + n] * Foundation.cos(angle)
                        si += values[m * cols + n] * Foundation.sin(angle)
                    }
                }
                re.append(sr)
                im.append(si)
            }
        }
        let spectrum = try Tensor(values, shape: [1, rows, cols]).fft2()
        assertClose(try spectrum.real.toDoubles(), re, accuracy: 1e-9)
        assertClose(try spectrum.imag.toDoubles(), im, accuracy: 1e-9)
        let ortho = try Tensor(values, shape: [rows, cols]).fft2(norm: .ortho)
        let scale = 1 / Double(rows * cols).squareRoot()
        assertClose(try ortho.real.toDoubles(), re.map { $0 * scale }, accuracy: 1e-9)
    }
}
