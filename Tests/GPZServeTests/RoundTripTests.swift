import Foundation
import GPZTensor
import GPZTestSupport
import XCTest
@testable import GPZServe

/// Z sent through `gpz serve` (in process, on a loopback port) gives the logits the in-process model computes.
final class RoundTripTests: SeededTestCase {
    /// FP32, binary and JSON: the served logits are the in-process cloud(edge(x)) bit for bit (JSON numbers carry a
    /// double's digits), and `class` is their arg-max.
    func testFP32IsBitwiseEqualToTheInProcessCloudHalf() async throws {
        let reference = try Reference(split: "block2", batch: 3)
        XCTAssertEqual(reference.shape, [3, 8, 4, 4])
        try await withServer(split: "block2") { _, client in
            for binary in [true, false] {
                let result = try await client.infer(
                    reference.features, shape: reference.shape, encoding: .fp32, binary: binary,
                    outputs: [OutputChoice(name: "logits", binary: binary), OutputChoice(name: "class", binary: !binary)],
                    id: "round-trip")
                XCTAssertEqual(result.logits.map(\.bitPattern), reference.logits.map(\.bitPattern), "binary \(binary)")
                XCTAssertEqual(result.batch, 3)
                XCTAssertEqual(result.classes, reference.classes)
                XCTAssertEqual(result.id, "round-trip")
                XCTAssertEqual(result.predictedClasses,
                               InferenceCodec.argmax(reference.logits, rows: 3, columns: reference.classes))
            }
            let metadata = try await client.metadata()
            XCTAssertEqual(metadata.inputs.map(\.shape), [[-1, 8, 4, 4]])
            XCTAssertEqual(metadata.outputs.map(\.name), ["logits", "class"])
            XCTAssertEqual(metadata.parameters?["split"], .string("block2"))
        }
    }

    /// FP16 and INT8 at a spatial split: the server computes on exactly the values the edge's quantiser produced
    /// (the logits equal the in-process cloud half of those values bit for bit), in binary and in JSON.
    func testQuantisedEncodingsAreDecodedExactly() async throws {
        let reference = try Reference(split: "block2", batch: 2)
        try await withServer(split: "block2") { _, client in
            for encoding in [FeatureEncoding.fp16, .int8(for: reference.features)] {
                let expected = try reference.cloud(FeatureQuantizer.received(reference.features, as: encoding))
                for binary in [true, false] {
                    let result = try await client.infer(reference.features, shape: reference.shape, encoding: encoding,
                                                        binary: binary)
                    XCTAssertEqual(result.logits.map(\.bitPattern), expected.map(\.bitPattern), "\(encoding) \(binary)")
                }
            }
        }
    }

    /// FP16 and INT8 against the unquantised logits, within a bound derived for this split.
    ///
    /// From block4 ([32, 1, 1]) the cloud half is Flatten → Linear → Dropout (the identity in evaluation) →
    /// Linear, with no nonlinearity: logits = M z + c with M = W₂W₁. So for received features z' = z + δ,
    /// |logits(z')_k − logits(z)_k| = |Σᵢ M_ki δᵢ| ≤ Σᵢ |M_ki| εᵢ, where εᵢ bounds |δᵢ|:
    /// - FP16 rounds to nearest: |δᵢ| ≤ 2⁻¹¹ |zᵢ| in the normal range (|z| ≥ 2⁻¹⁴), ≤ 2⁻²⁵ below it;
    ///   so εᵢ = max(2⁻¹¹ |zᵢ|, 2⁻²⁵).
    /// - INT8 with s = max|z| / 127: |zᵢ/s| ≤ 127, so nothing is clipped and rounding q costs at most s/2; the
    ///   float32 product q·s adds at most 2⁻²⁴ |z'ᵢ|: εᵢ = s/2 + 2⁻²³ |zᵢ|.
    /// M's columns are measured with the model itself, M_·i = logits(eᵢ) − logits(0). Float32 evaluation of the two
    /// Linear layers adds an error of the order of 32 · 2⁻²⁴ times the magnitudes involved, so the bound gets a
    /// slack of 10⁻⁵ · (1 + Σᵢ |M_ki| |zᵢ| + |logits_k|), well above that and far below the bound itself.
    func testQuantisedLogitsStayWithinTheDerivedBound() async throws {
        let reference = try Reference(split: "block4", batch: 4)
        XCTAssertEqual(reference.split.shape, [32, 1, 1])
        let n = 32, classes = reference.classes
        // logits(0) and logits(e_i), one batch.
        var basis = [Float](repeating: 0, count: (n + 1) * n)
        for i in 0..<n { basis[(i + 1) * n + i] = 1 }
        let columns = try withNoGrad {
            try reference.model.cloud(try Tensor(basis, shape: [n + 1, 32, 1, 1]), from: reference.split.index).toFloats()
        }
        func m(_ k: Int, _ i: Int) -> Float { columns[(i + 1) * classes + k] - columns[k] }
        let z = reference.features
        let scale = FeatureQuantizer.int8Scale(z)
        let bounds: [(FeatureEncoding, (Float) -> Float)] = [
            (.fp16, { max(0x1p-11 * abs($0), 0x1p-25) }),
            (.int8(scale: scale), { scale / 2 + 0x1p-23 * abs($0) }),
        ]
        try await withServer(split: "block4") { _, client in
            for (encoding, epsilon) in bounds {
                let result = try await client.infer(z, shape: reference.shape, encoding: encoding)
                var largestShare: Float = 0
                for sample in 0..<reference.shape[0] {
                    for k in 0..<classes {
                        let features = z[(sample * n)..<((sample + 1) * n)]
                        let bound = features.enumerated().reduce(Float(0)) { $0 + abs(m(k, $1.offset)) * epsilon($1.element) }
                        let magnitude = features.enumerated().reduce(Float(0)) { $0 + abs(m(k, $1.offset) * $1.element) }
                        let exact = reference.logits[sample * classes + k]
                        let tolerance = bound + 1e-5 * (1 + magnitude + abs(exact))
                        let error = abs(result.logits[sample * classes + k] - exact)
                        XCTAssertLessThanOrEqual(error, tolerance, "\(encoding): sample \(sample), logit \(k)")
                        largestShare = max(largestShare, error / tolerance)
                    }
                }
                XCTAssertGreaterThan(largestShare, 0, "\(encoding) changed nothing: the test would prove nothing")
            }
        }
    }

    /// The versioned route answers like the plain one; another version is not found.
    func testVersionedRoute() async throws {
        let reference = try Reference(split: "block3", batch: 1)
        try await withServer(split: "block3") { _, client in
            let body = InferenceCodec.encodeRequest(features: reference.features, shape: reference.shape,
                                                    encoding: .fp32, binary: false,
                                                    outputs: [OutputChoice(name: "logits", binary: false)])
            let answer = try await client.raw(.POST, "/v2/models/gpz/versions/1/infer", body: body.bytes)
            XCTAssertEqual(answer.status, 200, answer.text)
            let result = try InferenceCodec.decodeResponse(body: answer.body, headerLength: nil)
            XCTAssertEqual(result.logits.map(\.bitPattern), reference.logits.map(\.bitPattern))
            let other = try await client.raw(.POST, "/v2/models/gpz/versions/2/infer", body: body.bytes)
            XCTAssertEqual(other.status, 404)
            XCTAssertEqual(other.error, "version '2' of 'gpz' is not served; the version is '1'")
        }
    }
}
