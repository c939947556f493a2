import AsyncHTTPClient
import Foundation
import GPZTestSupport
import Logging
import NIOCore
import NIOHTTP1
import GPZTensor
import XCTest
@testable import GPZServe

/// Bad requests get the right status and a one-line `{"error": …}` naming the problem, are logged as client
/// errors (never as internal errors), and the server goes on answering correct requests.
final class ServerErrorTests: SeededTestCase {
    func testRefusalsAreClientErrorsAndTheServerKeepsAnswering() async throws {
        let reference = try Reference(split: "block2", batch: 2)
        let logs = LogRecorder()
        let valid = InferenceCodec.encodeRequest(features: reference.features, shape: reference.shape, encoding: .fp32,
                                                 binary: true, outputs: [OutputChoice(name: "logits", binary: true)])
        let headerLength = (InferenceCodec.headerLengthField, String(valid.headerLength!))
        let token = "s3cret-token"
        try await withServer(split: "block2", token: token, logs: logs, configure: { $0.maxBodyBytes = 1 << 20 },
                             clientToken: .some(nil)) { running, anonymous in
            let authorized = try EdgeClient(.init(baseURL: running.url, token: token))
            let wrong = try EdgeClient(.init(baseURL: running.url, token: "s3cret-tokeN"))
            do {
                try await checks(running, anonymous, authorized, wrong)
            } catch {
                try? await authorized.shutdown()
                try? await wrong.shutdown()
                throw error
            }
            try await authorized.shutdown()
            try await wrong.shutdown()
        }
        // Logged as client errors, never as internal errors.
        let records = logs.records
        XCTAssertFalse(records.contains { $0.level >= .error }, "\(records.filter { $0.level >= .error })")
        let clientErrors = records.filter { $0.level == .notice && $0.message.hasPrefix("client error: ") }
        XCTAssertGreaterThanOrEqual(clientErrors.count, 10, "\(records)")
        XCTAssertTrue(clientErrors.contains { $0.message.contains("POST /v2/models/gpz/infer: 400 inputs[0].shape") },
                      "\(clientErrors)")

        func checks(_ running: RunningServer, _ anonymous: EdgeClient, _ authorized: EdgeClient,
                    _ wrong: EdgeClient) async throws {
            // Health stays open; everything else needs the token.
            for path in ["/v2/health/live", "/v2/health/ready", "/v2/models/gpz/ready", "/v2/models/gpz/versions/1/ready"] {
                let answer = try await anonymous.raw(.GET, path)
                XCTAssertEqual(answer.status, 200, path)
            }
            let missing = try await anonymous.raw(.POST, "/v2/models/gpz/infer", headers: [headerLength], body: valid.bytes)
            XCTAssertEqual(missing.status, 401)
            XCTAssertEqual(missing.headers.first(name: "WWW-Authenticate"), "Bearer realm=\"gpz\"")
            XCTAssertEqual(missing.error, "Authorization: missing; expected 'Bearer <token>'")
            let refused = try await wrong.raw(.POST, "/v2/models/gpz/infer", headers: [headerLength], body: valid.bytes)
            XCTAssertEqual(refused.status, 401)
            XCTAssertEqual(refused.headers.first(name: "WWW-Authenticate"), "Bearer realm=\"gpz\", error=\"invalid_token\"")
            XCTAssertEqual(refused.error, "Authorization: the bearer token is not accepted")
            for path in ["/v2", "/v2/models/gpz", "/metrics"] {
                let answer = try await anonymous.raw(.GET, path)
                XCTAssertEqual(answer.status, 401, path)
            }
            let basic = try await anonymous.raw(.GET, "/v2", headers: [("Authorization", "Basic czNjcmV0LXRva2Vu")])
            XCTAssertEqual(basic.status, 401)
            let server = try await authorized.raw(.GET, "/v2")
            XCTAssertEqual(server.status, 200)
            XCTAssertTrue(server.text.contains("\"extensions\":[\"binary_tensor_data\"]"), server.text)

            // Oversize: a Content-Length above the limit is refused before reading; a chunked body is cut off.
            let big = [UInt8](repeating: 0x20, count: (1 << 20) + 512 * 1024)
            let oversize = try await authorized.raw(.POST, "/v2/models/gpz/infer", body: big)
            XCTAssertEqual(oversize.status, 413)
            XCTAssertEqual(oversize.error, "body: \(big.count) bytes, the limit is 1048576 bytes (1 MiB, --max-body-mib)")
            let chunked = try await chunkedPost(running.url + "/v2/models/gpz/infer", token: token, body: big)
            XCTAssertEqual(chunked.status, 413)
            XCTAssertEqual(chunked.headers.first(name: "Connection"), "close")
            XCTAssertEqual(chunked.error, "body: more than 1048576 bytes, the limit is 1048576 bytes (1 MiB, --max-body-mib)")

            // Wrong shape, datatype, values, lengths: 400 naming the field.
            func infer(_ json: String, binary: [UInt8] = [], headerLength: String? = nil) async throws -> RawAnswer {
                var headers: [(String, String)] = []
                if let headerLength { headers.append((InferenceCodec.headerLengthField, headerLength)) }
                return try await authorized.raw(.POST, "/v2/models/gpz/infer", headers: headers,
                                                body: Array(json.utf8) + binary)
            }
            let zeros = String(repeating: "0,", count: 127) + "0"
            let shape = try await infer(#"{"inputs":[{"name":"z","shape":[1,8,4],"datatype":"FP32","data":[\#(zeros)]}]}"#)
            XCTAssertEqual(shape.status, 400)
            XCTAssertEqual(shape.error, "inputs[0].shape: expected [N, 8, 4, 4] with 1 ≤ N ≤ 256, got [1, 8, 4]")
            let datatype = try await infer(#"{"inputs":[{"name":"z","shape":[1,8,4,4],"datatype":"FP64","data":[\#(zeros)]}]}"#)
            XCTAssertEqual(datatype.status, 400)
            XCTAssertEqual(datatype.error, "inputs[0].datatype: expected one of FP32, FP16, INT8, got 'FP64'")
            var nan = valid.bytes
            nan[valid.headerLength! + 8] = 0xFF
            nan[valid.headerLength! + 9] = 0xFF
            nan[valid.headerLength! + 10] = 0xFF
            nan[valid.headerLength! + 11] = 0x7F
            let nanAnswer = try await authorized.raw(.POST, "/v2/models/gpz/infer", headers: [headerLength], body: nan)
            XCTAssertEqual(nanAnswer.status, 400)
            XCTAssertEqual(nanAnswer.error, "inputs[0]: expected finite values, got NaN at flat index 2 (binary section)")
            let lying = try await authorized.raw(.POST, "/v2/models/gpz/infer",
                                                 headers: [(InferenceCodec.headerLengthField, "999999")], body: valid.bytes)
            XCTAssertEqual(lying.status, 400)
            XCTAssertEqual(lying.error, "Inference-Header-Content-Length: expected 1…\(valid.bytes.count) "
                           + "(the body's length), got 999999")
            let notJSON = try await infer("{\"inputs\": [")
            XCTAssertEqual(notJSON.status, 400)
            XCTAssertTrue(notJSON.error?.hasPrefix("body: ") ?? false, notJSON.text)
            let unknown = try await authorized.raw(.POST, "/v2/models/other/infer", body: valid.bytes)
            XCTAssertEqual(unknown.status, 404)
            XCTAssertEqual(unknown.error, "model 'other' is not served; this server serves 'gpz'")
            let gzip = try await authorized.raw(.POST, "/v2/models/gpz/infer",
                                                headers: [("Content-Encoding", "br")], body: valid.bytes)
            XCTAssertEqual(gzip.status, 415)
            XCTAssertEqual(gzip.error, "Content-Encoding: 'br' is not supported; send the body uncompressed, gzip or "
                           + "deflate")
            let nowhere = try await authorized.raw(.GET, "/v3/nothing")
            XCTAssertEqual(nowhere.status, 404)
            XCTAssertNotNil(nowhere.error)
            for answer in [missing, refused, oversize, chunked, shape, datatype, nanAnswer, lying, notJSON, unknown, gzip] {
                XCTAssertEqual(answer.headers.first(name: "Content-Type"), "application/json")
                XCTAssertFalse(answer.text.contains("\n"), answer.text)
            }

            // Still serving, bit for bit.
            let result = try await authorized.infer(reference.features, shape: reference.shape)
            XCTAssertEqual(result.logits.map(\.bitPattern), reference.logits.map(\.bitPattern))

            // Metrics count every answer by route and status and time them.
            let metrics = try await authorized.raw(.GET, "/metrics")
            XCTAssertEqual(metrics.status, 200)
            for line in [#"gpz_http_requests_total{route="/v2/models/{name}/infer",status="200"} 1"#,
                         #"gpz_http_requests_total{route="/v2/models/{name}/infer",status="401"} 2"#,
                         #"gpz_http_requests_total{route="/v2/models/{name}/infer",status="413"} 2"#,
                         #"gpz_http_requests_total{route="/v2/models/{name}/infer",status="400"} 5"#,
                         #"gpz_http_requests_total{route="/v2/models/{name}/infer",status="404"} 1"#,
                         #"gpz_http_requests_total{route="/v2/models/{name}/infer",status="415"} 1"#,
                         #"gpz_inference_samples_total 2"#] {
                XCTAssertTrue(metrics.text.contains(line), "\(line) in\n\(metrics.text)")
            }
            XCTAssertTrue(metrics.text.contains(#"gpz_http_request_duration_seconds_bucket{route="/v2/models/{name}/infer",le="0.5"}"#),
                          metrics.text)
            XCTAssertTrue(metrics.text.contains("gpz_inference_seconds_count 1"), metrics.text)
        }
    }

    /// With one slot and no queue, a request arriving while another holds the slot is refused at once with 503 and
    /// Retry-After; a body that stops arriving gets 408 at the deadline; the server then serves normally.
    ///
    /// Nothing here depends on how fast a loaded machine is. The holder's slot is seen in `gpz_requests_in_flight`
    /// before the second request goes; "at once" is an outcome: the refusal says the queue is full (a request that
    /// waited would be refused for its deadline instead, with another message), and it comes while the holder still
    /// holds the slot, since the holder is answered 200 afterwards, not 408, under a 60-second deadline. The 408
    /// comes no earlier than the 2-second deadline of a second server, and within a bound derived from how long a
    /// complete request takes on this machine at the time.
    func testBackPressureAndTimeouts() async throws {
        let reference = try Reference(split: "block2", batch: 1)
        let logs = LogRecorder()
        let valid = InferenceCodec.encodeRequest(features: reference.features, shape: reference.shape, encoding: .fp32,
                                                 binary: true, outputs: [OutputChoice(name: "logits", binary: true)])
        let head = RawConnection.request("POST", "/v2/models/gpz/infer", headers: [
            ("Content-Length", String(valid.bytes.count)),
            (InferenceCodec.headerLengthField, String(valid.headerLength!)),
        ])
        try await withServer(split: "block2", logs: logs, configure: {
            $0.maxConcurrency = 1
            $0.queueLimit = 0
            $0.timeout = .seconds(60)
        }) { running, client in
            // Holds the only slot: its body stops halfway.
            let holder = try RawConnection(port: running.port)
            try holder.send(head + valid.bytes.prefix(20))
            try await waitForMetric("gpz_requests_in_flight", 1, client)
            let busy = try await client.raw(.POST, "/v2/models/gpz/infer",
                                            headers: [(InferenceCodec.headerLengthField, String(valid.headerLength!))],
                                            body: valid.bytes)
            XCTAssertEqual(busy.status, 503)
            XCTAssertEqual(busy.headers.first(name: "Retry-After"), "1")
            XCTAssertEqual(busy.error, "server busy: 1 requests in progress and 0 queued; retry later",
                           "refused at once for the full queue, not after waiting for the slot")
            // The holder finishes its body and is answered: it held the slot all along.
            try holder.send(Array(valid.bytes.dropFirst(20)))
            let held = try await holder.readResponse()
            XCTAssertEqual(held.status, 200, held.head)
            let metrics = try await client.raw(.GET, "/metrics").text
            XCTAssertEqual(Self.metric("gpz_requests_in_flight", in: metrics), 0, "the slot is free again")
        }
        let timeout = 2.0
        try await withServer(split: "block2", logs: logs, configure: {
            $0.maxConcurrency = 1
            $0.queueLimit = 0
            $0.timeout = .seconds(timeout)
        }) { running, client in
            // How long a complete request takes now, to size the bound on the 408's lateness.
            let clock = ContinuousClock()
            let baseline = try await clock.measure {
                let answer = try await client.infer(reference.features, shape: reference.shape)
                XCTAssertEqual(answer.logits.map(\.bitPattern), reference.logits.map(\.bitPattern))
            }
            // A body that never finishes: 408 at the deadline, and the slot is free again.
            let stalled = try RawConnection(port: running.port)
            let stalledAt = ContinuousClock.now
            try stalled.send(head + valid.bytes.prefix(20))
            let timedOut = try await stalled.readResponse()
            let waited = ContinuousClock.now - stalledAt
            XCTAssertEqual(timedOut.status, 408, timedOut.head)
            XCTAssertEqual(try JSONDecoder().decode(ErrorBody.self, from: Data(timedOut.body)).error,
                           "body: not received within 2.0 seconds")
            // Not early: the server's deadline starts after this side's clock did.
            XCTAssertGreaterThanOrEqual(waited, .milliseconds(1900))
            // Not much later: within 5 s, or 20 complete requests' time if the machine is slower than that now.
            let slack = Swift.max(Duration.seconds(5), baseline * 20)
            XCTAssertLessThan(waited, .seconds(timeout) + slack,
                              "the 408 came long after the deadline (a complete request took \(baseline))")

            let result = try await client.infer(reference.features, shape: reference.shape)
            XCTAssertEqual(result.logits.map(\.bitPattern), reference.logits.map(\.bitPattern))
        }
        XCTAssertFalse(logs.records.contains { $0.level >= .error }, "\(logs.records)")
        XCTAssertTrue(logs.records.contains { $0.level == .warning && $0.message.hasPrefix("overload: ") },
                      "\(logs.records)")
    }

    /// Polls `GET /metrics` until the metric `name` has `value` (every 20 ms, for up to 60 s).
    private func waitForMetric(_ name: String, _ value: Double, _ client: EdgeClient) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        var last: Double?
        while ContinuousClock.now < deadline {
            last = Self.metric(name, in: try await client.raw(.GET, "/metrics").text)
            if last == value { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw RawAnswerError("\(name) is \(last.map { "\($0)" } ?? "missing"), not \(value), after 60 s")
    }

    /// The value of the unlabelled metric `name` in Prometheus text.
    static func metric(_ name: String, in text: String) -> Double? {
        text.split(separator: "\n").lazy.compactMap { line -> Double? in
            let parts = line.split(separator: " ")
            return parts.count == 2 && parts[0] == name ? Double(parts[1]) : nil
        }.first
    }

    /// A POST whose body goes chunked (no Content-Length).
    private func chunkedPost(_ url: String, token: String, body: [UInt8]) async throws -> RawAnswer {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        let chunks = stride(from: 0, to: body.count, by: 65536).map {
            ByteBuffer(bytes: body[$0..<min($0 + 65536, body.count)])
        }
        request.body = .stream(AsyncArray(elements: chunks), length: .unknown)
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(20))
        var buffer = try await response.body.collect(upTo: 1 << 20)
        return RawAnswer(status: Int(response.status.code), headers: response.headers,
                         body: buffer.readBytes(length: buffer.readableBytes) ?? [])
    }
}

/// An array as an async sequence, for streamed request bodies.
private struct AsyncArray<Element: Sendable>: AsyncSequence, Sendable {
    let elements: [Element]

    struct AsyncIterator: AsyncIteratorProtocol {
        var remaining: ArraySlice<Element>
        mutating func next() async -> Element? { remaining.popFirst() }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(remaining: elements[...]) }
}
