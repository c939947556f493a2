import ArgumentParser
import Dispatch
import Foundation
import GPZServe
import Logging

/// `gpz serve`: the cloud half of a checkpoint from a named split, over the Open Inference Protocol (KServe v2).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the cloud half of a checkpoint over the Open Inference Protocol (KServe v2, HTTP).",
        discussion: """
        The edge sends the features Z it computed up to --split; the server runs the rest of the model and \
        answers the logits. Any KServe v2 client works, e.g. Python's tritonclient.http, with or without the \
        binary tensor extension.

        Routes ({name} is --model-name; its one version is 1):
          GET  /v2/health/live, /v2/health/ready
          GET  /v2/models/{name}[/versions/1]/ready
                 open to all, for probes
          GET  /v2
                 server metadata
          GET  /v2/models/{name}[/versions/1]
                 model metadata: input z, FP32 [-1, ...split shape]
          POST /v2/models/{name}[/versions/1]/infer
                 input z: FP32, FP16, or INT8 with the parameter
                 gpz_int8_scale (value = int8 x scale); outputs logits
                 (FP32 [N, classes]) and, when asked, class (INT64 arg-max);
                 response parameters gpz_compute_seconds (the cloud half)
                 and gpz_server_seconds (admission to answer)
          GET  /metrics
                 Prometheus text: requests by route and status, latency

        With --token-file, every route but the open ones needs 'Authorization: Bearer <token>' (else 401). A \
        body above --max-body-mib gets 413; a gzip or deflate body (Content-Encoding) is inflated within the same \
        limit (413 beyond it, 400 when it is not valid compressed data). --max-concurrency requests are handled \
        at once (model calls run one at a time), --queue more wait, further ones get 503 with Retry-After; a \
        request not answered within --timeout-s gets 503 (408 while its body is still arriving). A request that \
        does not fit the split (shape, datatype, NaN, lying lengths, malformed HTTP) gets 400 with a message \
        naming the field. Nothing received is ever unpickled or evaluated. SIGINT or SIGTERM stops the server \
        after the requests in progress.
        """
    )

    @Option(help: "Checkpoint directory written by `gpz train` (its best weights are served).")
    var checkpoint: String

    @Option(help: "The split the edge computes up to: a name (e.g. block3) or a 1-based index.")
    var split: String

    static let defaults = ServeConfiguration()

    @Option(help: "Address to listen on; anything but loopback is reachable from other machines.")
    var host = defaults.host

    @Option(help: "Port (0: any free port; the ready line says which).")
    var port = defaults.port

    @Option(help: "The model name clients address, in /v2/models/{name}.")
    var modelName = defaults.modelName

    @Option(help: "File holding the bearer token clients must send (without it, no authentication).")
    var tokenFile: String?

    @Option(help: "PEM certificate chain: serve HTTPS (with --tls-key).")
    var tlsCert: String?

    @Option(help: "PEM private key of --tls-cert.")
    var tlsKey: String?

    @Option(help: "Largest request body, in MiB.")
    var maxBodyMib = defaults.maxBodyBytes >> 20

    @Option(help: "Requests handled at once.")
    var maxConcurrency = defaults.maxConcurrency

    @Option(help: "Requests waiting for a slot; beyond them, 503.")
    var queue = defaults.queueLimit

    @Option(help: "Seconds from a request's arrival to its answer; a connection idle 5 s longer is closed.")
    var timeoutS = 30.0

    @Option(help: "Largest batch N of one request.")
    var maxBatch = defaults.maxBatch

    @OptionGroup var deviceOption: DeviceOption

    func run() async throws {
        try await reportingErrors {
            try deviceOption.apply()
            var logger = Logger(label: "gpz.serve") { StreamLogHandler.standardError(label: $0) }
            logger.logLevel = .notice
            let server = try CloudServer.load(checkpoint: URL(fileURLWithPath: checkpoint), split: split,
                                              configuration: try serveConfiguration(), logger: logger)
            try await runUntilStopped(server)
        }
    }

    /// The configuration the options describe; errors name the option.
    func serveConfiguration() throws -> ServeConfiguration {
        var configuration = ServeConfiguration()
        configuration.host = host
        configuration.port = port
        configuration.modelName = modelName
        if let tokenFile {
            configuration.token = try BearerToken.read(from: tokenFile)
        }
        switch (tlsCert, tlsKey) {
        case (nil, nil): break
        case (let cert?, let key?): configuration.tls = TLSFiles(certificate: cert, privateKey: key)
        default: throw ServeSetupError("--tls-cert and --tls-key: give both or neither")
        }
        guard maxBodyMib >= 1, maxBodyMib <= 4096 else {
            throw ServeSetupError("--max-body-mib: expected 1…4096, got \(maxBodyMib)")
        }
        configuration.maxBodyBytes = maxBodyMib << 20
        configuration.maxConcurrency = maxConcurrency
        configuration.queueLimit = queue
        guard timeoutS.isFinite, timeoutS > 0, timeoutS <= 3600 else {
            throw ServeSetupError("--timeout-s: expected more than 0 and at most 3600 seconds, got \(timeoutS)")
        }
        configuration.timeout = .milliseconds(Int64((timeoutS * 1000).rounded(.up)))
        configuration.maxBatch = maxBatch
        try configuration.validate()
        return configuration
    }

    /// Starts `server`, prints the ready line on stderr, and returns when a signal has stopped it.
    private func runUntilStopped(_ server: CloudServer) async throws {
        let running = try await server.start(handlingSignals: true)
        let configuration = server.configuration
        if !configuration.isLoopback && (configuration.token == nil || configuration.tls == nil) {
            note("warning: listening on \(configuration.host) without "
                 + [configuration.token == nil ? "a token" : nil, configuration.tls == nil ? "TLS" : nil]
                    .compactMap { $0 }.joined(separator: " or ") + ": anyone who reaches it can use it")
        }
        let shape = server.split.shape.map(String.init).joined(separator: ", ")
        note("gpz serve: ready at \(running.url)/v2/models/\(configuration.modelName) — "
             + "\(server.architecture) from split \(server.split.name) (index \(server.split.index), input z "
             + "[N, \(shape)]), token \(configuration.token == nil ? "off" : "on"), "
             + "TLS \(configuration.tls == nil ? "off" : "on")")
        try await running.wait()
        note("gpz serve: stopped")
    }
}
