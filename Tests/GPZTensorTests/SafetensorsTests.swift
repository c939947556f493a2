import Foundation
import XCTest
@testable import GPZTensor
import GPZTestSupport

final class SafetensorsTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try makeTemporaryDirectory("safetensors")
    }

    // MARK: - Round trips

    func testRoundTripKeepsEveryDTypeValueShapeOrderAndMetadata() throws {
        let url = directory.appendingPathComponent("all.safetensors")
        let tensors: [(name: String, tensor: Tensor)] = [
            ("layer.weight", try Tensor([0.5, -1.25, 3.4028235e38, -0.0, .leastNonzeroMagnitude, 0.1] as [Float],
                                        shape: [2, 3])),
            ("scalar", try Tensor([Double.pi], shape: [])),
            ("ids", try Tensor([Int64.min, -1, 0, Int64.max], shape: [4, 1])),
            ("mask", try Tensor([true, false, false, true, true, false], shape: [3, 2])),
            ("empty", try Tensor([Float](), shape: [0, 5])),
            ("a \"quoted\" name\n", try Tensor([1e-300, -2] as [Double])),
        ]
        let metadata = ["format": "pt", "epoch": "12", "quote \"and\" backslash \\": "ü ✓"]
        try Safetensors.write(tensors, metadata: metadata, to: url)

        let file = try Safetensors.read(from: url)
        XCTAssertEqual(file.tensors.map(\.name), tensors.map(\.name))
        XCTAssertEqual(file.metadata, metadata)
        for ((_, written), (name, read)) in zip(tensors, file.tensors) {
            XCTAssertEqual(read.dtype, written.dtype, name)
            XCTAssertEqual(read.shape, written.shape, name)
        }
        XCTAssertEqual(try file.tensors[0].tensor.toFloats().map(\.bitPattern),
                       try tensors[0].tensor.toFloats().map(\.bitPattern))
        XCTAssertEqual(try file.tensors[1].tensor.toDoubles(), [Double.pi])
        XCTAssertEqual(try file.tensors[2].tensor.toInts(), [Int.min, -1, 0, Int.max])
        XCTAssertEqual(try file.tensors[3].tensor.toBools(), [true, false, false, true, true, false])
        XCTAssertEqual(file.tensors[4].tensor.count, 0)
        XCTAssertEqual(try file.tensors[5].tensor.toDoubles(), [1e-300, -2])
    }

    func testWrittenHeaderIsPaddedToAMultipleOfEightWithMetadataFirst() throws {
        let url = directory.appendingPathComponent("layout.safetensors")
        try Safetensors.write([("x", try Tensor([1, 2] as [Float]))], metadata: ["k": "v"], to: url)
        let bytes = try Data(contentsOf: url)
        let headerLength = Int(bytes.prefix(8).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        XCTAssertEqual(headerLength % 8, 0)
        XCTAssertEqual(bytes.count, 8 + headerLength + 8)
        let header = String(decoding: bytes[8..<(8 + headerLength)], as: UTF8.self)
        XCTAssertEqual(header.trimmingCharacters(in: .whitespaces),
                       #"{"__metadata__":{"k":"v"},"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#)
        XCTAssertEqual(Array(bytes.suffix(8)), [0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0x40])
    }

    func testReadsTheFileWrittenByPythonSafetensors() throws {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "python", withExtension: "safetensors",
                                                  subdirectory: "Fixtures"))
        let file = try Safetensors.read(from: url)
        XCTAssertEqual(file.metadata, ["format": "pt", "note": "written by safetensors.numpy.save_file"])
        let tensors = Dictionary(uniqueKeysWithValues: file.tensors.map { ($0.name, $0.tensor) })
        XCTAssertEqual(file.tensors.map(\.name), ["ids", "step", "bias", "empty", "weight", "counts", "half",
                                                  "bytes", "mask"])

        func check(_ name: String, _ dtype: DType, _ shape: [Int], file: StaticString = #filePath,
                   line: UInt = #line) throws -> Tensor {
            let tensor = try XCTUnwrap(tensors[name], name, file: file, line: line)
            XCTAssertEqual(tensor.dtype, dtype, name, file: file, line: line)
            XCTAssertEqual(tensor.shape, shape, name, file: file, line: line)
            return tensor
        }
        XCTAssertEqual(try check("weight", .float32, [2, 3]).toFloats(), [0.5, -1.25, 2, 3.75, -0.0, 0.1])
        XCTAssertEqual(try check("bias", .float64, [3]).toDoubles(), [0.1, -2.5, 1e300])
        XCTAssertEqual(try check("step", .int64, []).toInts(), [9_007_199_254_740_993])
        XCTAssertEqual(try check("ids", .int64, [2, 2]).toInts(), [-1, 0, 42, Int.min])
        XCTAssertEqual(try check("mask", .bool, [4]).toBools(), [true, false, false, true])
        XCTAssertEqual(try check("half", .float32, [3]).toFloats(), [1.5, -0.25, 65504])
        XCTAssertEqual(try check("counts", .int64, [2]).toInts(), [-7, 2_147_483_647])
        XCTAssertEqual(try check("bytes", .int64, [3]).toInts(), [0, 128, 255])
        XCTAssertEqual(try check("empty", .float32, [0, 4]).count, 0)
    }

    func testNarrowTypesAreWidenedOnReading() throws {
        let header = #"{"b": {"dtype": "BF16", "shape": [2], "data_offsets": [0, 4]}, "#
            + #""h": {"dtype": "F16", "shape": [2], "data_offsets": [4, 8]}, "#
            + #""i": {"dtype": "I8", "shape": [2], "data_offsets": [8, 10]}, "#
            + #""s": {"dtype": "I16", "shape": [1], "data_offsets": [10, 12]}, "#
            + #""u": {"dtype": "U16", "shape": [1], "data_offsets": [12, 14]}, "#
            + #""w": {"dtype": "U32", "shape": [1], "data_offsets": [14, 18]}}"#
        // BF16 0x3FC0 = 1.5, 0xC080 = −4; F16 0x0001 = 2⁻²⁴ (subnormal), 0xFC00 = −∞; I8 0xFF = −1, 0x7F = 127;
        // I16 0x8000 = −32768; U16 0xFFFF = 65535; U32 0xFFFFFFFF = 4294967295 (all little-endian)
        let bytes: [UInt8] = [0xC0, 0x3F, 0x80, 0xC0, 0x01, 0x00, 0x00, 0xFC, 0xFF, 0x7F, 0x00, 0x80, 0xFF, 0xFF,
                              0xFF, 0xFF, 0xFF, 0xFF]
        let read = try Safetensors.read(from: try file("narrow.safetensors", header: header, bytes: Data(bytes)))
        let tensors = Dictionary(uniqueKeysWithValues: read.tensors.map { ($0.name, $0.tensor) })
        XCTAssertEqual(try tensors["b"]?.toFloats(), [1.5, -4])
        XCTAssertEqual(try tensors["h"]?.toFloats(), [0x1p-24, -.infinity])
        XCTAssertEqual(try tensors["i"]?.toInts(), [-1, 127])
        XCTAssertEqual(try tensors["s"]?.toInts(), [-32768])
        XCTAssertEqual(try tensors["u"]?.toInts(), [65535])
        XCTAssertEqual(try tensors["w"]?.toInts(), [4_294_967_295])
        XCTAssertEqual(tensors["w"]?.dtype, .int64)
    }

    func testOverwritingIsAtomicAndLeavesNoTemporaryFiles() throws {
        let url = directory.appendingPathComponent("weights.safetensors")
        try Safetensors.write([("x", try Tensor([1] as [Float]))], to: url)
        try Safetensors.write([("y", try Tensor([2, 3] as [Double]))], to: url)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["weights.safetensors"])
        let file = try Safetensors.read(from: url)
        XCTAssertEqual(file.tensors.map(\.name), ["y"])
        XCTAssertEqual(try file.tensors[0].tensor.toDoubles(), [2, 3])
    }

    func testWritingRejectsDuplicateAndReservedNames() throws {
        let url = directory.appendingPathComponent("bad.safetensors")
        let x = try Tensor([1] as [Float])
        assertThrowsError(SafetensorsError.self, "bad.safetensors: cannot write tensor name 'x' twice",
                          try Safetensors.write([("x", x), ("x", x)], to: url))
        assertThrowsError(SafetensorsError.self,
                          "bad.safetensors: cannot write tensor name '__metadata__' (reserved for metadata)",
                          try Safetensors.write([("__metadata__", x)], to: url))
        XCTAssertFalse(FileManager.default.fileExists(atPath: url.path))
    }

    // MARK: - Damaged files

    func testMissingAndEmptyFiles() throws {
        assertReadFails(directory.appendingPathComponent("absent.safetensors"),
                        "absent.safetensors: file does not exist")
        let empty = directory.appendingPathComponent("empty.safetensors")
        try Data().write(to: empty)
        assertReadFails(empty,
                        "empty.safetensors: file has 0 bytes; expected at least 8 (the little-endian header length)")
    }

    func testTruncatedHeaderAndHugeHeaderLength() throws {
        let valid = try validFileBytes()
        let truncated = try file("truncated.safetensors", Data(valid.prefix(40)))
        assertReadFails(truncated, "truncated.safetensors: header length 112 exceeds file size 40 "
            + "(at most 32 bytes can follow the length)")

        var huge = valid
        huge.replaceSubrange(0..<8, with: littleEndian(9_999_999_999))
        assertReadFails(try file("weights.safetensors", huge),
                        "weights.safetensors: header length 9999999999 exceeds file size 144 "
                            + "(at most 136 bytes can follow the length)")
    }

    func testHeaderLengthAboveTheLimit() throws {
        let url = directory.appendingPathComponent("sparse.safetensors")
        try littleEndian(UInt64(Safetensors.maxHeaderLength + 1)).write(to: url)
        let handle = try FileHandle(forWritingTo: url)
        try handle.truncate(atOffset: UInt64(Safetensors.maxHeaderLength + 16))
        try handle.close()
        assertReadFails(url, "sparse.safetensors: header length 100000001 exceeds the limit of 100000000 bytes")
    }

    func testTruncatedData() throws {
        let url = try file("short.safetensors", Data(try validFileBytes().dropLast(4)))
        assertReadFails(url, "short.safetensors: tensor 'b': data_offsets [16, 24] exceed the 20 bytes of data "
            + "after the header")
    }

    func testTrailingBytesAfterTheData() throws {
        let url = try file("long.safetensors", try validFileBytes() + Data([0, 0, 0, 0, 0, 0, 0, 0]))
        assertReadFails(url, "long.safetensors: header describes 24 bytes of data but 32 follow it")
    }

    func testInvalidJSONAndNonObjectHeaders() throws {
        assertReadFails(try file("json.safetensors", header: #"{"a": {"dtype": "F32",, }"#, data: 0),
                        "json.safetensors: header is not a valid JSON object")
        assertReadFails(try file("array.safetensors", header: "[1, 2]", data: 0),
                        "array.safetensors: header does not start with '{'; expected a JSON object")
        assertReadFails(try file("utf8.safetensors", Data(littleEndian(2)) + Data([0x7B, 0xFF])),
                        "utf8.safetensors: header is not valid UTF-8")
        assertReadFails(try file("meta.safetensors", header: #"{"__metadata__": {"epoch": 3}}"#, data: 0),
                        #"meta.safetensors: "__metadata__" must map strings to strings"#)
        assertReadFails(try file("entry.safetensors", header: #"{"a": [1, 2]}"#, data: 0),
                        "entry.safetensors: tensor 'a': expected an object with dtype, shape and data_offsets")
    }

    func testUnknownDType() throws {
        let url = try file("dtype.safetensors",
                           header: #"{"a": {"dtype": "F8", "shape": [2], "data_offsets": [0, 2]}}"#, data: 2)
        assertReadFails(url, #"dtype.safetensors: tensor 'a': unknown dtype "F8"; expected one of F64, F32, F16, "#
            + "BF16, I64, I32, I16, I8, U32, U16, U8, BOOL")
    }

    func testShapesAndOffsetsThatDoNotFit() throws {
        assertReadFails(try file("size.safetensors",
                                 header: #"{"w": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 20]}}"#,
                                 data: 20),
                        "size.safetensors: tensor 'w': data_offsets [0, 20] hold 20 bytes, but dtype F32 and "
                            + "shape [2, 3] need 24")
        assertReadFails(try file("negative.safetensors",
                                 header: #"{"w": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}"#, data: 4),
                        #"negative.safetensors: tensor 'w': "shape" must be an array of non-negative integers"#)
        assertReadFails(try file("reversed.safetensors",
                                 header: #"{"w": {"dtype": "U8", "shape": [1], "data_offsets": [4, 3]}}"#, data: 4),
                        #"reversed.safetensors: tensor 'w': "data_offsets" must be [begin, end] with "#
                            + "0 <= begin <= end")
        assertReadFails(try file("overflow.safetensors",
                                 header: #"{"w": {"dtype": "F64", "shape": [4294967296, 4294967296], "#
                                     + #""data_offsets": [0, 8]}}"#, data: 8),
                        "overflow.safetensors: tensor 'w': shape [4294967296, 4294967296] is too large")
        assertReadFails(try file("range.safetensors",
                                 header: #"{"w": {"dtype": "I64", "shape": [2], "data_offsets": [1000, 1016]}}"#,
                                 data: 16),
                        "range.safetensors: tensor 'w': data_offsets [1000, 1016] exceed the 16 bytes of data "
                            + "after the header")
        assertReadFails(try file("overlap.safetensors",
                                 header: #"{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "#
                                     + #""b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}"#, data: 12),
                        "overlap.safetensors: tensor 'b': data_offsets [4, 12] overlap tensor 'a' at [0, 8]")
        assertReadFails(try file("gap.safetensors",
                                 header: #"{"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}"#, data: 8),
                        "gap.safetensors: tensor 'a': data_offsets [4, 8] leave a gap; expected it to start at byte 0")
    }

    // MARK: - Helpers

    /// A valid file: tensors "a" (F32 [4], 16 bytes) and "b" (I64 [1], 8 bytes); header 110 bytes, padded to 112.
    private func validFileBytes() throws -> Data {
        let url = directory.appendingPathComponent("valid.safetensors")
        try Safetensors.write([("a", try Tensor([1, 2, 3, 4] as [Float])), ("b", try Tensor([7] as [Int64]))], to: url)
        return try Data(contentsOf: url)
    }

    private func littleEndian(_ value: UInt64) -> Data {
        withUnsafeBytes(of: value.littleEndian) { Data($0) }
    }

    private func file(_ name: String, _ bytes: Data) throws -> URL {
        let url = directory.appendingPathComponent(name)
        try bytes.write(to: url)
        return url
    }

    /// A file with the given JSON header and `data` zero bytes after it.
    private func file(_ name: String, header: String, data: Int) throws -> URL {
        try file(name, header: header, bytes: Data(count: data))
    }

    private func file(_ name: String, header: String, bytes: Data) throws -> URL {
        let json = Data(header.utf8)
        return try file(name, littleEndian(UInt64(json.count)) + json + bytes)
    }

    private func assertReadFails(_ url: URL, _ message: String, line: UInt = #line) {
        assertThrowsError(SafetensorsError.self, message, try Safetensors.read(from: url), line: line)
    }
}
