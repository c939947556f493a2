import GPZModels
import GPZTensor
import GPZTestSupport
import XCTest
@testable import GPZAttacks

/// The attacker observes Z as the edge sends it: quantised and dequantised by the edge's own `FeatureQuantizer`.
final class WireEncodingAttackTests: SeededTestCase {
    /// With INT8 the decoders see exactly FeatureQuantizer's per-sample dequantised Z: bit for bit the shared
    /// implementation's values, each within half a step (its sample's scale max|z|/127) of the raw feature, the
    /// sample's largest magnitude exactly ±127 steps, and at most 255 levels per sample. FP16 gives the halves,
    /// FP32 the raw features.
    func testAnInt8AttackSeesExactlyTheDequantisedFeatures() throws {
        let model = try tinyCNN4()
        let count = 6
        let images = try syntheticImages(count: count, channels: 1, size: 16)
        let splits = Array(model.splitPoints.prefix(4))
        let raw = try withNoGrad { try model.features(images, at: splits.map(\.index)).features }
        for wire in WireEncoding.allCases {
            let trainer = try InversionTrainer(target: model, splits: splits, wire: wire)
            XCTAssertEqual(trainer.wire, wire)
            let observed = try trainer.observedFeatures(images, at: Array(splits.indices))
            for split in splits {
                let z = try XCTUnwrap(raw[split.index]).toFloats()
                let seen = try XCTUnwrap(observed[split.index]).toFloats()
                XCTAssertEqual(seen.map(\.bitPattern),
                               FeatureQuantizer.receivedPerSample(z, samples: count, as: wire).map(\.bitPattern),
                               "\(wire) at \(split.name)")
                switch wire {
                case .fp32:
                    XCTAssertEqual(seen.map(\.bitPattern), z.map(\.bitPattern))
                case .fp16:
                    XCTAssertEqual(seen, z.map { Half.float(Half.bits($0)) })
                case .int8:
                    XCTAssertNotEqual(seen, z, "quantisation changed nothing: the test would prove nothing")
                    let width = z.count / count
                    for sample in 0..<count {
                        let row = Array(z[(sample * width)..<((sample + 1) * width)])
                        let got = Array(seen[(sample * width)..<((sample + 1) * width)])
                        let scale = row.map(abs).max()! / 127
                        for (value, original) in zip(got, row) {
                            XCTAssertLessThanOrEqual(abs(value - original), scale / 2 + abs(original) * 0x1p-22)
                        }
                        let largest = row.indices.max { abs(row[$0]) < abs(row[$1]) }!
                        XCTAssertEqual(got[largest], (row[largest] < 0 ? -127 : 127) * scale)
                        XCTAssertLessThanOrEqual(Set(got).count, 255)
                    }
                }
            }
        }
    }

    /// Features read back from the bank are encoded like freshly computed ones: with INT8, a banked run trains the
    /// decoders bit-identically to an unbanked one, and differently from an FP32 run.
    func testBankedFeaturesAreEncodedToo() throws {
        let model = try tinyCNN4()
        let images = try syntheticImages(count: 32, channels: 1, size: 16)
        func aux() -> ImageBatchStream {
            ImageBatchStream(batchesPerPass: 2, sampleCount: 32) {
                var batch = 0
                return {
                    guard batch < 2 else { return nil }
                    defer { batch += 1 }
                    let rows = Array((batch * 16)..<((batch + 1) * 16))
                    return (try images.slice(dim: 0, start: batch * 16, end: (batch + 1) * 16), rows)
                }
            }
        }
        func losses(_ wire: WireEncoding, bankBytes: Int) throws -> InversionTrainingReport {
            try Runtime.manualSeed(3)
            var options = InversionTrainingOptions(epochs: 2, featureBankBytes: bankBytes)
            options.decoderSeed = 1
            let trainer = try InversionTrainer(target: model, splits: [try model.split(at: 2)], options: options,
                                               wire: wire)
            return try trainer.train(on: aux())
        }
        let banked = try losses(.int8, bankBytes: 16 << 20)
        XCTAssertEqual(banked.bankedBatches, 2)
        let plain = try losses(.int8, bankBytes: 0)
        XCTAssertEqual(plain.bankedBatches, 0)
        XCTAssertEqual(banked.epochLosses, plain.epochLosses)
        XCTAssertNotEqual(try losses(.fp32, bankBytes: 16 << 20).epochLosses, banked.epochLosses)
    }
}
