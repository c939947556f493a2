import GPZScan
import Foundation
import GPZConfig
import GPZData
import GPZTensor

/// `deploy.json`: a checkpoint's splits served for real and measured over emulated edge links, as
/// `scripts/netem-sweep.sh` writes it (schema `gpz-deploy-sweep-v1`, docs/deploy.md). Placed in a scan's run
/// directory, it puts each split's measured bytes and latency next to its leakage in the report.
public struct DeploySweep: Codable, Equatable, Sendable {
    public static let schemaName = "gpz-deploy-sweep-v1"
    public static let fileName = "deploy.json"
    /// A sweep of every split × link × encoding of a deep network stays far below this.
    static let maxBytes = 64 << 20

    /// One emulated link: `RATE` each way and `delay_ms` one way in each direction.
    public struct Link: Codable, Equatable, Sendable {
        public var name: String
        public var rate: String
        public var delayMs: Double

        enum CodingKeys: String, CodingKey {
            case name, rate
            case delayMs = "delay_ms"
        }
    }

    /// One `gpz edge` run: a split, a link and an encoding; latencies are means per request in milliseconds.
    public struct Run: Codable, Equatable, Sendable {
        public var split: String
        public var splitIndex: Int
        public var link: String
        public var encoding: WireEncoding
        public var compression: String?
        public var requestBytesPerSample: Double
        public var zBytesPerSample: Double
        public var edgeMs: Double
        public var transferMs: Double
        public var cloudMs: Double
        public var endToEndMs: Double
        public var endToEndP99Ms: Double
        public var accuracy: Double
        public var inProcessAccuracy: Double
        public var inProcessAccuracyAsSent: Double
        public var samples: Int

        enum CodingKeys: String, CodingKey {
            case split, link, encoding, compression, accuracy, samples
            case splitIndex = "split_index"
            case requestBytesPerSample = "request_bytes_per_sample"
            case zBytesPerSample = "z_bytes_per_sample"
            case edgeMs = "edge_ms"
            case transferMs = "transfer_ms"
            case cloudMs = "cloud_ms"
            case endToEndMs = "end_to_end_ms"
            case endToEndP99Ms = "end_to_end_p99_ms"
            case inProcessAccuracy = "in_process_accuracy"
            case inProcessAccuracyAsSent = "in_process_accuracy_as_sent"
        }

        /// "int8" or "int8 + gzip".
        public var encodingLabel: String { encoding.rawValue + (compression.map { " + \($0)" } ?? "") }
    }

    public var schema: String
    public var date: String
    public var checkpoint: String
    /// `netem`, or `tbf+relay` where the kernel has no netem.
    public var emulation: String
    public var limit: Int
    public var links: [Link]
    public var runs: [Run]

    /// The sweep in `directory`, or nil when there is none. A file that is not a sweep (wrong schema, a missing
    /// or mistyped field, a run on an undeclared link, a negative or non-finite measurement) is a `ConfigError`
    /// naming the file and the field.
    public static func load(from directory: URL) throws -> DeploySweep? {
        let url = directory.appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? nil
        guard let size, size <= maxBytes, let data = try? Data(contentsOf: url) else {
            throw ConfigError(field: url.path, "not a readable file of at most \(maxBytes) bytes")
        }
        let sweep: DeploySweep
        do {
            sweep = try JSONDecoder().decode(DeploySweep.self, from: data)
        } catch let error as DecodingError {
            throw ConfigError(field: url.path, "not a deployment sweep (\(error.fieldMessage))")
        } catch {
            throw ConfigError(field: url.path, "not a deployment sweep (\(error))")
        }
        try ConfigError.within(url.path) { try sweep.validate() }
        return sweep
    }

    /// Checks what the report relies on, naming the first bad field.
    func validate() throws {
        guard schema == Self.schemaName else {
            throw ConfigError(field: "schema", "expected '\(Self.schemaName)', got '\(schema)'")
        }
        let names = Set(links.map(\.name))
        for (n, link) in links.enumerated() where !(link.delayMs.isFinite && link.delayMs >= 0) {
            throw ConfigError(field: "links[\(n)].delay_ms", "expected a finite value ≥ 0, got \(link.delayMs)")
        }
        for (n, run) in runs.enumerated() {
            let field = "runs[\(n)]"
            guard names.contains(run.link) else {
                throw ConfigError(field: "\(field).link", "'\(run.link)' is not one of the links \(links.map(\.name))")
            }
            guard run.splitIndex >= 1 else {
                throw ConfigError(field: "\(field).split_index", "expected at least 1, got \(run.splitIndex)")
            }
            let measured: [(String, Double)] = [
                ("request_bytes_per_sample", run.requestBytesPerSample), ("z_bytes_per_sample", run.zBytesPerSample),
                ("edge_ms", run.edgeMs), ("transfer_ms", run.transferMs), ("cloud_ms", run.cloudMs),
                ("end_to_end_ms", run.endToEndMs), ("end_to_end_p99_ms", run.endToEndP99Ms),
            ]
            for (key, value) in measured where !(value.isFinite && value >= 0) {
                throw ConfigError(field: "\(field).\(key)", "expected a finite value ≥ 0, got \(value)")
            }
            let accuracies = [("accuracy", run.accuracy), ("in_process_accuracy", run.inProcessAccuracy),
                              ("in_process_accuracy_as_sent", run.inProcessAccuracyAsSent)]
            for (key, value) in accuracies where !(0...1).contains(value) {
                throw ConfigError(field: "\(field).\(key)", "expected a fraction in [0, 1], got \(value)")
            }
        }
    }

    /// Whether the sweep measured the checkpoint a scan's results attacked. Checkpoint folders are compared by
    /// name (a scan's targets are named by their training hash), since the sweep records an absolute path and
    /// the results one relative to the study.
    public func measured(_ results: ScanResults) -> Bool {
        URL(fileURLWithPath: checkpoint).standardizedFileURL.lastPathComponent
            == URL(fileURLWithPath: results.target.checkpoint).standardizedFileURL.lastPathComponent
    }
}
