import Foundation
import GPZTensor
import GPZTestSupport
import XCTest
@testable import GPZServe

/// `Content-Encoding: gzip` and `deflate` request bodies: inflated exactly, within the body limit, and refused
/// with a message when they are not valid compressed data or inflate beyond the limit (a "zip bomb").
final class CompressionTests: SeededTestCase {
    /// gzip and deflate (zlib) bodies give the in-process logits bit for bit; the client reports the compressed
    /// and the uncompressed sizes, and the server the cloud's compute time.
    func testCompressedBodiesAreInflatedExactly() async throws {
        let reference = try Reference(split: "block2", batch: 2)
        try await withServer(split: "block2") { _, client in
            let plain = InferenceCodec.encodeRequest(features: reference.features, shape: reference.shape,
                                                     encoding: .fp32, binary: true,
                                                     outputs: [OutputChoice(name: "logits", binary: true)])
            for compression in BodyCompression.allCases {
                let exchange = try await client.exchange(reference.features, shape: reference.shape,
                                                         compression: compression)
                XCTAssertEqual(exchange.result.logits.map(\.bitPattern), reference.logits.map(\.bitPattern),
                               "\(compression)")
                XCTAssertEqual(exchange.uncompressedBytes, plain.bytes.count)
                XCTAssertEqual(exchange.requestBytes, try compression.compress(plain.bytes).count)
                XCTAssertEqual(exchange.featureBytes, 2 * 8 * 4 * 4 * 4)
                let compute = try XCTUnwrap(exchange.result.computeSeconds)
                let server = try XCTUnwrap(exchange.result.serverSeconds)
                XCTAssertGreaterThan(compute, 0)
                XCTAssertLessThanOrEqual(compute, server)
                XCTAssertLessThan(server, exchange.roundTrip.secondsValue)
            }
            // The two formats differ (gzip's header and CRC-32 trailer, zlib's header and Adler-32).
            XCTAssertEqual(try BodyCompression.gzip.compress([1, 2, 3]).prefix(2), [0x1F, 0x8B])
            XCTAssertEqual(try BodyCompression.deflate.compress([1, 2, 3]).first, 0x78)
        }
    }

    /// A body that inflates beyond the limit is refused with 413 once the limit is reached (its compressed size is
    /// tiny); one that inflates to exactly the limit is read (and then refused as not JSON); corrupt and truncated
    /// data are 400s naming the encoding; none of them is an internal error, and the server goes on serving.
    func testBombsAndCorruptDataAreRefused() async throws {
        let reference = try Reference(split: "block2", batch: 1)
        let logs = LogRecorder()
        let limit = 1 << 20
        try await withServer(split: "block2", logs: logs, configure: { $0.maxBodyBytes = limit }) { _, client in
            func post(_ body: [UInt8], _ encoding: String) async throws -> RawAnswer {
                try await client.raw(.POST, "/v2/models/gpz/infer", headers: [("Content-Encoding", encoding)],
                                     body: body)
            }
            let bomb = try BodyCompression.gzip.compress([UInt8](repeating: 0x20, count: 64 << 20))
            XCTAssertLessThan(bomb.count, 128 << 10, "64 MiB of spaces compress to little")
            let exploded = try await post(bomb, "gzip")
            XCTAssertEqual(exploded.status, 413)
            XCTAssertEqual(exploded.error, "body: more than 1048576 bytes once inflated (gzip), the limit is 1048576 "
                           + "bytes (1 MiB, --max-body-mib)")
            let over = try await post(try BodyCompression.deflate.compress([UInt8](repeating: 0x20, count: limit + 1)),
                                      "deflate")
            XCTAssertEqual(over.status, 413, over.text)
            let exact = try await post(try BodyCompression.gzip.compress([UInt8](repeating: 0x20, count: limit)), "x-gzip")
            XCTAssertEqual(exact.status, 400, exact.text)
            XCTAssertTrue(exact.error?.hasPrefix("body: ") ?? false, exact.text)

            let valid = InferenceCodec.encodeRequest(features: reference.features, shape: reference.shape,
                                                     encoding: .fp32, binary: false,
                                                     outputs: [OutputChoice(name: "logits", binary: false)])
            let compressed = try BodyCompression.gzip.compress(valid.bytes)
            let corrupt = try await post([0x1F, 0x8B, 8, 0] + [UInt8](repeating: 0xAB, count: 64), "gzip")
            XCTAssertEqual(corrupt.status, 400)
            XCTAssertTrue(corrupt.error?.hasPrefix("body: not valid gzip data (Content-Encoding: gzip)") ?? false,
                          corrupt.text)
            let truncated = try await post(Array(compressed.prefix(compressed.count / 2)), "gzip")
            XCTAssertEqual(truncated.status, 400, truncated.text)
            XCTAssertEqual(truncated.error, "body: not valid gzip data (Content-Encoding: gzip): the data ends before "
                           + "the end of the stream")
            let trailing = try await post(compressed + [0], "gzip")
            XCTAssertEqual(trailing.status, 400, trailing.text)
            XCTAssertEqual(trailing.error, "body: not valid gzip data (Content-Encoding: gzip): 1 bytes after the end "
                           + "of the stream")
            let mislabelled = try await post(compressed, "deflate")
            XCTAssertEqual(mislabelled.status, 400, mislabelled.text)
            var flipped = compressed
            flipped[flipped.count - 6] ^= 0x01  // a bit of the CRC-32
            let badChecksum = try await post(flipped, "gzip")
            XCTAssertEqual(badChecksum.status, 400, badChecksum.text)
            XCTAssertEqual(badChecksum.error, "body: not valid gzip data (Content-Encoding: gzip): incorrect data check")

            let answer = try await post(compressed, "GZIP")
            XCTAssertEqual(answer.status, 200, answer.text)
            let result = try InferenceCodec.decodeResponse(body: answer.body, headerLength: nil)
            XCTAssertEqual(result.logits.map(\.bitPattern), reference.logits.map(\.bitPattern))
        }
        XCTAssertFalse(logs.records.contains { $0.level >= .error }, "\(logs.records.filter { $0.level >= .error })")
    }
}
