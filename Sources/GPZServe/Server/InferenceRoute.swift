import HTTPTypes
import Hummingbird
import NIOCore

/// `POST /v2/models/{name}[/versions/{v}]/infer`, after authentication, in this order:
/// 1. `Content-Encoding` other than identity, gzip or deflate → 415; a `Content-Length` above the limit → 413
///    before reading any of the body (413 and 408 say `Connection: close`, so that the client stops sending; what
///    it still sends is read and dropped);
/// 2. a slot (`AdmissionGate`): the queue is full → 503 at once; still queued at the deadline → 503 (both with
///    `Retry-After`);
/// 3. the body, read up to the limit → 413 beyond it, 408 when it has not all arrived by the deadline; a gzip or
///    deflate body is inflated into at most the limit's bytes → 413 beyond it (a small "zip bomb" never takes
///    more memory than an uncompressed body could), 400 when it is not valid compressed data;
/// 4. decoding and checking against the split (`InferenceCodec`) → 400 naming the field;
/// 5. the model (one call at a time) → 503 when the job reaches it after the deadline;
/// 6. the response, JSON or binary as asked, with the parameters `gpz_compute_seconds` (the model's time) and
///    `gpz_server_seconds` (admission to answer), so that a client can tell the transfer from the cloud's work.
struct InferenceRoute {
    let server: CloudServer

    /// The deadline passed while the body was arriving.
    struct BodyTimedOut: Error {}

    func respond(to request: Request) async throws -> Response {
        let configuration = server.configuration
        let compression: BodyCompression?
        do {
            compression = try BodyCompression(contentEncoding: request.headers[.contentEncoding])
        } catch {
            throw HTTPFailure(status: .unsupportedMediaType,
                              message: "\(error); send the body uncompressed, gzip or deflate")
        }
        if let text = request.headers[.contentLength], let length = Int(text), length > configuration.maxBodyBytes {
            throw tooLarge("\(length) bytes")
        }
        let deadline = ContinuousClock.now + configuration.timeout
        do {
            try await server.gate.acquire(deadline: deadline)
        } catch let refusal as AdmissionGate.Refusal {
            let message = refusal == .queueFull
                ? "server busy: \(configuration.maxConcurrency) requests in progress and \(configuration.queueLimit) "
                  + "queued; retry later"
                : "server busy: no free slot within \(configuration.timeout); retry later"
            throw busy(message)
        }
        await reportLoad()
        do {
            let response = try await admitted(request, compression: compression, deadline: deadline)
            await server.gate.release()
            await reportLoad()
            return response
        } catch {
            await server.gate.release()
            await reportLoad()
            throw error
        }
    }

    /// Steps 3–6, holding a slot.
    private func admitted(_ request: Request, compression: BodyCompression?,
                          deadline: ContinuousClock.Instant) async throws -> Response {
        let admittedAt = ContinuousClock.now
        let limit = server.configuration.maxBodyBytes
        let body: ByteBuffer
        do {
            body = try await withDeadline(deadline) { try await request.body.collect(upTo: limit) }
        } catch is NIOTooManyBytesError {
            throw tooLarge("more than \(limit) bytes")
        } catch is BodyTimedOut {
            throw HTTPFailure(status: .requestTimeout,
                              message: "body: not received within \(server.configuration.timeout)",
                              headers: [.connection: "close"])
        }
        var bytes = body.getBytes(at: body.readerIndex, length: body.readableBytes) ?? []
        if let compression {
            bytes = try Self.inflate(bytes, compression, limit: limit)
        }
        let headerLength = request.headers[headerLengthName]
        let decoded = try InferenceCodec.decodeRequest(body: bytes, headerLength: headerLength, for: server.signature)
        let logits: [Float], compute: Duration
        do {
            (logits, compute) = try await server.runner.logits(decoded.features, batch: decoded.batch,
                                                               deadline: deadline)
        } catch is ModelRunner.Expired {
            throw busy("server busy: the model did not get to the request within \(server.configuration.timeout); "
                       + "retry later")
        }
        server.metrics.inference(batch: decoded.batch, duration: compute)
        let parameters: [String: ParameterValue] = [
            InferenceResponse.computeSecondsParameter: .double(compute.secondsValue),
            InferenceResponse.serverSecondsParameter: .double((ContinuousClock.now - admittedAt).secondsValue),
        ]
        let encoded = try InferenceCodec.encodeResponse(logits: logits, for: decoded, signature: server.signature,
                                                        parameters: parameters)
        var headers: HTTPFields = [.contentType: encoded.contentType]
        if let length = encoded.headerLength {
            headers[headerLengthName] = String(length)
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: encoded.bytes)))
    }

    /// `body` inflated with `compression` into at most `limit` bytes: 413 beyond (inflation stops there), 400 when
    /// the body is not one complete, valid stream of the format.
    static func inflate(_ body: [UInt8], _ compression: BodyCompression, limit: Int) throws -> [UInt8] {
        do {
            return try compression.inflate(body, limit: limit)
        } catch let error where error.kind == .tooLarge {
            throw tooLarge(limit: limit, "more than \(limit) bytes once inflated (\(compression.rawValue))")
        } catch {
            throw HTTPFailure(status: .badRequest,
                              message: "body: not valid \(compression.rawValue) data (Content-Encoding: "
                                       + "\(compression.rawValue)): \(error)")
        }
    }

    private var headerLengthName: HTTPField.Name { HTTPField.Name(InferenceCodec.headerLengthField)! }

    private func tooLarge(_ size: String) -> HTTPFailure {
        Self.tooLarge(limit: server.configuration.maxBodyBytes, size)
    }

    private static func tooLarge(limit: Int, _ size: String) -> HTTPFailure {
        HTTPFailure(status: .contentTooLarge,
                    message: "body: \(size), the limit is \(limit) bytes (\(limit >> 20) MiB, --max-body-mib)",
                    headers: [.connection: "close"])
    }

    private func busy(_ message: String) -> HTTPFailure {
        HTTPFailure(status: .serviceUnavailable, message: message,
                    headers: [.retryAfter: String(server.configuration.retryAfterSeconds)])
    }

    private func reportLoad() async {
        let (active, queued) = await (server.gate.active, server.gate.queued)
        server.metrics.load(inFlight: active, queued: queued)
    }

    /// `operation`'s result, or `BodyTimedOut` once `deadline` passes (the operation is cancelled). The timer sleeps
    /// in slices (`sleepInSlices`), so that it holds nothing for long once the body has arrived.
    private func withDeadline<T: Sendable>(_ deadline: ContinuousClock.Instant,
                                           _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                try await sleepInSlices(until: deadline)
                throw BodyTimedOut()
            }
            defer { group.cancelAll() }
            guard let result = try await group.next() else { throw BodyTimedOut() }
            return result
        }
    }
}
