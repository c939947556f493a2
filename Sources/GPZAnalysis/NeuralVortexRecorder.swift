import Foundation
import GPZConfig

/// Records the Neural Vortex (method §2.4): mean R_c² and intra-class share at every split after every epoch,
/// for several training runs side by side (one-hot, LS+ α = 0.3, LS− α = −0.05 in the paper's comparison), and
/// writes them as CSV and JSON.
///
/// The claim under test: with label smoothing α > 0 the correct-class coefficient (p_ic − 1 + α) changes sign
/// once p_ic > 1 − α, so R_c² keeps falling after one-hot training has stalled.
public struct NeuralVortexRecorder: Codable, Equatable, Sendable {
    /// One split's values after one epoch.
    public struct SplitValue: Codable, Equatable, Sendable {
        public let index: Int
        public let name: String
        public let meanRadius: Double
        public let intraClassShare: Double

        enum CodingKeys: String, CodingKey {
            case index, name
            case meanRadius = "r2c_mean"
            case intraClassShare = "intra_share"
        }
    }

    public struct Epoch: Codable, Equatable, Sendable {
        public let epoch: Int
        public let splits: [SplitValue]
    }

    /// One training run: its name, label-smoothing α, recorded epochs and final test accuracy.
    public struct Run: Codable, Equatable, Sendable {
        public let name: String
        public let labelSmoothing: Double
        public fileprivate(set) var epochs: [Epoch]
        public fileprivate(set) var finalAccuracy: Double?

        enum CodingKeys: String, CodingKey {
            case name, epochs
            case labelSmoothing = "label_smoothing"
            case finalAccuracy = "final_accuracy"
        }
    }

    /// The paper's three runs: one-hot targets, positive and negative label smoothing.
    public static let paperRuns: [(name: String, labelSmoothing: Double)] =
        [("one-hot", 0), ("ls+", 0.3), ("ls-", -0.05)]

    public private(set) var runs: [Run] = []

    public init() {}

    /// Registers a run; its name becomes a CSV column prefix, so it must be new, non-empty and free of commas,
    /// quotes and line breaks.
    public mutating func addRun(name: String, labelSmoothing: Double) throws {
        try AnalysisError.check(!name.isEmpty && !name.contains(where: { ",\"\n\r".contains($0) }),
                                "run name '\(name)' must be non-empty without commas, quotes or line breaks")
        try AnalysisError.check(!runs.contains { $0.name == name }, "run '\(name)' is already recorded")
        runs.append(Run(name: name, labelSmoothing: labelSmoothing, epochs: [], finalAccuracy: nil))
    }

    /// Records the statistics measured after `epoch` of run `run`; epochs must increase within a run.
    public mutating func record(run: String, epoch: Int, statistics: [SplitStatistics]) throws {
        let position = try runPosition(run)
        if let last = runs[position].epochs.last?.epoch {
            try AnalysisError.check(epoch > last, "run '\(run)': epoch \(epoch) recorded after epoch \(last)")
        }
        let values = statistics.map {
            SplitValue(index: $0.index, name: $0.name, meanRadius: $0.meanRadius, intraClassShare: $0.intraClassShare)
        }
        runs[position].epochs.append(Epoch(epoch: epoch, splits: values))
    }

    public mutating func setFinalAccuracy(run: String, accuracy: Double) throws {
        runs[try runPosition(run)].finalAccuracy = accuracy
    }

    /// One row per (epoch, split), with `<run>_r2c_mean` and `<run>_intra_share` columns for every run in the
    /// order added; a cell is empty where a run has no value for that epoch and split.
    public func csv() -> String {
        var table: [Key: [String: SplitValue]] = [:]
        var names: [Key: String] = [:]
        for run in runs {
            for epoch in run.epochs {
                for value in epoch.splits {
                    let key = Key(epoch: epoch.epoch, split: value.index)
                    table[key, default: [:]][run.name] = value
                    names[key] = value.name
                }
            }
        }
        let header = ["epoch", "split", "name"] + runs.flatMap { ["\($0.name)_r2c_mean", "\($0.name)_intra_share"] }
        let rows = table.keys.sorted().map { key -> String in
            let cells = runs.flatMap { run -> [String] in
                guard let value = table[key]?[run.name] else { return ["", ""] }
                return [String(value.meanRadius), String(value.intraClassShare)]
            }
            return (["\(key.epoch)", "\(key.split)", csvField(names[key] ?? "")] + cells).joined(separator: ",")
        }
        return ([header.joined(separator: ",")] + rows).joined(separator: "\n") + "\n"
    }

    /// The runs as pretty-printed JSON.
    public func json() throws -> Data {
        try ResultsJSON.encoder().encode(self)
    }

    /// Writes `csv()` and `json()` to the given files.
    public func write(csvTo csvURL: URL, jsonTo jsonURL: URL) throws {
        try Data(csv().utf8).write(to: csvURL, options: .atomic)
        try json().write(to: jsonURL, options: .atomic)
    }

    private func runPosition(_ name: String) throws -> Int {
        guard let position = runs.firstIndex(where: { $0.name == name }) else {
            throw AnalysisError("no run named '\(name)'; recorded runs: \(runs.map(\.name).joined(separator: ", "))")
        }
        return position
    }

    private struct Key: Hashable, Comparable {
        let epoch: Int
        let split: Int

        static func < (a: Key, b: Key) -> Bool { (a.epoch, a.split) < (b.epoch, b.split) }
    }

    private func csvField(_ text: String) -> String {
        text.contains(where: { ",\"\n\r".contains($0) }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }
}
