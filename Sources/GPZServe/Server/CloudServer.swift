import Foundation
import GPZModels
import GPZTensor
import GPZTraining
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle

/// The cloud half of a split model, served over HTTP with the Open Inference Protocol (KServe v2) and its binary
/// tensor extension, so that a standard client (Python's `tritonclient.http`, `EdgeClient`) can send the features Z
/// the edge computed and get the logits back.
///
/// Routes (`{name}` is `ServeConfiguration.modelName`, `{v}` the one version, "1"):
/// - `GET /v2/health/live`, `GET /v2/health/ready`, `GET /v2/models/{name}[/versions/{v}]/ready`: 200, open to all
///   (health probes carry no token);
/// - `GET /v2` (server metadata), `GET /v2/models/{name}[/versions/{v}]` (model metadata): JSON;
/// - `POST /v2/models/{name}[/versions/{v}]/infer`: the inference (`InferenceRoute`);
/// - `GET /metrics`: Prometheus text (`ServeMetrics`).
/// With a token, every route but the health ones needs `Authorization: Bearer <token>` (else 401 with
/// `WWW-Authenticate`). Every error is answered `{"error": "…"}` (`ErrorMiddleware`).
public final class CloudServer: Sendable {
    /// The version `GET /v2` reports.
    public static let serverVersion = "0.1.0"

    public let signature: ServedSignature
    public let configuration: ServeConfiguration
    /// The architecture and split served, for metadata and the ready line.
    public let architecture: String
    public let split: SplitPoint
    let runner: ModelRunner
    let gate: AdmissionGate
    /// The TLS settings made from `configuration.tls`, checked when the server is made.
    let tlsSettings: TLSConfiguration?
    let metrics = ServeMetrics()
    let logger: Logger

    /// Serves `model`'s cloud half from `split`; the model must not be used elsewhere from now on. Bad settings and
    /// unusable TLS files are `ServeSetupError`s.
    public init(model: StagedModel, split: SplitPoint, configuration: ServeConfiguration, logger: Logger) throws {
        try configuration.validate()
        self.tlsSettings = try configuration.tls.map(Self.tlsSettings)
        self.configuration = configuration
        self.architecture = model.config.architecture.description
        self.split = split
        self.signature = ServedSignature(modelName: configuration.modelName, featureShape: split.shape,
                                         classes: model.config.classes, maxBatch: configuration.maxBatch)
        self.runner = ModelRunner(model: model, split: split)
        self.gate = AdmissionGate(capacity: configuration.maxConcurrency, queueLimit: configuration.queueLimit)
        self.logger = logger
    }

    /// Loads the checkpoint `gpz train` wrote in `checkpoint` (its best weights) and serves its cloud half from the
    /// split `split` (a name or a 1-based index). Errors name the checkpoint's path or `--split`.
    public static func load(checkpoint: URL, split: String, configuration: ServeConfiguration,
                            logger: Logger) throws -> CloudServer {
        try configuration.validate()
        let model = try CheckpointStore.loadModel(checkpoint).model
        let point: SplitPoint
        do {
            point = try model.split(named: split)
        } catch let error as ModelError {
            throw ServeSetupError("--split: \(error.message)")
        }
        return try CloudServer(model: model, split: point, configuration: configuration, logger: logger)
    }

    /// Binds and starts serving; returns once the server listens. With `handlingSignals`, SIGTERM and SIGINT stop it
    /// gracefully (for the CLI; tests call `RunningServer.stop()`). A bind failure is a `ServeSetupError`.
    public func start(handlingSignals: Bool = false) async throws -> RunningServer {
        let (ports, portsContinuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router(),
            server: try serverBuilder(),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "gpz"),
            onServerRunning: { channel in
                portsContinuation.yield(channel.localAddress?.port ?? 0)
                portsContinuation.finish()
            },
            logger: logger
        )
        let group = ServiceGroup(configuration: .init(
            services: [app], gracefulShutdownSignals: handlingSignals ? [.sigterm, .sigint] : [], logger: logger))
        let task = Task {
            defer { portsContinuation.finish() }
            try await group.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            let address = "\(configuration.host):\(configuration.port)"
            do {
                try await task.value
                throw ServeSetupError("--host/--port: the server stopped before listening on \(address)")
            } catch let error as ServeSetupError {
                throw error
            } catch {
                throw ServeSetupError("--host/--port: cannot listen on \(address): \(error)")
            }
        }
        let scheme = configuration.tls == nil ? "http" : "https"
        let host = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
        return RunningServer(port: port, url: "\(scheme)://\(host):\(port)", group: group, task: task)
    }

    /// HTTP/1.1, with TLS when configured. A connection that sends nothing for the request timeout plus 5 s is
    /// closed (later than the timeout, so that a request whose body stalls still gets its 408).
    func serverBuilder() throws -> HTTPServerBuilder {
        let seconds = Int64(configuration.timeout.components.seconds) + 5
        let http1 = HTTPServerBuilder.http1(configuration: .init(idleTimeout: .seconds(seconds)))
        guard let tlsSettings else { return http1 }
        return try HTTPServerBuilder.tls(http1, tlsConfiguration: tlsSettings)
    }

    /// TLS 1.2 or later with the certificate chain and key of `tls`, checked by making a TLS context from them.
    static func tlsSettings(_ tls: TLSFiles) throws -> TLSConfiguration {
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMBytes(
                try readSetupFile(tls.certificate, option: "--tls-cert", limit: 1 << 20))
        } catch let error as ServeSetupError {
            throw error
        } catch {
            throw ServeSetupError("--tls-cert \(tls.certificate): no PEM certificate chain in the file (\(error))")
        }
        guard !certificates.isEmpty else {
            throw ServeSetupError("--tls-cert \(tls.certificate): no PEM certificate chain in the file")
        }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(bytes: try readSetupFile(tls.privateKey, option: "--tls-key", limit: 1 << 20),
                                       format: .pem)
        } catch let error as ServeSetupError {
            throw error
        } catch {
            throw ServeSetupError("--tls-key \(tls.privateKey): not a PEM private key (\(error))")
        }
        var settings = TLSConfiguration.makeServerConfiguration(certificateChain: certificates.map { .certificate($0) },
                                                                privateKey: .privateKey(key))
        settings.minimumTLSVersion = .tlsv12
        do {
            _ = try NIOSSLContext(configuration: settings)
        } catch {
            throw ServeSetupError("--tls-cert/--tls-key: the certificate and key do not make a TLS context (\(error))")
        }
        return settings
    }

    /// The routes, behind the metrics and error middlewares.
    func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: MetricsMiddleware(metrics: metrics))
        router.add(middleware: ErrorMiddleware())
        let ok: @Sendable (Request, BasicRequestContext) async throws -> Response = { _, _ in Response(status: .ok) }
        router.get("/v2/health/live", use: ok)
        router.get("/v2/health/ready", use: ok)
        let modelReady: @Sendable (Request, BasicRequestContext) async throws -> Response = { [self] _, context in
            try checkModel(context)
            return Response(status: .ok)
        }
        router.get("/v2/models/{name}/ready", use: modelReady)
        router.get("/v2/models/{name}/versions/{version}/ready", use: modelReady)
        router.get("/v2") { [self] request, _ -> Response in
            try authorize(request)
            return jsonResponse(ServerMetadata(name: "gpz", version: Self.serverVersion,
                                               extensions: ["binary_tensor_data"]))
        }
        let metadata: @Sendable (Request, BasicRequestContext) async throws -> Response = { [self] request, context in
            try authorize(request)
            try checkModel(context)
            return jsonResponse(modelMetadata)
        }
        router.get("/v2/models/{name}", use: metadata)
        router.get("/v2/models/{name}/versions/{version}", use: metadata)
        let infer: @Sendable (Request, BasicRequestContext) async throws -> Response = { [self] request, context in
            try authorize(request)
            try checkModel(context)
            return try await InferenceRoute(server: self).respond(to: request)
        }
        router.post("/v2/models/{name}/infer", use: infer)
        router.post("/v2/models/{name}/versions/{version}/infer", use: infer)
        router.get("/metrics") { [self] request, _ -> Response in
            try authorize(request)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                            body: .init(byteBuffer: ByteBuffer(string: metrics.exposition())))
        }
        return router
    }

    /// Throws 401 unless the request presents the token (or none is configured).
    func authorize(_ request: Request) throws {
        guard let token = configuration.token else { return }
        let header = request.headers[.authorization]
        guard token.accepts(authorization: header) else {
            let challenge = header == nil ? "Bearer realm=\"gpz\"" : "Bearer realm=\"gpz\", error=\"invalid_token\""
            throw HTTPFailure(status: .unauthorized,
                              message: header == nil ? "Authorization: missing; expected 'Bearer <token>'"
                                                     : "Authorization: the bearer token is not accepted",
                              headers: [.wwwAuthenticate: challenge])
        }
    }

    /// Throws 404 unless the path names the served model (and, when it has one, its version).
    func checkModel(_ context: BasicRequestContext) throws {
        let name = context.parameters.get("name") ?? ""
        guard name == signature.modelName else {
            throw HTTPFailure(status: .notFound,
                              message: "model \(quoted(name)) is not served; this server serves "
                                       + "'\(signature.modelName)'")
        }
        if let version = context.parameters.get("version"), version != signature.modelVersion {
            throw HTTPFailure(status: .notFound,
                              message: "version \(quoted(version)) of '\(signature.modelName)' is not served; "
                                       + "the version is '\(signature.modelVersion)'")
        }
    }

    /// The model's metadata: the input `z` with the split's shape and the datatypes taken, the outputs.
    var modelMetadata: ModelMetadata {
        ModelMetadata(
            name: signature.modelName, versions: [signature.modelVersion], platform: "gpz",
            inputs: [TensorMetadata(
                name: signature.inputName, datatype: "FP32", shape: [-1] + signature.featureShape,
                parameters: ["accepted_datatypes": .string(FeatureEncoding.acceptedDatatypes.joined(separator: ",")),
                             "int8_scale_parameter": .string(FeatureEncoding.int8ScaleParameter)])],
            outputs: [TensorMetadata(name: ServedSignature.logitsOutput, datatype: "FP32",
                                     shape: [-1, signature.classes], parameters: nil),
                      TensorMetadata(name: ServedSignature.classOutput, datatype: "INT64", shape: [-1],
                                     parameters: nil)],
            parameters: ["architecture": .string(architecture), "split": .string(split.name),
                         "split_index": .int(Int64(split.index)), "max_batch": .int(Int64(signature.maxBatch))])
    }

    func jsonResponse<T: Encodable>(_ value: T) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"],
                 body: .init(byteBuffer: ByteBuffer(bytes: InferenceCodec.json(value))))
    }
}

/// A server that listens: its port and base URL, and the way to stop it.
public final class RunningServer: Sendable {
    /// The port bound (the one asked for, or the one the system chose for port 0).
    public let port: Int
    /// `http://host:port` or `https://host:port`.
    public let url: String
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    init(port: Int, url: String, group: ServiceGroup, task: Task<Void, any Error>) {
        self.port = port
        self.url = url
        self.group = group
        self.task = task
    }

    /// Stops accepting connections, lets requests in progress finish, and returns when the server has stopped.
    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }

    /// Returns when the server stops (a signal, when it handles them, or `stop()`); rethrows a failure.
    public func wait() async throws {
        try await task.value
    }
}
