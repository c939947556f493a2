import GPZTensor
import XCTest
@testable import GPZServe

/// FP16 conversion and the INT8 convention.
final class QuantizationTests: XCTestCase {
    /// Every half widens to the float it denotes and rounds back to itself.
    func testEveryHalfRoundTrips() {
        for bits in UInt16.min...UInt16.max where Half.isFinite(bits) {
            let value = Half.float(bits)
            XCTAssertTrue(value.isFinite)
            // -0 and +0 keep their sign.
            XCTAssertEqual(Half.bits(value), bits, "half 0x\(String(bits, radix: 16)) = \(value)")
        }
        XCTAssertEqual(Half.float(0x3C00), 1)
        XCTAssertEqual(Half.float(0x7BFF), 65504)
        XCTAssertEqual(Half.float(0x0001), 0x1p-24)
        XCTAssertEqual(Half.float(0x7C00), .infinity)
        XCTAssertTrue(Half.float(0x7E00).isNaN)
    }

    /// Rounding to the nearest half, ties to even, agrees with the platform's Float16 where it has one, and with
    /// known cases everywhere.
    func testRoundingToNearestEven() {
        XCTAssertEqual(Half.bits(1 + 0x1p-11), 0x3C00, "a tie rounds to the even 1")
        XCTAssertEqual(Half.bits(1 + 3 * 0x1p-11), 0x3C02, "a tie rounds to the even 1 + 2⁻⁹")
        XCTAssertEqual(Half.bits(65519), 0x7BFF)
        XCTAssertEqual(Half.bits(65520), 0x7C00, "overflow to infinity")
        XCTAssertEqual(Half.bits(0x1p-25), 0, "half the smallest subnormal ties to 0")
        XCTAssertEqual(Half.bits(0x1.8p-25), 1)
        XCTAssertEqual(Half.bits(-0.0), 0x8000)
        XCTAssertEqual(Half.bits(.infinity), 0x7C00)
        XCTAssertTrue(Half.float(Half.bits(.nan)).isNaN)
        #if !((os(macOS) || targetEnvironment(macCatalyst)) && arch(x86_64))
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200_000 {
            let value = Float(bitPattern: UInt32.random(in: 0...UInt32.max, using: &generator) & 0xBFFF_FFFF | 0x3000_0000)
            guard value.isFinite else { continue }
            XCTAssertEqual(Half.bits(value), Float16(value).bitPattern, "\(value)")
        }
        #endif
    }

    /// Symmetric INT8: s = max|z| / 127, |z − q·s| ≤ s/2 plus float32 rounding, ±max|z| maps to ±127.
    func testInt8Convention() {
        let values: [Float] = [0, 0.3, -1.7, 2.54, -2.54, 1e-6, 1.27]
        let scale = FeatureQuantizer.int8Scale(values)
        XCTAssertEqual(scale, 2.54 / 127)
        let received = FeatureQuantizer.received(values, as: .int8(scale: scale))
        for (value, back) in zip(values, received) {
            XCTAssertLessThanOrEqual(abs(value - back), scale / 2 + abs(value) * 0x1p-23, "\(value)")
        }
        XCTAssertEqual(FeatureQuantizer.int8(2.54, scale: scale), 127)
        XCTAssertEqual(FeatureQuantizer.int8(-2.54, scale: scale), -127)
        XCTAssertEqual(FeatureQuantizer.int8(100, scale: scale), 127, "clamped")
        XCTAssertEqual(FeatureQuantizer.int8(.nan, scale: scale), 0)
        XCTAssertEqual(FeatureQuantizer.int8Scale([0, 0]), 1)
        XCTAssertEqual(FeatureQuantizer.bytes([1, -2.54], as: .int8(scale: scale)), [50, UInt8(bitPattern: -127)])
    }

    /// Per sample (what `gpz edge --batch 1` sends and the attacks observe): each row is quantised with its own
    /// scale, so a sample of small values keeps its resolution next to one of large values; FP16 and FP32 do not
    /// depend on the grouping. The tensor form is the same computation.
    func testPerSampleQuantisation() throws {
        let values: [Float] = [0.01, -0.02, 0.005, 0.0127, 10, -3, 1, 12.7]
        let perSample = FeatureQuantizer.receivedPerSample(values, samples: 2, as: .int8)
        XCTAssertEqual(Array(perSample[..<4]), FeatureQuantizer.received(Array(values[..<4]), as: .int8(scale: 0.02 / 127)))
        XCTAssertEqual(Array(perSample[4...]), FeatureQuantizer.received(Array(values[4...]), as: .int8(scale: 12.7 / 127)))
        XCTAssertEqual(perSample[5], -30 * (12.7 / 127), "q = −30")
        let shared = FeatureQuantizer.received(values, as: .int8(for: values))
        XCTAssertEqual(Array(shared[..<4]), [0, 0, 0, 0], "one scale for both samples loses the small one")
        XCTAssertNotEqual(Array(perSample[..<4]), [0, 0, 0, 0])
        XCTAssertEqual(FeatureQuantizer.receivedPerSample(values, samples: 2, as: .fp16),
                       FeatureQuantizer.received(values, as: .fp16))
        XCTAssertEqual(FeatureQuantizer.receivedPerSample(values, samples: 2, as: .fp32), values)
        let tensor = try FeatureQuantizer.received(try Tensor(values, shape: [2, 2, 2]), as: .int8)
        XCTAssertEqual(tensor.shape, [2, 2, 2])
        XCTAssertEqual(try tensor.toFloats().map(\.bitPattern), perSample.map(\.bitPattern))
        XCTAssertEqual(WireEncoding.int8.encoding(for: values), .int8(scale: 12.7 / 127))
        XCTAssertEqual(WireEncoding.allCases.map(\.bytesPerValue), [4, 2, 1])
    }
}
