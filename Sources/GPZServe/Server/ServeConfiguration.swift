import Foundation
import GPZConfig
import GPZTensor

/// A `gpz serve` setting that cannot work: a bad option value, an unreadable token or certificate file, a port that
/// cannot be bound. The message names the option (`--max-concurrency: expected 1…1024, got 0`); the CLI exits 2.
public struct ServeSetupError: MessageError, UserError {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }
}

/// PEM files of the server's certificate chain and private key.
public struct TLSFiles: Sendable, Equatable {
    public var certificate: String
    public var privateKey: String

    public init(certificate: String, privateKey: String) {
        self.certificate = certificate
        self.privateKey = privateKey
    }
}

/// How `gpz serve` listens and what it accepts. The defaults are the CLI's.
public struct ServeConfiguration: Sendable {
    /// The address to listen on; loopback unless asked otherwise.
    public var host = "127.0.0.1"
    /// The port; 0 takes any free one (`RunningServer.port` says which).
    public var port = 8000
    /// The name clients address the model by: letters, digits, `.`, `_` and `-`.
    public var modelName = "gpz"
    /// The bearer token every route but the health routes requires; nil serves without authentication.
    public var token: BearerToken?
    /// Serve HTTPS with these files; nil serves plain HTTP.
    public var tls: TLSFiles?
    /// The largest request body: a larger `Content-Length` is refused with 413 before any of it is read, and a body
    /// without one is read up to this many bytes only.
    public var maxBodyBytes = 64 << 20
    /// Requests handled at once (reading the body, decoding, inference); model calls themselves run one at a time.
    public var maxConcurrency = 4
    /// Requests waiting for a slot; one more is refused at once with 503 and `Retry-After`.
    public var queueLimit = 64
    /// From arrival to answer: a request still queued, still sending its body or not yet started on the model
    /// by then gets 503 (408 while its body is still arriving). A connection idle for 5 s longer is closed.
    public var timeout: Duration = .seconds(30)
    /// The largest batch N of one request.
    public var maxBatch = 256
    /// The `Retry-After` of a 503.
    public var retryAfterSeconds = 1

    public init() {}

    /// Throws a `ServeSetupError` naming the CLI option of the first setting out of range.
    public func validate() throws {
        func check(_ condition: Bool, _ message: @autoclosure () -> String) throws {
            if !condition { throw ServeSetupError(message()) }
        }
        try check(!host.isEmpty && !host.contains(where: { $0.isWhitespace || $0 == "/" }),
                  "--host: expected an address or host name, got '\(host)'")
        try check((0...65535).contains(port), "--port: expected 0…65535, got \(port)")
        try check(!modelName.isEmpty && modelName.count <= 128
                      && modelName.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic
                          || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0)) },
                  "--model-name: expected 1–128 letters, digits, '.', '_' or '-', got '\(modelName)'")
        try check(maxBodyBytes >= 1 << 20 && maxBodyBytes <= 4 << 30,
                  "--max-body-mib: expected 1…4096 MiB, got \(maxBodyBytes >> 20)")
        try check((1...1024).contains(maxConcurrency), "--max-concurrency: expected 1…1024, got \(maxConcurrency)")
        try check((0...65536).contains(queueLimit), "--queue: expected 0…65536, got \(queueLimit)")
        try check(timeout > .zero && timeout <= .seconds(3600),
                  "--timeout-s: expected more than 0 and at most 3600 seconds, got \(timeout)")
        try check((1...1 << 20).contains(maxBatch), "--max-batch: expected 1…1048576, got \(maxBatch)")
    }

    /// Whether `host` is a loopback address (127.0.0.0/8, ::1 or localhost).
    public var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}

/// Reads an operator's file (token, certificate, key): a regular file (or a link to one) of at most `limit` bytes.
/// Errors name the option and the path.
func readSetupFile(_ path: String, option: String, limit: Int) throws -> [UInt8] {
    let url = URL(fileURLWithPath: path)
    let attributes: [FileAttributeKey: Any]
    do {
        attributes = try FileManager.default.attributesOfItem(atPath: url.resolvingSymlinksInPath().path)
    } catch {
        throw ServeSetupError("\(option) \(path): no such file, or it cannot be read")
    }
    guard attributes[.type] as? FileAttributeType == .typeRegular else {
        throw ServeSetupError("\(option) \(path): not a regular file")
    }
    let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
    guard size <= limit else {
        throw ServeSetupError("\(option) \(path): \(size) bytes, expected at most \(limit)")
    }
    guard let data = FileManager.default.contents(atPath: url.path), data.count <= limit else {
        throw ServeSetupError("\(option) \(path): cannot be read")
    }
    return [UInt8](data)
}
