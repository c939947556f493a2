import Foundation
import GPZConfig
import GPZData

/// A plan's directory as the cluster commands see it: the plan itself (`plan.json`, every default filled in, so
/// that every array task, the merge and `gpz status` read the same studies), the targets that several studies share,
/// and each study's results.
extension ScanPlan {
    public static let fileName = "plan.json"

    /// Writes the plan to `out/plan.json`.
    public func write(to out: URL) throws {
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try ResultsJSON.encoder().encode(self).write(to: out.appendingPathComponent(Self.fileName), options: .atomic)
    }

    /// The plan that `gpz submit` or `gpz scan` wrote to `out/plan.json`.
    public static func stored(in out: URL) throws -> ScanPlan {
        let url = out.appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ConfigError(field: out.path, "no \(fileName) here: expected a directory written by gpz submit or gpz scan")
        }
        return try load(url)
    }

    /// The studies grouped by target checkpoint, in the plan's order, keeping only the checkpoints that two or more
    /// studies use: each is trained once, before those studies run side by side.
    public var sharedTargets: [[ScanConfig]] {
        get throws {
            var groups: [String: [ScanConfig]] = [:], order: [String] = []
            for study in studies {
                let name = try ScanRunner.checkpointName(study.target)
                if groups[name] == nil { order.append(name) }
                groups[name, default: []].append(study)
            }
            return order.compactMap { groups[$0]!.count > 1 ? groups[$0] : nil }
        }
    }

    /// The study named `name`, or a `ConfigError` listing the plan's studies.
    public func study(named name: String) throws -> ScanConfig {
        guard let study = studies.first(where: { $0.name == name }) else {
            throw ConfigError(field: "--study", "plan '\(self.name)' has no study '\(name)'; its studies: "
                              + studies.map(\.name).joined(separator: ", "))
        }
        return study
    }

    /// The finished results of `study` in `out`: its `results.json`, when it was written for exactly this study's
    /// settings (a results file of other settings is not this study's).
    public func finishedResults(of study: ScanConfig, in out: URL) -> ScanResults? {
        let url = ScanRunner.resultsURL(directory(of: study, in: out))
        guard let data = try? Data(contentsOf: url),
              let results = try? ResultsJSON.decoder().decode(ScanResults.self, from: data),
              let hash = try? study.hash, results.configHash == hash else { return nil }
        return results
    }

    /// A study's directory relative to `out`, as the comparison links it.
    public func relativeDirectory(of study: ScanConfig) -> String {
        studies.count == 1 ? "." : study.name
    }
}
