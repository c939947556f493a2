import Foundation
import GPZConfig
import GPZData

/// What `gpz scan` runs: one study, or several side by side (a preset such as `label-smoothing` compares three
/// targets). A configuration file holds either one study (the fields of `ScanConfig` at the top level) or a plan:
///
///     name: my-plan
///     description: one-hot against LS+
///     studies:
///       - name: one-hot
///         target: {labels: onehot}
///       - name: ls-plus
///         target: {labels: "ls:0.3"}
public struct ScanPlan: Codable, Equatable, Sendable {
    public var name: String
    public var description: String
    public var studies: [ScanConfig]

    public init(name: String, description: String, studies: [ScanConfig]) {
        self.name = name
        self.description = description
        self.studies = studies
    }

    /// Checks every study (fields are named `studies[i].…` when there are several) and that names are distinct.
    public func validate() throws {
        guard !studies.isEmpty else { throw ConfigError(field: "studies", "expected at least one study") }
        for (i, study) in studies.enumerated() {
            do {
                try study.validate()
            } catch let error as ConfigError where studies.count > 1 {
                throw ConfigError(field: "studies[\(i)].\(error.field)", error.message)
            }
        }
        let names = studies.map(\.name)
        if studies.count > 1, let index = names.firstIndex(where: Self.reservedNames.contains) {
            throw ConfigError(field: "studies[\(index)].name", "'\(names[index])' is a folder the plan's directory "
                              + "keeps for itself (\(Self.reservedNames.sorted().joined(separator: ", "))); choose another name")
        }
        if let repeated = names.first(where: { name in names.filter { $0 == name }.count > 1 }) {
            throw ConfigError(field: "studies", "two studies are named '\(repeated)'; names must differ")
        }
    }

    /// Folders of a plan's directory besides its studies' (shared checkpoints, step states, Slurm scripts and logs).
    public static let reservedNames: Set<String> = ["targets", "state", "slurm"]

    /// The run directory of each study: `out` itself for a single study, `out/<name>` for several.
    public func directory(of study: ScanConfig, in out: URL) -> URL {
        studies.count == 1 ? out : out.appendingPathComponent(study.name)
    }

    /// What an empty configuration file would have done, in the message that refuses one.
    static let emptyMeaning = "an empty file would run the full default study"

    /// Reads a plan or a single study from a `.yaml`/`.yml` or `.json` file (`ConfigFile`: size limit, YAML
    /// hardening, not empty).
    public static func load(_ url: URL) throws -> ScanPlan {
        try decode(ConfigFile.load(url, emptyMeaning: emptyMeaning))
    }

    /// Parses a plan or a single study; decoding errors name `source` and the field.
    public static func parse(_ text: String, json: Bool, source: String) throws -> ScanPlan {
        try decode(ConfigFile.parse(text, json: json, source: source, emptyMeaning: emptyMeaning))
    }

    /// The plan or single study a parsed file holds: a mapping with `studies` is a plan, anything else one study.
    static func decode(_ file: ConfigFile) throws -> ScanPlan {
        let document = file.document
        do {
            guard let fields = document as? [AnyHashable: Any], fields["studies"] != nil else {
                let study = try ConfigDecoder.decode(ScanConfig.self, from: document, over: ScanConfig())
                return ScanPlan(name: study.name, description: "", studies: [study])
            }
            var header = fields
            header["studies"] = nil
            let plan = try ConfigDecoder.decode(PlanHeader.self, from: header, over: PlanHeader())
            guard let studies = fields["studies"] as? [Any] else {
                throw ConfigError(field: "studies", "expected a list of studies")
            }
            return ScanPlan(name: plan.name, description: plan.description, studies: try studies.indices.map {
                try ConfigDecoder.decode(ScanConfig.self, from: studies[$0], over: ScanConfig(), path: "studies[\($0)]")
            })
        } catch let error as ConfigError {
            throw ConfigError(field: "\(file.source): \(error.field)", error.message)
        }
    }
}

/// A plan file's fields besides its studies.
private struct PlanHeader: ConfigSection {
    var name = "scan"
    var description = ""
}
