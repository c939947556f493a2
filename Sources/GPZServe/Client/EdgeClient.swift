import AsyncHTTPClient
import Foundation
import GPZTensor
import NIOCore
import NIOHTTP1
import NIOSSL

/// A failure of `EdgeClient`: bad features, a transport error, or an answer other than 200 (with the server's
/// `{"error": …}` message and the HTTP status).
public struct EdgeClientError: Error, CustomStringConvertible, Sendable {
    /// The HTTP status, when the server answered.
    public let status: Int?
    public let message: String

    public init(status: Int? = nil, _ message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { status.map { "HTTP \($0): \(message)" } ?? message }
}

/// The edge's side of `gpz serve`: sends the features Z of one batch (FP32, FP16 or INT8 with its scale; in the
/// binary tensor extension or as JSON) with an optional bearer token, and returns the logits. Built on
/// AsyncHTTPClient; call `shutdown()` when done.
public final class EdgeClient: Sendable {
    public struct Configuration: Sendable {
        /// `http://host:port` or `https://host:port`.
        public var baseURL: String
        public var modelName: String
        /// Sent as `Authorization: Bearer <token>`.
        public var token: String?
        /// Certificates (PEM) to trust for HTTPS, e.g. a self-signed server certificate; nil trusts the system's.
        public var trustedCertificatesPEM: [UInt8]?
        /// The time one request may take, connection included.
        public var timeout: Duration
        /// The largest response body read.
        public var maxResponseBytes: Int
        /// Connections kept open to the server (requests beyond them wait for one).
        public var maxConnections: Int

        public init(baseURL: String, modelName: String = "gpz", token: String? = nil,
                    trustedCertificatesPEM: [UInt8]? = nil, timeout: Duration = .seconds(30),
                    maxResponseBytes: Int = 64 << 20, maxConnections: Int = 8) {
            self.baseURL = baseURL
            self.modelName = modelName
            self.token = token
            self.trustedCertificatesPEM = trustedCertificatesPEM
            self.timeout = timeout
            self.maxResponseBytes = maxResponseBytes
            self.maxConnections = maxConnections
        }
    }

    public let configuration: Configuration
    private let client: HTTPClient

    public init(_ configuration: Configuration) throws {
        self.configuration = configuration
        var settings = HTTPClient.Configuration()
        // A connection that cannot be made (refused, or a TLS handshake that fails) is retried until this.
        let connectSeconds = min(10, max(1, configuration.timeout.components.seconds))
        settings.timeout = .init(connect: .seconds(connectSeconds))
        settings.connectionPool = .init(idleTimeout: .seconds(60),
                                        concurrentHTTP1ConnectionsPerHostSoftLimit: max(1, configuration.maxConnections))
        if let pem = configuration.trustedCertificatesPEM {
            var tls = TLSConfiguration.makeClientConfiguration()
            do {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(pem))
            } catch {
                throw EdgeClientError("trusted certificates: not PEM (\(error))")
            }
            settings.tlsConfiguration = tls
        }
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: settings)
    }

    /// Closes the client's connections; call once, when done.
    public func shutdown() async throws {
        try await client.shutdown()
    }

    /// `body` with a client for `configuration`, shut down afterwards whether `body` returns or throws.
    public static func with<T>(_ configuration: Configuration,
                               _ body: (EdgeClient) async throws -> T) async throws -> T {
        let client = try EdgeClient(configuration)
        do {
            let result = try await body(client)
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// The logits (and, when asked, the classes) for `features`, N × per-sample values row-major, of shape
    /// `shape` = [N, …split shape], sent with `encoding` (see `FeatureEncoding`; `.int8(for:)` picks the scale).
    public func infer(_ features: [Float], shape: [Int], encoding: FeatureEncoding = .fp32, binary: Bool = true,
                      outputs: [OutputChoice] = [OutputChoice(name: ServedSignature.logitsOutput, binary: true)],
                      id: String? = nil) async throws -> InferenceResult {
        try await exchange(features, shape: shape, encoding: encoding, binary: binary, outputs: outputs, id: id).result
    }

    /// One inference and what it cost on the wire.
    public struct Exchange: Sendable {
        public var result: InferenceResult
        /// The request body as sent (compressed when asked), in bytes.
        public var requestBytes: Int
        /// The request body before compression.
        public var uncompressedBytes: Int
        /// The features' own bytes (the binary section, or the JSON numbers' share when sent as JSON: the whole
        /// body then).
        public var featureBytes: Int
        /// The response body, in bytes.
        public var responseBytes: Int
        /// From handing the request to the HTTP client to having the whole answer (transfer both ways, the
        /// server's work, and the client's own overhead); encoding and decoding are not counted.
        public var roundTrip: Duration
    }

    /// `infer`, with what the exchange cost: bytes each way and the round-trip time. With `compression`, the body
    /// goes compressed with `Content-Encoding`.
    public func exchange(_ features: [Float], shape: [Int], encoding: FeatureEncoding = .fp32, binary: Bool = true,
                         outputs: [OutputChoice] = [OutputChoice(name: ServedSignature.logitsOutput, binary: true)],
                         id: String? = nil, compression: BodyCompression? = nil) async throws -> Exchange {
        try Self.check(features, shape: shape, encoding: encoding)
        let body = InferenceCodec.encodeRequest(features: features, shape: shape, encoding: encoding, binary: binary,
                                                outputs: outputs, id: id)
        var headers = HTTPHeaders([("Content-Type", body.contentType)])
        if let length = body.headerLength {
            headers.add(name: InferenceCodec.headerLengthField, value: String(length))
        }
        var sent = body.bytes
        if let compression {
            do {
                sent = try compression.compress(body.bytes)
            } catch {
                throw EdgeClientError("compressing the request (\(compression.rawValue)): \(error)")
            }
            headers.add(name: "Content-Encoding", value: compression.rawValue)
        }
        let start = ContinuousClock.now
        let (status, responseHeaders, bytes) = try await send(
            path: "/v2/models/\(configuration.modelName)/infer", method: .POST, headers: headers, body: sent)
        let roundTrip = ContinuousClock.now - start
        guard status == 200 else { throw Self.failure(status: status, body: bytes) }
        let headerLength = responseHeaders.first(name: InferenceCodec.headerLengthField)
        let result: InferenceResult
        do {
            result = try InferenceCodec.decodeResponse(body: bytes, headerLength: headerLength)
        } catch {
            throw EdgeClientError(status: status, "response: \(error)")
        }
        return Exchange(result: result, requestBytes: sent.count, uncompressedBytes: body.bytes.count,
                        featureBytes: body.headerLength.map { body.bytes.count - $0 } ?? body.bytes.count,
                        responseBytes: bytes.count, roundTrip: roundTrip)
    }

    /// The served model's metadata (`GET /v2/models/{name}`).
    public func metadata() async throws -> ModelMetadata {
        let (status, _, bytes) = try await send(path: "/v2/models/\(configuration.modelName)", method: .GET,
                                                headers: [:], body: nil)
        guard status == 200 else { throw Self.failure(status: status, body: bytes) }
        do {
            return try JSONDecoder().decode(ModelMetadata.self, from: Data(bytes))
        } catch {
            throw EdgeClientError(status: status, "model metadata: \(error)")
        }
    }

    /// One request; the status, headers and body of the answer.
    func send(path: String, method: HTTPMethod, headers: HTTPHeaders,
              body: [UInt8]?) async throws -> (Int, HTTPHeaders, [UInt8]) {
        var request = HTTPClientRequest(url: configuration.baseURL + path)
        request.method = method
        request.headers = headers
        if let token = configuration.token {
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
        }
        if let body {
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let nanoseconds = configuration.timeout.components.seconds * 1_000_000_000
            + configuration.timeout.components.attoseconds / 1_000_000_000
        do {
            let response = try await client.execute(request, timeout: .nanoseconds(nanoseconds))
            var buffer = try await response.body.collect(upTo: configuration.maxResponseBytes)
            let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
            return (Int(response.status.code), response.headers, bytes)
        } catch let error as EdgeClientError {
            throw error
        } catch {
            throw EdgeClientError("\(method) \(configuration.baseURL)\(path): \(error)")
        }
    }

    /// Refuses features that the server would refuse: a count that is not the shape's product, non-finite values,
    /// FP16 values beyond its range.
    static func check(_ features: [Float], shape: [Int], encoding: FeatureEncoding) throws {
        guard shape.allSatisfy({ $0 >= 0 }), shape.reduce(1, { $0 &* $1 }) == features.count else {
            throw EdgeClientError("features: \(features.count) values do not fill shape \(shapeText(shape))")
        }
        if let bad = features.firstIndex(where: { !$0.isFinite }) {
            throw EdgeClientError("features: value \(features[bad]) at flat index \(bad) is not finite")
        }
        if encoding == .fp16, let bad = features.firstIndex(where: { abs($0) > Half.greatestFiniteMagnitude }) {
            throw EdgeClientError("features: value \(features[bad]) at flat index \(bad) is beyond FP16's range "
                                  + "(±\(Half.greatestFiniteMagnitude)); send FP32 or INT8")
        }
    }

    /// The error of a non-200 answer: the server's `{"error": …}` message, or the start of the body.
    static func failure(status: Int, body: [UInt8]) -> EdgeClientError {
        if let error = try? JSONDecoder().decode(ErrorBody.self, from: Data(body)) {
            return EdgeClientError(status: status, error.error)
        }
        return EdgeClientError(status: status, String(decoding: body.prefix(200), as: UTF8.self))
    }
}
