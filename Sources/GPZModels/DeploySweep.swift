import Foundation
import GPZConfig
import GPZTensor

/// `deploy.json`: a checkpoint's splits served for real and measured over emulated edge links (schema
/// `gpz-deploy-sweep-v1`, docs/deploy.md). `gpz edge --deploy-row` writes its rows, one per `gpz edge` run, and
/// `scripts/netem-sweep.sh` runs it for every split × link × encoding. Placed in a scan's run directory, it puts each
/// split's measured bytes and latency next to its leakage in the report. It lives here, below both the edge
/// (GPZServe, which writes it) and the report (GPZReport, which reads it).
public struct DeploySweep: Codable, Equatable, Sendable {
    public static let schemaName = "gpz-deploy-sweep-v1"
    public static let fileName = "deploy.json"
    /// A sweep of every split × link × encoding of a deep network stays far below this.
    static let maxBytes = 64 << 20

    /// One emulated link: `RATE` each way and `delay_ms` one way in each direction.
    public struct Link: Codable, Equatable, Sendable {
        /// `RATE/DELAY`, e.g. `10mbit/40ms`.
        public var name: String
        /// A tc rate, e.g. `10mbit`.
        public var rate: String
        public var delayMs: Double

        enum CodingKeys: String, CodingKey {
            case name, rate
            case delayMs = "delay_ms"
        }

        public init(name: String, rate: String, delayMs: Double) {
            self.name = name
            self.rate = rate
            self.delayMs = delayMs
        }
    }

    /// One `gpz edge` run: a split, a link and an encoding; latencies are means per request in milliseconds
    /// (`end_to_end_p50_ms` and `end_to_end_p99_ms` percentiles per request), bytes are per sample.
    public struct Run: Codable, Equatable, Sendable {
        public var split: String
        public var splitIndex: Int
        /// Z's per-sample shape.
        public var shape: [Int]?
        public var link: String
        public var encoding: WireEncoding
        /// The request body's compression (`gzip`, `deflate`), written as null when there is none.
        public var compression: String?
        public var requestBytesPerSample: Double
        public var zBytesPerSample: Double
        public var edgeMs: Double
        public var transferMs: Double
        public var cloudMs: Double
        public var endToEndMs: Double
        public var endToEndP50Ms: Double?
        public var endToEndP99Ms: Double
        public var accuracy: Double
        public var inProcessAccuracy: Double
        public var inProcessAccuracyAsSent: Double
        public var samples: Int
        /// `gpz edge --json`'s whole document, kept as it was written (the report does not read it).
        public var report: JSONValue?

        enum CodingKeys: String, CodingKey {
            case split, shape, link, encoding, compression, accuracy, samples, report
            case splitIndex = "split_index"
            case requestBytesPerSample = "request_bytes_per_sample"
            case zBytesPerSample = "z_bytes_per_sample"
            case edgeMs = "edge_ms"
            case transferMs = "transfer_ms"
            case cloudMs = "cloud_ms"
            case endToEndMs = "end_to_end_ms"
            case endToEndP50Ms = "end_to_end_p50_ms"
            case endToEndP99Ms = "end_to_end_p99_ms"
            case inProcessAccuracy = "in_process_accuracy"
            case inProcessAccuracyAsSent = "in_process_accuracy_as_sent"
        }

        public init(split: String, splitIndex: Int, shape: [Int]?, link: String, encoding: WireEncoding,
                    compression: String?, requestBytesPerSample: Double, zBytesPerSample: Double, edgeMs: Double,
                    transferMs: Double, cloudMs: Double, endToEndMs: Double, endToEndP50Ms: Double?,
                    endToEndP99Ms: Double, accuracy: Double, inProcessAccuracy: Double,
                    inProcessAccuracyAsSent: Double, samples: Int, report: JSONValue?) {
            self.split = split
            self.splitIndex = splitIndex
            self.shape = shape
            self.link = link
            self.encoding = encoding
            self.compression = compression
            self.requestBytesPerSample = requestBytesPerSample
            self.zBytesPerSample = zBytesPerSample
            self.edgeMs = edgeMs
            self.transferMs = transferMs
            self.cloudMs = cloudMs
            self.endToEndMs = endToEndMs
            self.endToEndP50Ms = endToEndP50Ms
            self.endToEndP99Ms = endToEndP99Ms
            self.accuracy = accuracy
            self.inProcessAccuracy = inProcessAccuracy
            self.inProcessAccuracyAsSent = inProcessAccuracyAsSent
            self.samples = samples
            self.report = report
        }

        /// As synthesised, but `compression` is always written (null when there is none), as the schema has it.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(split, forKey: .split)
            try container.encode(splitIndex, forKey: .splitIndex)
            try container.encodeIfPresent(shape, forKey: .shape)
            try container.encode(link, forKey: .link)
            try container.encode(encoding, forKey: .encoding)
            try container.encode(compression, forKey: .compression)
            try container.encode(requestBytesPerSample, forKey: .requestBytesPerSample)
            try container.encode(zBytesPerSample, forKey: .zBytesPerSample)
            try container.encode(edgeMs, forKey: .edgeMs)
            try container.encode(transferMs, forKey: .transferMs)
            try container.encode(cloudMs, forKey: .cloudMs)
            try container.encode(endToEndMs, forKey: .endToEndMs)
            try container.encodeIfPresent(endToEndP50Ms, forKey: .endToEndP50Ms)
            try container.encode(endToEndP99Ms, forKey: .endToEndP99Ms)
            try container.encode(accuracy, forKey: .accuracy)
            try container.encode(inProcessAccuracy, forKey: .inProcessAccuracy)
            try container.encode(inProcessAccuracyAsSent, forKey: .inProcessAccuracyAsSent)
            try container.encode(samples, forKey: .samples)
            try container.encodeIfPresent(report, forKey: .report)
        }

        /// "int8" or "int8 + gzip".
        public var encodingLabel: String { encoding.rawValue + (compression.map { " + \($0)" } ?? "") }

        /// Whether `other` measured the same thing (split, link, encoding, compression): a row that replaces this one.
        public func measuresTheSame(as other: Run) -> Bool {
            split == other.split && splitIndex == other.splitIndex && link == other.link
                && encoding == other.encoding && compression == other.compression
        }
    }

    public var schema: String
    /// When the sweep was last written (ISO 8601, UTC).
    public var date: String
    public var checkpoint: String
    /// `netem`, or `tbf+relay` where the kernel has no netem (`none` for runs without an emulated link).
    public var emulation: String
    /// Private images per run.
    public var limit: Int
    public var links: [Link]
    public var runs: [Run]

    /// An empty sweep of `checkpoint`, dated now.
    public init(checkpoint: String, emulation: String, limit: Int, date: Date = Date()) {
        schema = Self.schemaName
        self.date = Self.dateText(date)
        self.checkpoint = checkpoint
        self.emulation = emulation
        self.limit = limit
        links = []
        runs = []
    }

    /// `2026-12-02T08:53:17Z`.
    public static func dateText(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    /// The sweep in `directory`, or nil when there is none. A file that is not a sweep (wrong schema, a missing
    /// or mistyped field, a run on an undeclared link, a negative or non-finite measurement) is a `ConfigError`
    /// naming the file and the field.
    public static func load(from directory: URL) throws -> DeploySweep? {
        let url = directory.appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        return try load(file: url)
    }

    /// The sweep in the file `url` (any name), checked as `load(from:)` checks it.
    public static func load(file url: URL) throws -> DeploySweep {
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

    /// Writes the sweep to `url` (pretty JSON, keys sorted: `ResultsJSON`), replacing the file at once.
    public func write(to url: URL) throws {
        var data = try ResultsJSON.encoder().encode(self)
        data.append(0x0A)
        try data.write(to: url, options: .atomic)
    }

    /// `run`, measured on `link` (its `link` is set to the link's name), recorded: it replaces the run that
    /// measured the same split, link, encoding and compression, or comes after the others; the link is added
    /// unless it is declared already. A link of that name with another rate or delay is a `ConfigError` naming
    /// `links[n]`.
    public mutating func record(_ run: Run, on link: Link) throws {
        var run = run
        run.link = link.name
        if let n = links.firstIndex(where: { $0.name == link.name }) {
            guard links[n] == link else {
                throw ConfigError(field: "links[\(n)]", "'\(link.name)' is declared with rate \(links[n].rate) and "
                                  + "delay_ms \(links[n].delayMs), not \(link.rate) and \(link.delayMs)")
            }
        } else {
            links.append(link)
        }
        if let n = runs.firstIndex(where: { $0.measuresTheSame(as: run) }) {
            runs[n] = run
        } else {
            runs.append(run)
        }
    }

    /// Checks what the report relies on, naming the first bad field.
    public func validate() throws {
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
}
