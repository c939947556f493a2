import AsyncHTTPClient
import Foundation
import GPZData
import GPZModels
import GPZTensor
import GPZTestSupport
import GPZTraining
import Logging
import NIOCore
import NIOHTTP1
import XCTest
@testable import GPZServe

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A cnn4 of width 4 trained for two epochs on 16×16 two-class stripes (as in TargetTrainerTests): splits block1
/// [4, 8, 8], block2 [8, 4, 4], block3 [16, 2, 2], block4 [32, 1, 1] and logits [2]. Trained once per test process
/// (about a second) into a temporary checkpoint directory.
enum TinyCheckpoint {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var trained: URL?  // guarded by `lock`

    static func directory() throws -> URL {
        lock.lock()
        defer { lock.unlock() }
        if let trained { return trained }
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("gpz-serve-tests-\(ProcessInfo.processInfo.processIdentifier)")
        try? FileManager.default.removeItem(at: directory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var config = TrainingConfig()
        config.dataset = "stripes"
        config.epochs = 2
        config.learningRate = 3e-3
        config.batchSize = 16
        config.seed = 5
        config.cnn4Width = 4
        let dataset = try Dataset(name: "stripes", format: "test", train: StripesFixture.images(count: 80, offset: 0),
                                  test: StripesFixture.images(count: 20, offset: 1000), classNames: ["left", "right"],
                                  files: [])
        _ = try TargetTrainer(config: config, dataset: dataset).run(directory: directory, resume: false)
        trained = directory
        atexit { TinyCheckpoint.removeTrained() }
        return directory
    }

    /// Removes the checkpoint directory (at the test process's exit).
    private static func removeTrained() {
        lock.lock()
        defer { lock.unlock() }
        if let trained { try? FileManager.default.removeItem(at: trained) }
    }
}

/// The in-process reference: the checkpoint's model, Z = edge(x) for a random batch and the logits cloud(Z).
struct Reference {
    let model: StagedModel
    let split: SplitPoint
    /// Z, row-major [batch, …split shape].
    let features: [Float]
    let shape: [Int]
    /// cloud(Z), row-major [batch, classes].
    let logits: [Float]

    init(split name: String, batch: Int) throws {
        let model = try CheckpointStore.loadModel(try TinyCheckpoint.directory()).model
        let split = try model.split(named: name)
        let x = try Tensor.rand([batch, 1, 16, 16])
        let (z, logits, forward) = try withNoGrad {
            let z = try model.edge(x, upTo: split.index)
            return (z, try model.cloud(z, from: split.index), try model.forward(x))
        }
        self.model = model
        self.split = split
        features = try z.toFloats()
        shape = z.shape
        self.logits = try logits.toFloats()
        XCTAssertEqual(self.logits.map(\.bitPattern), try forward.toFloats().map(\.bitPattern),
                       "cloud(edge(x)) is forward(x)")
    }

    /// The logits the in-process cloud half computes from `values` (row-major, Z's shape).
    func cloud(_ values: [Float]) throws -> [Float] {
        try withNoGrad { try model.cloud(try Tensor(values, shape: shape), from: split.index).toFloats() }
    }

    var classes: Int { logits.count / shape[0] }
}

/// Log records kept in memory, to check how the server logged what happened.
final class LogRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [(level: Logger.Level, message: String)] = []

    var records: [(level: Logger.Level, message: String)] {
        lock.lock()
        defer { lock.unlock() }
        return entries
    }

    func append(_ level: Logger.Level, _ message: String) {
        lock.lock()
        entries.append((level, message))
        lock.unlock()
    }

    var logger: Logger {
        var logger = Logger(label: "gpz.serve.test") { _ in RecordingHandler(recorder: self) }
        logger.logLevel = .debug
        return logger
    }

    private struct RecordingHandler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .debug

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            recorder.append(event.level, "\(event.message)")
        }
    }
}

/// A plain HTTP answer.
struct RawAnswer {
    let status: Int
    let headers: HTTPHeaders
    let body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }

    /// The `error` of a `{"error": …}` body.
    var error: String? { (try? JSONDecoder().decode(ErrorBody.self, from: Data(body)))?.error }
}

extension XCTestCase {
    /// A server for `checkpoint`'s (default: the tiny checkpoint's) split `split` on a free loopback port, and a
    /// client for it, for the duration of `body`.
    func withServer<T>(split: String, checkpoint: URL? = nil, token: String? = nil, logs: LogRecorder = LogRecorder(),
                       configure: (inout ServeConfiguration) throws -> Void = { _ in },
                       clientToken: String?? = .none,
                       _ body: (RunningServer, EdgeClient) async throws -> T) async throws -> T {
        var configuration = ServeConfiguration()
        configuration.port = 0
        if let token { configuration.token = try BearerToken(token) }
        try configure(&configuration)
        let server = try CloudServer.load(checkpoint: try checkpoint ?? TinyCheckpoint.directory(), split: split,
                                          configuration: configuration, logger: logs.logger)
        let running = try await server.start()
        do {
            let result = try await EdgeClient.with(.init(baseURL: running.url, token: clientToken ?? token,
                                                         timeout: .seconds(20))) { try await body(running, $0) }
            await running.stop()
            return result
        } catch {
            await running.stop()
            throw error
        }
    }
}

extension EdgeClient {
    /// One request as given, with the client's token; the answer whatever its status.
    func raw(_ method: HTTPMethod, _ path: String, headers: [(String, String)] = [], body: [UInt8]? = nil)
        async throws -> RawAnswer {
        let (status, responseHeaders, bytes) = try await send(path: path, method: method,
                                                              headers: HTTPHeaders(headers), body: body)
        return RawAnswer(status: status, headers: responseHeaders, body: bytes)
    }
}

/// A plain TCP connection to a loopback port, for requests no HTTP client would send: a body that stops halfway,
/// a `Content-Length` that lies. Blocking calls run on a dispatch queue, off Swift's cooperative threads.
final class RawConnection: @unchecked Sendable {
    private let fd: Int32

    init(port: Int) throws {
        guard let fd = Self.connectLoopback(port: port) else {
            throw RawAnswerError("connect to 127.0.0.1:\(port) failed")
        }
        self.fd = fd
        var timeout = timeval(tv_sec: 15, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    /// A TCP socket connected to 127.0.0.1:`port`, or nil (with nothing left open).
    static func connectLoopback(port: Int) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(fd)
            return nil
        }
        return fd
    }

    /// Sends `bytes` (all of them, or throws).
    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard sent > 0 else { throw RawAnswerError("write failed after \(offset) bytes") }
            offset += sent
        }
    }

    /// A request head (and `body`, when given) for `path` with `headers`.
    static func request(_ method: String, _ path: String, headers: [(String, String)], body: [UInt8] = []) -> [UInt8] {
        let head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + headers.map { "\($0.0): \($0.1)\r\n" }.joined() + "\r\n"
        return Array(head.utf8) + body
    }

    /// Reads one response (head and `Content-Length` body) and the time it took to come.
    func readResponse() async throws -> (status: Int, head: String, body: [UInt8]) {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try self.readResponseBlocking() })
            }
        }
    }

    private func readResponseBlocking() throws -> (status: Int, head: String, body: [UInt8]) {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        func fill() throws {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard count > 0 else { throw RawAnswerError("connection closed or timed out after \(data.count) bytes") }
            data += buffer[..<count]
        }
        let separator: [UInt8] = [13, 10, 13, 10]
        var headEnd: Int?
        while headEnd == nil {
            try fill()
            headEnd = data.indices.dropLast(3).first { Array(data[$0..<$0 + 4]) == separator }
        }
        let head = String(decoding: data[..<headEnd!], as: UTF8.self)
        let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
        let length = head.split(separator: "\r\n").compactMap { line -> Int? in
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
            return Int(parts[1].trimmingCharacters(in: .whitespaces))
        }.first ?? 0
        while data.count < headEnd! + 4 + length { try fill() }
        return (status, head, Array(data[(headEnd! + 4)..<(headEnd! + 4 + length)]))
    }
}

struct RawAnswerError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
