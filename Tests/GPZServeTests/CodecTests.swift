import Foundation
import GPZTensor
import XCTest
@testable import GPZServe

/// The protocol layer alone: well-formed requests decode to the features, every malformed one is a `KServeError`
/// naming the field (never a crash), and responses encode as Triton's clients read them.
final class CodecTests: XCTestCase {
    let signature = ServedSignature(modelName: "gpz", featureShape: [2, 2, 2], classes: 3, maxBatch: 4)
    /// Two samples of [2, 2, 2].
    let features: [Float] = (0..<16).map { Float($0) * 0.25 - 1.5 }

    private func body(_ json: String, binary: [UInt8] = []) -> [UInt8] { Array(json.utf8) + binary }

    private func request(_ encoding: FeatureEncoding = .fp32, binary: Bool = true,
                         outputs: [OutputChoice] = [OutputChoice(name: "logits", binary: true)]) -> EncodedBody {
        InferenceCodec.encodeRequest(features: features, shape: [2, 2, 2, 2], encoding: encoding, binary: binary,
                                     outputs: outputs, id: "r1")
    }

    private func decode(_ body: [UInt8], headerLength: String?) throws -> DecodedRequest {
        try InferenceCodec.decodeRequest(body: body, headerLength: headerLength, for: signature)
    }

    /// Decoding `body` fails with `kind`, at `field`, with a message containing `fragment`.
    private func assertRefused(_ body: [UInt8], headerLength: String? = nil, _ kind: KServeError.Kind,
                               field: String, _ fragment: String = "", file: StaticString = #filePath,
                               line: UInt = #line) {
        do {
            let decoded = try decode(body, headerLength: headerLength)
            XCTFail("accepted: \(decoded.batch) samples", file: file, line: line)
        } catch let error as KServeError {
            XCTAssertEqual(error.kind, kind, "\(error)", file: file, line: line)
            XCTAssertEqual(error.field, field, "\(error)", file: file, line: line)
            XCTAssertTrue(fragment.isEmpty || error.message.contains(fragment), "\(error)", file: file, line: line)
            XCTAssertFalse(error.description.contains("\n"), "one line: \(error)", file: file, line: line)
        } catch {
            XCTFail("not a KServeError: \(error)", file: file, line: line)
        }
    }

    // MARK: Well-formed requests

    func testEveryEncodingDecodesToWhatTheEdgeQuantised() throws {
        for encoding in [FeatureEncoding.fp32, .fp16, .int8(for: features)] {
            for binary in [true, false] {
                let sent = request(encoding, binary: binary)
                XCTAssertEqual(sent.headerLength != nil, binary)
                let decoded = try decode(sent.bytes, headerLength: sent.headerLength.map(String.init))
                XCTAssertEqual(decoded.batch, 2)
                XCTAssertEqual(decoded.encoding, encoding)
                XCTAssertEqual(decoded.id, "r1")
                XCTAssertEqual(decoded.features.map(\.bitPattern),
                               FeatureQuantizer.received(features, as: encoding).map(\.bitPattern), "\(encoding)")
            }
        }
        XCTAssertEqual(request(.fp32).bytes.count - request(.fp32).headerLength!, 64)
        XCTAssertEqual(request(.fp16).bytes.count - request(.fp16).headerLength!, 32)
        XCTAssertEqual(request(.int8(scale: 1)).bytes.count - request(.int8(scale: 1)).headerLength!, 16)
    }

    func testNestedJSONDataAndRequestLevelScaleAndDefaults() throws {
        let nested = """
        {"inputs":[{"name":"z","shape":[1,2,2,2],"datatype":"INT8","data":[[[[1,-2],[3,4]],[[5,6],[7,-128]]]]}],
         "parameters":{"gpz_int8_scale":0.5}}
        """
        let decoded = try decode(body(nested), headerLength: nil)
        XCTAssertEqual(decoded.features, [0.5, -1, 1.5, 2, 2.5, 3, 3.5, -64])
        XCTAssertEqual(decoded.encoding, .int8(scale: 0.5))
        XCTAssertEqual(decoded.outputs, [OutputChoice(name: "logits", binary: false)])
        XCTAssertNil(decoded.id)
        // tritonclient without outputs: binary_data_output asks for every output in binary.
        let all = """
        {"inputs":[{"name":"z","shape":[1,2,2,2],"datatype":"FP32","data":[0,0,0,0,0,0,0,0]}],
         "parameters":{"binary_data_output":true}}
        """
        XCTAssertEqual(try decode(body(all), headerLength: nil).outputs, [OutputChoice(name: "logits", binary: true)])
        let both = """
        {"inputs":[{"name":"z","shape":[1,2,2,2],"datatype":"FP16","data":[0,0,0,0,0,0,0,1e-9]}],
         "outputs":[{"name":"class"},{"name":"logits","parameters":{"binary_data":true}}]}
        """
        let decodedBoth = try decode(body(both), headerLength: nil)
        XCTAssertEqual(decodedBoth.outputs, [OutputChoice(name: "class", binary: false),
                                             OutputChoice(name: "logits", binary: true)])
        XCTAssertEqual(decodedBoth.features.last, 0, "FP16 JSON values are rounded to halves")
    }

    // MARK: Malformed requests

    func testLyingAndMalformedHeaderLengths() {
        let sent = request()
        let length = sent.headerLength!
        for bad in ["", "-1", "+5", "1e3", " 12", "0x10", "٣", "99999999999999999999"] {
            assertRefused(sent.bytes, headerLength: bad, .headerLength, field: "Inference-Header-Content-Length",
                          "expected a decimal byte count")
        }
        assertRefused(sent.bytes, headerLength: String(sent.bytes.count + 1), .headerLength,
                      field: "Inference-Header-Content-Length", "expected 1…\(sent.bytes.count)")
        assertRefused(sent.bytes, headerLength: "0", .headerLength, field: "Inference-Header-Content-Length")
        // Too short: the JSON is cut; too long: binary bytes are read as JSON.
        assertRefused(sent.bytes, headerLength: String(length - 1), .malformedJSON, field: "JSON header")
        assertRefused(sent.bytes, headerLength: String(length + 4), .malformedJSON, field: "JSON header")
        // No header at all: the binary section makes the JSON invalid.
        assertRefused(sent.bytes, headerLength: nil, .malformedJSON, field: "body")
    }

    func testTruncatedAndPaddedBinarySections() {
        let sent = request()
        let length = String(sent.headerLength!)
        assertRefused(Array(sent.bytes.dropLast(1)), headerLength: length, .binaryLayout, field: "body",
                      "expected 64 bytes after the")
        assertRefused(sent.bytes + [0], headerLength: length, .binaryLayout, field: "body", "got 65")
        // binary_data_size that does not match shape × datatype.
        let json = """
        {"inputs":[{"name":"z","shape":[2,2,2,2],"datatype":"FP32","parameters":{"binary_data_size":60}}]}
        """
        assertRefused(body(json, binary: Array(repeating: 0, count: 60)), headerLength: String(json.utf8.count),
                      .binaryLayout, field: "inputs[0].parameters.binary_data_size",
                      "expected 64 bytes (16 values of FP32, 4 bytes each), got 60")
        // binary_data_size without the header.
        assertRefused(body(json), headerLength: nil, .binaryLayout, field: "inputs[0].parameters.binary_data_size",
                      "Inference-Header-Content-Length")
        let negative = json.replacingOccurrences(of: "60", with: "-4")
        assertRefused(body(negative), headerLength: String(negative.utf8.count), .parameter,
                      field: "inputs[0].parameters.binary_data_size")
        // JSON data and trailing bytes.
        let plain = """
        {"inputs":[{"name":"z","shape":[1,2,2,2],"datatype":"FP32","data":[0,0,0,0,0,0,0,0]}]}
        """
        assertRefused(body(plain, binary: [1, 2]), headerLength: String(plain.utf8.count), .binaryLayout,
                      field: "body", "got 2 bytes")
    }

    func testBadJSON() {
        assertRefused(body(""), .malformedJSON, field: "body")
        assertRefused(body("{"), .malformedJSON, field: "body")
        assertRefused(body("[1,2]"), .malformedJSON, field: "body", "expected an object")
        assertRefused([0xFF, 0xFE, 0x7B, 0x7D], .malformedJSON, field: "body")
        assertRefused(body(#"{"outputs":[]}"#), .malformedJSON, field: "inputs", "missing")
        assertRefused(body(#"{"inputs":[{"name":"z","shape":"1","datatype":"FP32","data":[]}]}"#), .malformedJSON,
                      field: "inputs[0].shape", "expected an array")
        assertRefused(body(#"{"inputs":[{"name":"z","shape":[1,2,2,2],"datatype":"FP32","data":[1,"a"]}]}"#),
                      .malformedJSON, field: "inputs[0].data[1]", "expected a number or an array of numbers")
        assertRefused(body(#"{"inputs":[{"name":"z","shape":[1,2,2,2],"datatype":"FP32","data":[NaN]}]}"#),
                      .malformedJSON, field: "body")
        let deep = String(repeating: "[", count: 40) + "1" + String(repeating: "]", count: 40)
        assertRefused(body(#"{"inputs":[{"name":"z","shape":[1,2,2,2],"datatype":"FP32","data":\#(deep)}]}"#),
                      .malformedJSON, field: "inputs[0].data" + String(repeating: "[0]", count: 8),
                      "nested deeper than 8 levels")
        assertRefused(body(#"{"inputs":[{"name":"z","shape":[1],"datatype":"FP32","parameters":{"x":{"y":1}}}]}"#),
                      .malformedJSON, field: "inputs[0].parameters.x", "expected a bool, a number or a string")
    }

    func testWrongShapeDatatypeNameAndCount() {
        func one(_ fields: String) -> [UInt8] { body(#"{"inputs":[{\#(fields)}]}"#) }
        let data = #""data":[0,0,0,0,0,0,0,0]"#
        assertRefused(one(#""name":"z","shape":[1,2,2],"datatype":"FP32",\#(data)"#), .shape, field: "inputs[0].shape",
                      "expected [N, 2, 2, 2] with 1 ≤ N ≤ 4, got [1, 2, 2]")
        assertRefused(one(#""name":"z","shape":[5,2,2,2],"datatype":"FP32",\#(data)"#), .shape,
                      field: "inputs[0].shape", "1 ≤ N ≤ 4")
        assertRefused(one(#""name":"z","shape":[0,2,2,2],"datatype":"FP32","data":[]"#), .shape,
                      field: "inputs[0].shape")
        assertRefused(one(#""name":"z","shape":[1,2,2,2,1,1,1,1,1,1],"datatype":"FP32",\#(data)"#), .shape,
                      field: "inputs[0].shape", "(10 dimensions)")
        assertRefused(one(#""name":"z","shape":[1,2,2,2],"datatype":"FP64",\#(data)"#), .datatype,
                      field: "inputs[0].datatype", "expected one of FP32, FP16, INT8, got 'FP64'")
        assertRefused(one(#""name":"z","shape":[1,2,2,2],"datatype":"BYTES",\#(data)"#), .datatype,
                      field: "inputs[0].datatype")
        assertRefused(one(#""name":"x","shape":[1,2,2,2],"datatype":"FP32",\#(data)"#), .unknownInput,
                      field: "inputs[0].name", "expected 'z', got 'x'")
        assertRefused(one(#""name":"z","shape":[1,2,2,2],"datatype":"FP32","data":[0,0,0]"#), .elementCount,
                      field: "inputs[0].data", "expected 8 values (the product of shape [1, 2, 2, 2]), got 3")
        assertRefused(one(#""name":"z","shape":[1,2,2,2],"datatype":"FP32""#), .elementCount, field: "inputs[0].data",
                      "missing")
        assertRefused(body(#"{"inputs":[]}"#), .inputCount, field: "inputs", "expected exactly one input 'z', got 0")
        let two = #"{"name":"z","shape":[1,2,2,2],"datatype":"FP32",\#(data)}"#
        assertRefused(body(#"{"inputs":[\#(two),\#(two)]}"#), .inputCount, field: "inputs", "got 2")
    }

    func testNonFiniteAndOutOfRangeValues() {
        let json = """
        {"inputs":[{"name":"z","shape":[1,2,2,2],"datatype":"FP32","parameters":{"binary_data_size":32}}]}
        """
        for bits: UInt32 in [0x7FC0_0000, 0x7F80_0000, 0xFF80_0000] {
            var payload = [UInt8](repeating: 0, count: 32)
            withUnsafeBytes(of: bits.littleEndian) { payload.replaceSubrange(12..<16, with: $0) }
            assertRefused(body(json, binary: payload), headerLength: String(json.utf8.count), .value, field: "inputs[0]",
                          "at flat index 3")
        }
        let half = json.replacingOccurrences(of: "FP32", with: "FP16").replacingOccurrences(of: "32}", with: "16}")
        var halves = [UInt8](repeating: 0, count: 16)
        halves[14] = 0x00
        halves[15] = 0x7C  // +inf
        assertRefused(body(half, binary: halves), headerLength: String(half.utf8.count), .value, field: "inputs[0]",
                      "at flat index 7")
        func values(_ datatype: String, _ data: String, _ extra: String = "") -> [UInt8] {
            body(#"{"inputs":[{"name":"z","shape":[1,2,2,2],"datatype":"\#(datatype)","data":[\#(data)]}]\#(extra)}"#)
        }
        assertRefused(values("FP32", "0,0,0,0,0,0,0,1e39"), .value, field: "inputs[0].data[7]", "finite FP32")
        assertRefused(values("FP16", "0,0,0,0,0,0,0,70000"), .value, field: "inputs[0].data[7]", "finite FP16")
        let scale = #","parameters":{"gpz_int8_scale":1}"#
        assertRefused(values("INT8", "0,0,0,0,0,0,0,128", scale), .value, field: "inputs[0].data[7]", "−128…127")
        assertRefused(values("INT8", "0,0,0,0,0,0,0,1.5", scale), .value, field: "inputs[0].data[7]")
        assertRefused(values("INT8", "0,0,0,0,0,0,0,1"), .parameter, field: "inputs[0].parameters.gpz_int8_scale",
                      "missing")
        for bad in ["0", "-1", "1e39", "\"a\"", "true"] {
            assertRefused(values("INT8", "0,0,0,0,0,0,0,1", #","parameters":{"gpz_int8_scale":\#(bad)}"#), .parameter,
                          field: "parameters.gpz_int8_scale", "positive finite float32")
        }
        assertRefused(values("FP32", "0,0,0,0,0,0,0,1", scale), .parameter, field: "parameters.gpz_int8_scale",
                      "only for INT8")
    }

    func testOutputsAndUnsupportedFeatures() {
        func with(_ outputs: String, inputParameters: String = "") -> [UInt8] {
            body(#"{"inputs":[{"name":"z","shape":[1,2,2,2],"datatype":"FP32","data":[0,0,0,0,0,0,0,0]\#(inputParameters)}],"outputs":\#(outputs)}"#)
        }
        assertRefused(with(#"[{"name":"probabilities"}]"#), .unknownOutput, field: "outputs[0].name",
                      "expected 'logits' or 'class', got 'probabilities'")
        assertRefused(with(#"[{"name":"logits"},{"name":"logits"}]"#), .unknownOutput, field: "outputs[1].name",
                      "requested twice")
        assertRefused(with(#"[{"name":"logits","parameters":{"classification":3}}]"#), .unsupported,
                      field: "outputs[0].parameters.classification")
        assertRefused(with(#"[{"name":"logits","parameters":{"binary_data":"yes"}}]"#), .parameter,
                      field: "outputs[0].parameters.binary_data")
        assertRefused(with("[]", inputParameters: #","parameters":{"shared_memory_region":"r"}"#), .unsupported,
                      field: "inputs[0].parameters.shared_memory_region", "shared memory")
        let longID = String(repeating: "i", count: 300)
        assertRefused(body(#"{"id":"\#(longID)","inputs":[]}"#), .parameter, field: "id")
        // Control characters quoted from a request never break the one-line message.
        assertRefused(body(#"{"inputs":[{"name":"a\nb","shape":[1,2,2,2],"datatype":"FP32","data":[]}]}"#),
                      .unknownInput, field: "inputs[0].name", "'a?b'")
    }

    /// Random corruptions of valid bodies (flipped bytes, cuts, lying lengths) are refused or accepted, never a crash.
    func testRandomCorruptionsNeverCrash() {
        var generator = SystemRandomNumberGenerator()
        let bodies = [request(.fp32), request(.fp16, binary: false), request(.int8(for: features))]
        var refused = 0
        for round in 0..<2000 {
            let sent = bodies[round % bodies.count]
            var bytes = sent.bytes
            switch round % 4 {
            case 0: for _ in 0..<3 { bytes[Int.random(in: 0..<bytes.count, using: &generator)] = .random(in: 0...255, using: &generator) }
            case 1: bytes = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &generator)))
            case 2: bytes += (0..<Int.random(in: 1...9, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            default: break
            }
            let length = round % 4 == 3 ? String(Int.random(in: -2...bytes.count + 2, using: &generator))
                                        : sent.headerLength.map(String.init)
            do {
                _ = try decode(bytes, headerLength: length)
            } catch {
                XCTAssertTrue(error is KServeError, "\(error)")
                refused += 1
            }
        }
        XCTAssertGreaterThan(refused, 1000)
    }

    // MARK: Responses

    func testResponsesInJSONAndBinaryRoundTrip() throws {
        let logits: [Float] = [0.1, -2.5, 3.25, 1e-8, 7, 7]  // the second row ties: the first wins
        for binary in [true, false] {
            let decoded = DecodedRequest(id: "q", batch: 2, encoding: .fp32, features: [],
                                         outputs: [OutputChoice(name: "class", binary: binary),
                                                   OutputChoice(name: "logits", binary: binary)])
            let encoded = try InferenceCodec.encodeResponse(logits: logits, for: decoded, signature: signature)
            XCTAssertEqual(encoded.contentType, binary ? "application/octet-stream" : "application/json")
            XCTAssertEqual(encoded.headerLength.map { encoded.bytes.count - $0 }, binary ? 16 + 24 : nil)
            let result = try InferenceCodec.decodeResponse(body: encoded.bytes,
                                                           headerLength: encoded.headerLength.map(String.init))
            XCTAssertEqual(result.logits.map(\.bitPattern), logits.map(\.bitPattern))
            XCTAssertEqual(result.predictedClasses, [2, 1])
            XCTAssertEqual(result.batch, 2)
            XCTAssertEqual(result.classes, 3)
            XCTAssertEqual(result.id, "q")
            XCTAssertEqual(result.modelName, "gpz")
        }
        let json = DecodedRequest(id: nil, batch: 2, encoding: .fp32, features: [],
                                  outputs: [OutputChoice(name: "logits", binary: false)])
        XCTAssertThrowsError(try InferenceCodec.encodeResponse(logits: [.nan, 0, 0, 0, 0, 0], for: json,
                                                               signature: signature)) { error in
            XCTAssertTrue(error is OutputEncodingError, "\(error)")
        }
        XCTAssertEqual(InferenceCodec.argmax([1, .nan, 5], rows: 1, columns: 3), [1])
    }

    func testMalformedResponsesAreErrorsOnTheClient() {
        func refused(_ text: String, headerLength: String? = nil, binary: [UInt8] = []) -> KServeError? {
            do {
                _ = try InferenceCodec.decodeResponse(body: Array(text.utf8) + binary, headerLength: headerLength)
                return nil
            } catch {
                return error
            }
        }
        XCTAssertEqual(refused("{}")?.kind, .malformedJSON)
        XCTAssertEqual(refused(#"{"model_name":"m","outputs":[]}"#)?.kind, .unknownOutput)
        XCTAssertEqual(refused(#"{"model_name":"m","outputs":[{"name":"logits","shape":[1,2],"datatype":"FP32","data":[1]}]}"#)?.kind,
                       .elementCount)
        let header = #"{"model_name":"m","outputs":[{"name":"logits","shape":[1,2],"datatype":"FP32","parameters":{"binary_data_size":8}}]}"#
        XCTAssertEqual(refused(header, headerLength: String(header.utf8.count), binary: [0, 0, 0])?.kind, .binaryLayout)
        XCTAssertEqual(refused(header, headerLength: String(header.utf8.count), binary: Array(repeating: 0, count: 9))?.kind,
                       .binaryLayout)
        XCTAssertNil(refused(header, headerLength: String(header.utf8.count), binary: Array(repeating: 0, count: 8)))
        let huge = #"{"model_name":"m","outputs":[{"name":"logits","shape":[4294967296,4294967296],"datatype":"FP32","data":[]}]}"#
        XCTAssertEqual(refused(huge)?.kind, .shape)
    }
}
