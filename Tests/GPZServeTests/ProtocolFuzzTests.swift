import Foundation
import GPZData
import GPZTensor
import GPZTestSupport
import Logging
import XCTest
@testable import GPZServe

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A protocol fuzz run against a live server on loopback, over raw TCP: seeded cases of malformed JSON, lying
/// binary-extension lengths, truncated bodies, huge and many headers, wrong methods, bad chunking, compressed
/// garbage and random bytes, each on its own connection, several at once. Asserts 0 crashes (the server answers a
/// correct request bit for bit afterwards and logged no internal error), 0 hangs (every connection is answered or
/// closed within the deadline) and no 5xx but 503.
///
/// Cases: `GPZ_FUZZ_CASES` (default 2,000; the documented run uses 10,000), seed `GPZ_FUZZ_SEED` (default 1), and
/// an optional time cap `GPZ_FUZZ_SECONDS` (none by default; a run the cap stops early fails). The summary line
/// (cases, seconds, statuses) is printed.
///
/// No wall-clock bound decides the outcome on a slow or busy machine: every case runs however long the run takes,
/// and the deadline that tells a hang from a slow answer (`deadline`, 30 s) is ten times the server's own 3-second
/// timeout. The run stops taking cases after `hangLimit` hangs, so a server that hangs fails in about a deadline
/// instead of running every case into it.
final class ProtocolFuzzTests: SeededTestCase {
    static let deadline: Double = 30
    static let hangLimit = 8

    func testFuzzedRequestsNeverCrashOrHangTheServer() async throws {
        let environment = ProcessInfo.processInfo.environment
        let cases = Int(environment["GPZ_FUZZ_CASES"] ?? "") ?? 2_000
        let cap = Double(environment["GPZ_FUZZ_SECONDS"] ?? "")
        let seed = UInt64(environment["GPZ_FUZZ_SEED"] ?? "") ?? 1
        signal(SIGPIPE, SIG_IGN)  // a send to a connection the server reset fails instead of killing the test
        let reference = try Reference(split: "block2", batch: 2)
        let logs = LogRecorder()
        let token = "fuzz-token"
        let outcome = try await withServer(split: "block2", token: token, logs: logs, configure: {
            $0.maxBodyBytes = 1 << 20
            $0.timeout = .seconds(3)
            $0.maxBatch = 8
        }) { running, client -> FuzzOutcome in
            let generator = FuzzCases(features: reference.features, shape: reference.shape, token: token)
            let outcome = await Self.run(cases: cases, cap: cap, seed: seed, port: running.port, generator: generator)
            // Still serving, bit for bit.
            let result = try await client.infer(reference.features, shape: reference.shape)
            XCTAssertEqual(result.logits.map(\.bitPattern), reference.logits.map(\.bitPattern))
            let health = try await client.raw(.GET, "/v2/health/ready")
            XCTAssertEqual(health.status, 200)
            return outcome
        }
        let statuses = outcome.statuses.sorted { $0.key < $1.key }.map { "\($0.key == 0 ? "closed" : String($0.key)): \($0.value)" }
        print("protocol fuzz: \(outcome.done) cases (seed \(seed)) in \(String(format: "%.1f", outcome.seconds)) s, "
              + "\(outcome.hangs.count) hangs, statuses {\(statuses.joined(separator: ", "))}")
        XCTAssertEqual(outcome.done, cases, outcome.hangs.count >= Self.hangLimit
                       ? "the run stopped after \(outcome.hangs.count) hangs"
                       : "the time cap of \(cap ?? 0) s (GPZ_FUZZ_SECONDS) stopped the run early")
        XCTAssertEqual(outcome.hangs, [], "cases not answered nor closed within \(Self.deadline) s")
        let serverErrors = outcome.statuses.filter { $0.key >= 500 && $0.key != 503 }
        XCTAssertEqual(serverErrors.count, 0, "5xx answers: \(serverErrors), e.g. case \(outcome.firstServerError ?? -1)")
        XCTAssertGreaterThan(outcome.statuses[400] ?? 0, cases / 10, "most malformed requests are 400s")
        XCTAssertGreaterThan(outcome.statuses[200] ?? 0, 0, "some mutations are still valid requests")
        let internalErrors = logs.records.filter { $0.level >= .error }
        XCTAssertEqual(internalErrors.count, 0, "\(internalErrors.prefix(5))")
    }

    struct FuzzOutcome: Sendable {
        var done = 0
        var seconds = 0.0
        var statuses: [Int: Int] = [:]
        var hangs: [Int] = []
        var firstServerError: Int?
    }

    /// The run's shared state, behind a lock.
    final class Tally: @unchecked Sendable {
        let lock = NSLock()
        var outcome = FuzzOutcome()
        var next = 0

        func take() -> Int {
            lock.lock()
            defer { lock.unlock() }
            next += 1
            return next - 1
        }

        /// `hangLimit` cases hung: the run has failed, and stops taking cases.
        var hungTooOften: Bool {
            lock.lock()
            defer { lock.unlock() }
            return outcome.hangs.count >= ProtocolFuzzTests.hangLimit
        }

        func record(_ answer: Answer, index: Int) {
            lock.lock()
            defer { lock.unlock() }
            outcome.done += 1
            switch answer {
            case .hang: outcome.hangs.append(index)
            case .status(let code):
                outcome.statuses[code, default: 0] += 1
                if code >= 500, code != 503, outcome.firstServerError == nil { outcome.firstServerError = index }
            }
        }
    }

    /// Runs the cases on 8 threads, each case on its own connection.
    static func run(cases: Int, cap: Double?, seed: UInt64, port: Int, generator: FuzzCases) async -> FuzzOutcome {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                let tally = Tally()
                let start = Date()
                let group = DispatchGroup()
                for _ in 0..<8 {
                    group.enter()
                    Thread.detachNewThread {
                        defer { group.leave() }
                        while true {
                            let index = tally.take()
                            guard index < cases, !tally.hungTooOften,
                                  Date().timeIntervalSince(start) < cap ?? .infinity else { return }
                            tally.record(exchange(generator.make(index: index, seed: seed), port: port), index: index)
                        }
                    }
                }
                group.wait()
                var outcome = tally.outcome
                outcome.seconds = Date().timeIntervalSince(start)
                outcome.hangs.sort()
                continuation.resume(returning: outcome)
            }
        }
    }

    enum Answer: Sendable { case status(Int), hang }

    /// Sends `bytes` on a new connection (a write the server refuses midway ends the sending) and reads the
    /// first response. A server still waiting for more after `grace` seconds (a truncated body, a lying length)
    /// gets the connection half-closed, and must then answer or close. The first response's status, 0 when the
    /// server closed without one, or a hang when neither happened within the deadline.
    static func exchange(_ bytes: [UInt8], port: Int, grace: Double = 0.3) -> Answer {
        guard let fd = RawConnection.connectLoopback(port: port) else { return .status(-1) }
        defer { close(fd) }
        var timeout = timeval(tv_sec: Int(deadline), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let started = Date()
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
            if sent <= 0 { break }  // the server closed or reset: read what it answered
            offset += sent
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16384)
        var halfClosed = false
        while true {
            if let status = complete(received) { return .status(status) }
            let elapsed = Date().timeIntervalSince(started)
            if elapsed > deadline { return .hang }
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let wait = halfClosed ? deadline - elapsed : grace
            let ready = poll(&descriptor, 1, Int32(max(1, wait * 1000)))
            if ready == 0 {
                if halfClosed { return .hang }
                shutdown(fd, Int32(SHUT_WR))
                halfClosed = true
                continue
            }
            if ready < 0 { if errno == EINTR { continue } else { return .status(-1) } }
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 {  // closed (or reset) by the server
                return .status(complete(received, closed: true) ?? 0)
            }
            received += buffer[..<count]
        }
    }

    /// The status of the response at the start of `received` once it is complete (its head and its
    /// Content-Length body, or everything up to the close), else nil.
    static func complete(_ received: [UInt8], closed: Bool = false) -> Int? {
        guard let end = received.firstRange(of: [13, 10, 13, 10]) else { return nil }
        let head = String(decoding: received[..<end.lowerBound], as: UTF8.self)
        guard head.hasPrefix("HTTP/1.1 "), let status = Int(head.dropFirst(9).prefix(3)) else { return closed ? 0 : nil }
        let length = head.split(separator: "\r\n").compactMap { line -> Int? in
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
            return Int(parts[1].trimmingCharacters(in: .whitespaces))
        }.first
        if let length, received.count >= end.upperBound + length { return status }
        return closed ? status : nil
    }
}


/// The seeded cases: case `index` of `seed` is always the same bytes.
struct FuzzCases: Sendable {
    let features: [Float]
    let shape: [Int]
    let token: String

    /// The project's SplitMix64 (`SeededRandom`) with the draws the cases use.
    struct Random {
        var generator: SeededRandom
        init(state: UInt64) { generator = SeededRandom(seed: state) }
        mutating func next() -> UInt64 { generator.next() }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
        mutating func chance(_ p: Double) -> Bool { Double(next() >> 11) / Double(1 << 53) < p }
        mutating func bytes(_ n: Int) -> [UInt8] { (0..<n).map { _ in UInt8(truncatingIfNeeded: next()) } }
        mutating func pick<T>(_ values: [T]) -> T { values[below(values.count)] }
    }

    static let paths = ["/v2/models/gpz/infer", "/v2/models/gpz/versions/1/infer", "/v2/models/other/infer",
                        "/v2/models/gpz", "/v2", "/v2/health/ready", "/metrics", "/v2/models/gpz/versions/9/infer",
                        "/v2/models/%00/infer", "/../../etc/passwd", "/v2/models/gpz/infer?x=1", "*"]

    func make(index: Int, seed: UInt64) -> [UInt8] {
        var random = Random(state: seed &* 0x1000_0000_01B3 &+ UInt64(index))
        let binary = random.chance(0.6)
        let encoding: FeatureEncoding = random.pick([.fp32, .fp16, .int8(for: features)])
        let body = InferenceCodec.encodeRequest(
            features: features, shape: shape, encoding: encoding, binary: binary,
            outputs: [OutputChoice(name: random.pick(["logits", "class"]), binary: random.chance(0.5))])
        var json = Array(body.bytes.prefix(body.headerLength ?? body.bytes.count))
        var payload = Array(body.bytes.dropFirst(body.headerLength ?? body.bytes.count))
        var method = "POST", path = "/v2/models/gpz/infer"
        var headers: [(String, String)] = [("Host", "127.0.0.1"), ("Authorization", "Bearer \(token)")]
        var headerLength: String? = body.headerLength.map(String.init)
        var contentLength: String?
        var truncateTo: Int?
        var chunked = false

        switch random.below(14) {
        case 0:  // random bytes, not HTTP at all
            return random.bytes(1 + random.below(4096))
        case 1:  // random bytes after a valid request line
            return Array("POST \(path) HTTP/1.1\r\n".utf8) + random.bytes(random.below(2048))
        case 2:  // flipped bytes in the JSON
            for _ in 0..<(1 + random.below(8)) where !json.isEmpty {
                json[random.below(json.count)] = UInt8(truncatingIfNeeded: random.next())
            }
        case 3:  // flipped bytes in the binary section
            for _ in 0..<(1 + random.below(8)) where !payload.isEmpty {
                payload[random.below(payload.count)] = UInt8(truncatingIfNeeded: random.next())
            }
        case 4:  // a lying binary_data_size
            let size = random.pick(["-1", "0", "1", "99999999999", "18446744073709551615", "1e9", "\"12\"", "null",
                                    String(random.below(1 << 20))])
            let text = String(decoding: json, as: UTF8.self)
            json = Array(text.replacingOccurrences(of: #""binary_data_size":\d+"#, with: "\"binary_data_size\":\(size)",
                                                   options: .regularExpression).utf8)
        case 5:  // a lying Inference-Header-Content-Length
            headerLength = random.pick(["0", "-5", "abc", "", " 12", "99999999999999999999", String(json.count - 1),
                                        String(json.count + 1), String(json.count + payload.count + 1),
                                        String(random.below(json.count + payload.count + 10))])
        case 6:  // a truncated body: Content-Length says more than is sent
            truncateTo = random.below(json.count + payload.count)
        case 7:  // a lying Content-Length
            contentLength = random.pick(["-1", "abc", "0", "18446744073709551616", String(random.below(1 << 30)),
                                         "\(json.count + payload.count), 5"])
        case 8:  // huge header values, or many headers
            if random.chance(0.5) {
                headers.append(("X-Fuzz", String(repeating: "a", count: 65_536 + random.below(65_536))))
            } else {
                for i in 0..<(500 + random.below(3000)) { headers.append(("X-Fuzz-\(i)", "v")) }
            }
        case 9:  // wrong or odd methods and paths
            method = random.pick(["GET", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "HEAD", "CONNECT", "BREW",
                                  "post", "P\u{0}ST"])
            path = random.pick(Self.paths)
        case 10:  // malformed JSON: structures, types, nesting, numbers
            headerLength = nil
            payload = []
            json = Array(random.pick([
                "", "{", "[]", "null", "{\"inputs\":null}", "{\"inputs\":[{}]}", "{\"inputs\":[{\"name\":1}]}",
                "{\"inputs\":[{\"name\":\"z\",\"shape\":[1,8,4,4],\"datatype\":\"FP32\",\"data\":"
                    + String(repeating: "[", count: 10_000) + "}]}",
                "{\"inputs\":[{\"name\":\"z\",\"shape\":[9223372036854775807,8,4,4],\"datatype\":\"FP32\",\"data\":[1]}]}",
                "{\"inputs\":[{\"name\":\"z\",\"shape\":[1,8,4,4],\"datatype\":\"FP32\",\"data\":[1e999]}]}",
                "{\"inputs\":[{\"name\":\"z\",\"shape\":[-1,8,4,4],\"datatype\":\"INT8\",\"data\":[]}]}",
                "{\"id\":\"" + String(repeating: "\u{1}", count: 300) + "\",\"inputs\":[]}",
                "\u{FEFF}{\"inputs\":[]}", "{\"inputs\":[],\"inputs\":[]}",
                String(repeating: "{\"a\":", count: 5_000),
            ]).utf8)
        case 11:  // chunked bodies, well-formed or not
            chunked = true
        case 12:  // compressed garbage or a small bomb
            headers.append(("Content-Encoding", random.pick(["gzip", "deflate", "br", "gzip, gzip", "identity"])))
            if random.chance(0.5), let bomb = try? BodyCompression.gzip.compress([UInt8](repeating: 0x30, count: 2 << 20)) {
                json = bomb
                payload = []
                headerLength = nil
            } else {
                payload = random.bytes(random.below(512))
            }
        default:  // authorization and framing variants of a valid request
            switch random.below(5) {
            case 0: headers[1] = ("Authorization", "Bearer wrong")
            case 1: headers.remove(at: 1)
            case 2: headers[1] = ("Authorization", "Bearer " + String(repeating: "x", count: random.below(8192)))
            case 3: headers.append(("Transfer-Encoding", "identity"))
            default: break  // valid
            }
        }
        let bodyBytes = json + payload
        if let headerLength { headers.append((InferenceCodec.headerLengthField, headerLength)) }
        var message: [UInt8]
        if chunked {
            headers.append(("Transfer-Encoding", "chunked"))
            var chunks: [UInt8] = []
            var position = 0
            while position < bodyBytes.count {
                let size = 1 + random.below(4096)
                let piece = bodyBytes[position..<min(position + size, bodyBytes.count)]
                let declared = random.chance(0.1) ? piece.count + random.below(10) - 5 : piece.count
                chunks += Array((String(max(declared, 0), radix: 16) + (random.chance(0.05) ? "zz" : "") + "\r\n").utf8)
                chunks += piece + Array("\r\n".utf8)
                position += size
            }
            if random.chance(0.8) { chunks += Array("0\r\n\r\n".utf8) }
            message = Array("\(method) \(path) HTTP/1.1\r\n".utf8)
                + Array(headers.map { "\($0.0): \($0.1)\r\n" }.joined().utf8) + Array("\r\n".utf8) + chunks
        } else {
            headers.append(("Content-Length", contentLength ?? String(bodyBytes.count)))
            message = Array("\(method) \(path) HTTP/1.1\r\n".utf8)
                + Array(headers.map { "\($0.0): \($0.1)\r\n" }.joined().utf8) + Array("\r\n".utf8) + bodyBytes
        }
        if let truncateTo { message = Array(message.prefix(message.count - bodyBytes.count + truncateTo)) }
        return message
    }
}
