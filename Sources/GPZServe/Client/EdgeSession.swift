import Foundation
import GPZConfig
import GPZData
import GPZModels
import GPZTensor
import GPZTraining

/// A bad `gpz edge` option or file: one line naming it (`--batch: expected 1…4096, got 0`); the CLI exits 2.
public struct EdgeOptionError: MessageError, UserError, Sendable {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }
}

/// What the server answered or failed to answer (another split, a refused token, no answer) is the user's to fix
/// too: the CLI prints it on one line and exits 2.
extension EdgeClientError: UserError {}

/// What `gpz edge` is asked to do, as its options give it (nothing checked yet: `EdgeSession.run` checks it). The
/// defaults are the CLI's.
public struct EdgeConfiguration: Sendable {
    /// The server's base URL: `http://HOST:PORT` or `https://HOST:PORT`.
    public var server: String
    /// The checkpoint directory (the server must serve the same one).
    public var checkpoint: String
    /// The split the edge computes up to: a name or a 1-based index.
    public var split: String
    public var modelName = ServeConfiguration().modelName
    /// A file holding the bearer token to send.
    public var tokenFile: String?
    /// PEM certificates to trust for an https:// server.
    public var cacert: String?
    /// Seconds one request may take.
    public var timeoutSeconds = 30.0
    /// The data set of the private images (nil: the checkpoint's own).
    public var data: String?
    /// Send the first `limit` class-interleaved private images (nil: all).
    public var limit: Int?
    /// The encoding, batch, concurrency and compression of the requests.
    public var requests = EdgeRunOptions()
    /// The defender's Gaussian noise on Z (σ relative to each feature's spread on the target's training images,
    /// as a scan's `attack.noise`), and the seed of its per-image draws (a scan's `attack.seed`): with the same σ,
    /// seed and images the edge sends exactly the noisy Z whose accuracy the scan reports as `accuracy_as_sent`.
    public var noise = NoiseLevel.settingDefault
    public var noiseSeed: UInt64 = 0
    /// The device the edge's model runs on (nil: the CPU).
    public var device: Device?
    /// Record the run as a row of the deployment sweep in this file (`DeploySweep`), creating it or merging into it.
    public var deployRow: String?
    /// With `deployRow`: the link the run was measured on, `RATE:DELAY` (e.g. `10mbit:40ms`).
    public var link: String?
    /// With `deployRow`: how the link was emulated (`netem`, `tbf+relay`); default `none`.
    public var emulation: String?

    public init(server: String, checkpoint: String, split: String) {
        self.server = server
        self.checkpoint = checkpoint
        self.split = split
    }

    /// The sweep's `emulation` when `--emulation` is not given.
    public static let noEmulation = "none"

    /// Checks the options that need no files, naming the first bad one.
    public func check() throws {
        guard server.hasPrefix("http://") || server.hasPrefix("https://"),
              let url = URL(string: server), url.host != nil, url.path.isEmpty || url.path == "/" else {
            throw EdgeOptionError("--server: expected http://HOST:PORT or https://HOST:PORT, got '\(server)'")
        }
        let batch = requests.batch, concurrency = requests.concurrency
        guard (1...4096).contains(batch) else { throw EdgeOptionError("--batch: expected 1…4096, got \(batch)") }
        guard (1...256).contains(concurrency) else {
            throw EdgeOptionError("--concurrency: expected 1…256, got \(concurrency)")
        }
        if let limit, limit < 1 { throw EdgeOptionError("--limit: expected at least 1, got \(limit)") }
        do { try noise.validate("--noise") } catch let error as ConfigError { throw EdgeOptionError("\(error)") }
        guard timeoutSeconds.isFinite, timeoutSeconds > 0, timeoutSeconds <= 3600 else {
            throw EdgeOptionError("--timeout-s: expected more than 0 and at most 3600 seconds, got \(timeoutSeconds)")
        }
        if cacert != nil, !server.hasPrefix("https://") {
            throw EdgeOptionError("--cacert: only for an https:// --server")
        }
        guard let deployRow else {
            if link != nil { throw EdgeOptionError("--link: only with --deploy-row") }
            if emulation != nil { throw EdgeOptionError("--emulation: only with --deploy-row") }
            return
        }
        guard !deployRow.isEmpty else { throw EdgeOptionError("--deploy-row: expected a file name, got ''") }
        guard let link else {
            throw EdgeOptionError("--deploy-row: needs --link RATE:DELAY, the link the run is measured on")
        }
        _ = try Self.link(link)
        if let emulation {
            guard (1...64).contains(emulation.count), emulation.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
                throw EdgeOptionError("--emulation: expected 1–64 visible ASCII characters (netem, tbf+relay), "
                                      + "got '\(emulation)'")
            }
        }
    }

    /// The link `RATE:DELAY` (as `scripts/netem-sweep.sh --links` takes it: RATE a tc rate in bit, kbit, mbit or
    /// gbit, DELAY one way in ms), named `RATE/DELAY`.
    public static func link(_ text: String) throws -> DeploySweep.Link {
        let bad = EdgeOptionError("--link: expected RATE:DELAY such as 10mbit:40ms (a rate in bit, kbit, mbit or "
                                  + "gbit, a delay in ms), got '\(text)'")
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw bad }
        let rate = String(parts[0]), delay = String(parts[1])
        func number(_ text: Substring) -> Double? {
            guard !text.isEmpty, text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
                  let value = Double(text), value.isFinite else { return nil }
            return value
        }
        let lower = rate.lowercased()
        guard let unit = ["gbit", "mbit", "kbit", "bit"].first(where: { lower.hasSuffix($0) }),
              number(lower.dropLast(unit.count)) != nil,
              delay.hasSuffix("ms"), let delayMs = number(delay.dropLast(2)) else { throw bad }
        return DeploySweep.Link(name: "\(rate)/\(delay)", rate: rate, delayMs: delayMs)
    }

    /// The client's settings: the token and certificates read and checked.
    func clientConfiguration() throws -> EdgeClient.Configuration {
        var token: String?
        if let tokenFile {
            _ = try BearerToken.read(from: tokenFile)  // the same checks as the server's
            token = try String(contentsOfFile: tokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        var pem: [UInt8]?
        if let cacert {
            guard let data = FileManager.default.contents(atPath: cacert), !data.isEmpty, data.count <= 1 << 20 else {
                throw EdgeOptionError("--cacert \(cacert): no such file, empty, or over 1 MiB")
            }
            pem = [UInt8](data)
        }
        let base = server.hasSuffix("/") ? String(server.dropLast()) : server
        return EdgeClient.Configuration(baseURL: base, modelName: modelName, token: token, trustedCertificatesPEM: pem,
                                        timeout: .milliseconds(Int64((timeoutSeconds * 1000).rounded(.up))),
                                        maxConnections: requests.concurrency)
    }

    /// The first `limit` class-interleaved private images of the checkpoint's data plan, re-derived and checked
    /// against its membership hash as `gpz attack` evaluates them (or of `data`'s test split, converted to the
    /// model's input).
    func privateImages(_ info: CheckpointInfo) throws -> ImageSet {
        var images: ImageSet
        if let data, data != info.config.dataset {
            let roles: Roles
            do {
                roles = try Roles.make(try Catalog.load(data), plan: info.inputPlan)
            } catch let error as DataError {
                throw EdgeOptionError("--data: \(error)")
            }
            guard roles.classNames.count <= info.model.classes else {
                throw EdgeOptionError("--data: \(data) has \(roles.classNames.count) classes, the model "
                                      + "\(info.model.classes)")
            }
            images = roles.privateSet.images.classInterleaved()
        } else {
            images = try info.trainedRoles().roles.privateSet.images.classInterleaved()
        }
        if let limit, limit < images.count { images = images.subset(Array(0..<limit)) }
        return images
    }
}

/// `gpz edge`: checks the options, loads the checkpoint and its private images, asks the server whether it serves
/// the same split, runs the edge half (`EdgeRunner`) and, with `deployRow`, records the run in the sweep file.
public enum EdgeSession {
    /// What a session measured.
    public struct Outcome: Sendable {
        public var report: EdgeRunReport
        /// With `deployRow`: the sweep as written, this run's row included.
        public var sweep: DeploySweep?
    }

    /// Runs `configuration`. Every error that is the user's to fix (an option, a file, the server's answer) is a
    /// `UserError` naming the option; `note` gets the one-line summary before the run, `progress` the requests.
    public static func run(_ configuration: EdgeConfiguration, note: @Sendable (String) -> Void = { _ in },
                           progress: EdgeRunner.Progress? = nil) async throws -> Outcome {
        try configuration.check()
        try Device.useConfigured(configuration.device ?? .cpu)
        let clientConfiguration = try configuration.clientConfiguration()
        let (model, info) = try CheckpointStore.loadModel(URL(fileURLWithPath: configuration.checkpoint))
        let point: SplitPoint
        do {
            point = try model.split(named: configuration.split)
        } catch let error as ModelError {
            throw EdgeOptionError("--split: \(error.message)")
        }
        let images = try configuration.privateImages(info)
        let row = try configuration.deployRow.map { _ in try DeployRow(configuration, images: images.count) }
        _ = try row?.sweep()  // a file that cannot take the row is an error before anything is measured
        try await checkServer(clientConfiguration, split: point, server: configuration.server)
        let requests = configuration.requests
        note("gpz edge: \(images.count) private images, \(info.model.architecture) split \(point.name) "
             + "(Z [\(point.shape.map(String.init).joined(separator: ", "))]), \(requests.encoding.rawValue)"
             + (requests.compression.map { " + \($0.rawValue)" } ?? "") + ", batch \(requests.batch), "
             + "concurrency \(requests.concurrency) → " + configuration.server)
        // Only with noise: re-deriving the training images loads the whole data set.
        let sigma = configuration.noise.sigma
        let noise = sigma > 0
            ? try FeatureNoise.calibrated(sigma: sigma, model: model, splits: [point.index],
                                          images: try info.trainedRoles().roles.train.images,
                                          normalization: info.normalization)[point.index]
            : nil
        if noise != nil { note("gpz edge: Gaussian noise σ \(sigma) × each feature's spread, seed \(configuration.noiseSeed)") }
        let runner = EdgeRunner(model: model, split: point, normalization: info.normalization, noise: noise,
                                noiseSeed: configuration.noiseSeed)
        let report = try await EdgeClient.with(clientConfiguration) { client in
            try await runner.run(images: images, client: client, options: requests,
                                 checkpoint: configuration.checkpoint, progress: progress)
        }
        return Outcome(report: report, sweep: try row?.record(report))
    }

    /// Asks the server for its model's metadata before anything else: an unreachable server, a wrong token or
    /// model name, or another split than the edge's is an error naming the option.
    static func checkServer(_ configuration: EdgeClient.Configuration, split point: SplitPoint,
                            server: String) async throws {
        let metadata: ModelMetadata
        do {
            metadata = try await EdgeClient.with(configuration) { try await $0.metadata() }
        } catch let error as EdgeClientError {
            switch error.status {
            case nil: throw EdgeOptionError("--server \(server): no answer from the server (\(error.message))")
            case 401: throw EdgeOptionError("--token-file: the server refused the token (\(error.message))")
            case 404: throw EdgeOptionError("--model-name: \(error.message)")
            default: throw error
            }
        }
        if case .string(let served)? = metadata.parameters?["split"], served != point.name {
            throw EdgeOptionError("--split: the server at \(server) serves split '\(served)', the edge computes up "
                                  + "to '\(point.name)'")
        }
    }
}
