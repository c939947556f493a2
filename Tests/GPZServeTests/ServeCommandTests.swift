import Foundation
import GPZTestSupport
import GPZTensor
import XCTest
@testable import GPZServe

/// `gpz serve` as a process, Triton's Python client calling it unchanged, and HTTPS.
final class ServeCommandTests: SeededTestCase {
    /// `gpz serve` on a free loopback port with a token, called by `python/kserve_client_check.py` with
    /// tritonclient.http: the liveness, readiness and metadata routes answer; FP32 (binary and JSON, with and without
    /// named outputs) gives the in-process logits bit for bit; FP16 and INT8 give the in-process cloud half of
    /// exactly what NumPy quantised; a wrong token is a 401 with the server's message.
    func testTritonClientCallsGpzServeUnchanged() throws {
        try require(.tritonclient)
        let reference = try Reference(split: "block2", batch: 3)
        let scratch = try makeTemporaryDirectory("gpz-serve-triton")
        let tokenFile = scratch.appendingPathComponent("token")
        try Data("triton-token-\(UInt32.random(in: 0...UInt32.max))\n".utf8).write(to: tokenFile)
        let featuresFile = scratch.appendingPathComponent("z.json")
        try JSONEncoder().encode(FeaturesFile(shape: reference.shape, values: reference.features.map(Double.init)))
            .write(to: featuresFile)

        let server = try ServeProcess(["serve", "--checkpoint", try TinyCheckpoint.directory().path,
                                       "--split", "block2", "--port", "0", "--token-file", tokenFile.path,
                                       "--model-name", "tiny"], besides: Self.self)
        defer { server.stop() }
        let address = server.url.replacingOccurrences(of: "http://", with: "")
        let run = try PythonExporter.run(["python/kserve_client_check.py", "--url", address, "--model", "tiny",
                                          "--token-file", tokenFile.path, "--features", featuresFile.path])
        XCTAssertEqual(run.status, 0, run.stderr)
        let report = try JSONDecoder().decode(TritonReport.self, from: Data(run.stdout.utf8))

        XCTAssertTrue(report.live && report.ready && report.model_ready)
        XCTAssertEqual(report.metadata.name, "tiny")
        XCTAssertEqual(report.metadata.inputs.first?.shape, [-1, 8, 4, 4])
        let argmax = InferenceCodec.argmax(reference.logits, rows: 3, columns: reference.classes)
        for (name, answer) in [("fp32_binary", report.fp32_binary), ("fp32_json", report.fp32_json),
                               ("no_outputs", report.no_outputs)] {
            XCTAssertEqual(answer.logits.map { Float($0).bitPattern }, reference.logits.map(\.bitPattern), name)
            XCTAssertEqual(answer.logits_shape, [3, reference.classes], name)
        }
        XCTAssertEqual(report.fp32_binary.class, argmax)
        // tritonclient reads the response's parameters: the cloud's compute time, within the server's time.
        for answer in [report.fp32_binary, report.fp32_json, report.int8_binary] {
            let compute = try XCTUnwrap(answer.parameters?["gpz_compute_seconds"])
            let server = try XCTUnwrap(answer.parameters?["gpz_server_seconds"])
            XCTAssertGreaterThan(compute, 0)
            XCTAssertLessThanOrEqual(compute, server)
        }
        XCTAssertEqual(report.fp32_json.class, argmax)
        XCTAssertNil(report.no_outputs.class, "without named outputs, only logits")
        // NumPy's float16 rounding and quantisation agree with GPZ's, and the server computes on what was sent.
        let sent16 = report.fp16_binary.sent!.map(Float.init)
        XCTAssertEqual(sent16.map(\.bitPattern),
                       FeatureQuantizer.received(reference.features, as: .fp16).map(\.bitPattern))
        XCTAssertEqual(report.fp16_binary.logits.map { Float($0).bitPattern },
                       try reference.cloud(sent16).map(\.bitPattern))
        let int8 = FeatureEncoding.int8(for: reference.features)
        for answer in [report.int8_binary, report.int8_json] {
            let sent = answer.sent!.map(Float.init)
            XCTAssertEqual(sent.map(\.bitPattern), FeatureQuantizer.received(reference.features, as: int8).map(\.bitPattern))
            XCTAssertEqual(answer.logits.map { Float($0).bitPattern }, try reference.cloud(sent).map(\.bitPattern))
        }
        XCTAssertEqual(report.wrong_token.status, "401")
        XCTAssertEqual(report.wrong_token.message, "Authorization: the bearer token is not accepted")

        let stderr = server.stop()
        XCTAssertEqual(server.exitStatus, 0, stderr)
        XCTAssertTrue(stderr.contains("client error: POST /v2/models/tiny/infer: 401"), stderr)
        XCTAssertFalse(stderr.contains("internal error"), stderr)
        XCTAssertTrue(stderr.hasSuffix("gpz serve: stopped\n"), stderr)
    }

    /// HTTPS with a self-signed certificate made by `openssl` for this test: a client trusting it gets the logits;
    /// one that does not trust it is refused by TLS.
    func testHTTPSWithASelfSignedCertificate() async throws {
        try require(.openssl)
        let openssl = URL(fileURLWithPath: "/usr/bin/openssl")
        let scratch = try makeTemporaryDirectory("gpz-serve-tls")
        let cert = scratch.appendingPathComponent("cert.pem"), key = scratch.appendingPathComponent("key.pem")
        let generated = try runTool(openssl, ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                                              "-nodes", "-keyout", key.path, "-out", cert.path, "-days", "1",
                                              "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"])
        XCTAssertEqual(generated.status, 0, generated.stderr)
        let reference = try Reference(split: "block3", batch: 2)
        try await withServer(split: "block3", configure: {
            $0.tls = TLSFiles(certificate: cert.path, privateKey: key.path)
        }) { running, _ in
            XCTAssertTrue(running.url.hasPrefix("https://127.0.0.1:"), running.url)
            let trusting = try EdgeClient(.init(baseURL: running.url, trustedCertificatesPEM: Array(try Data(contentsOf: cert))))
            do {
                let result = try await trusting.infer(reference.features, shape: reference.shape, encoding: .fp16)
                XCTAssertEqual(result.logits.map(\.bitPattern),
                               try reference.cloud(FeatureQuantizer.received(reference.features, as: .fp16))
                                   .map(\.bitPattern))
            } catch {
                try? await trusting.shutdown()
                throw error
            }
            try await trusting.shutdown()
            // A client that does not trust it retries the handshake until its timeout, then fails.
            let untrusting = try EdgeClient(.init(baseURL: running.url, timeout: .seconds(1)))
            do {
                _ = try await untrusting.infer(reference.features, shape: reference.shape)
                XCTFail("a client that does not trust the certificate was served")
            } catch let error as EdgeClientError {
                XCTAssertNil(error.status, "\(error)")
                XCTAssertTrue("\(error)".contains("CERTIFICATE_VERIFY_FAILED"), "\(error)")
            }
            try await untrusting.shutdown()
        }
    }

    /// Bad options and files are one-line errors naming the option, exit status 2, before anything listens.
    func testBadInputExitsWithStatus2() throws {
        let checkpoint = try TinyCheckpoint.directory().path
        let scratch = try makeTemporaryDirectory("gpz-serve-bad")
        let empty = scratch.appendingPathComponent("empty-token")
        try Data("\n".utf8).write(to: empty)
        let cases: [([String], String)] = [
            (["--split", "block9"], "error: --split: cnn4 has no split 'block9'"),
            (["--split", "block2", "--max-concurrency", "0"], "error: --max-concurrency: expected 1…1024, got 0"),
            (["--split", "block2", "--max-body-mib", "0"], "error: --max-body-mib: expected 1…4096, got 0"),
            (["--split", "block2", "--timeout-s", "0"], "error: --timeout-s: expected more than 0"),
            (["--split", "block2", "--model-name", "a/b"], "error: --model-name: expected 1–128 letters"),
            (["--split", "block2", "--token-file", empty.path], "error: --token-file \(empty.path): expected one token"),
            (["--split", "block2", "--token-file", scratch.path], "error: --token-file \(scratch.path): not a regular file"),
            (["--split", "block2", "--tls-cert", empty.path], "error: --tls-cert and --tls-key: give both or neither"),
            (["--split", "block2", "--tls-cert", empty.path, "--tls-key", empty.path],
             "error: --tls-cert \(empty.path): no PEM certificate chain in the file"),
        ]
        for (arguments, message) in cases {
            let run = try GPZExecutable.run(["serve", "--checkpoint", checkpoint, "--port", "0"] + arguments,
                                            besides: Self.self)
            XCTAssertEqual(run.status, 2, "\(arguments): \(run.stderr)")
            XCTAssertTrue(run.stderr.hasPrefix(message), "\(arguments): \(run.stderr)")
            XCTAssertEqual(run.stderr.filter { $0 == "\n" }.count, 1, run.stderr)
            XCTAssertEqual(run.stdout, "")
        }
    }

    /// A port already taken is a one-line error naming --host/--port, exit status 2.
    func testTakenPortExitsWithStatus2() async throws {
        let checkpoint = try TinyCheckpoint.directory().path
        try await withServer(split: "block2") { running, _ in
            let run = try GPZExecutable.run(["serve", "--checkpoint", checkpoint, "--split", "block2",
                                             "--port", String(running.port)], besides: Self.self)
            XCTAssertEqual(run.status, 2, run.stderr)
            XCTAssertTrue(run.stderr.hasPrefix("error: --host/--port: cannot listen on 127.0.0.1:\(running.port): "),
                          run.stderr)
            XCTAssertEqual(run.stderr.filter { $0 == "\n" }.count, 1, run.stderr)
        }
    }

    private func runTool(_ tool: URL, _ arguments: [String]) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = tool
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stderr, as: UTF8.self))
    }
}

/// What `kserve_client_check.py` reads.
private struct FeaturesFile: Encodable {
    let shape: [Int]
    let values: [Double]
}

/// What `kserve_client_check.py` prints (its keys).
private struct TritonReport: Decodable {
    struct Answer: Decodable {
        let logits: [Double]
        let logits_shape: [Int]
        let `class`: [Int]?
        let sent: [Double]?
        let parameters: [String: Double]?
    }
    struct Refusal: Decodable {
        let status: String?
        let message: String
    }
    let live: Bool
    let ready: Bool
    let model_ready: Bool
    let metadata: ModelMetadata
    let fp32_binary: Answer
    let fp32_json: Answer
    let no_outputs: Answer
    let fp16_binary: Answer
    let int8_binary: Answer
    let int8_json: Answer
    let wrong_token: Refusal
}

extension ServeProcess {
    /// `gpz serve ARGUMENTS` from the executable built beside the tests, on one thread, ready within 60 s.
    convenience init(_ arguments: [String], besides testCase: AnyClass) throws {
        try self.init(executable: try GPZExecutable.url(besides: testCase), arguments: arguments,
                      environment: ProcessInfo.processInfo.environment.merging(["GPZ_NUM_THREADS": "1"]) { $1 },
                      readyWithin: 60)
    }
}
