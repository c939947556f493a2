import Foundation
import Yams

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

    enum CodingKeys: String, CodingKey, CaseIterable { case name, description, studies }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try c.rejectUnknownKeys(CodingKeys.self, decoder: decoder)
        name = try c.decodeIfPresent(String.self, forKey: .name) ?? "scan"
        description = try c.decodeIfPresent(String.self, forKey: .description) ?? ""
        studies = try c.decode([ScanConfig].self, forKey: .studies)
    }

    /// Checks every study (fields are named `studies[i].…` when there are several) and that names are distinct.
    public func validate() throws {
        guard !studies.isEmpty else { throw ScanConfigError(field: "studies", "expected at least one study") }
        for (i, study) in studies.enumerated() {
            do {
                try study.validate()
            } catch let error as ScanConfigError where studies.count > 1 {
                throw ScanConfigError(field: "studies[\(i)].\(error.field)", error.message)
            }
        }
        let names = studies.map(\.name)
        if let repeated = names.first(where: { name in names.filter { $0 == name }.count > 1 }) {
            throw ScanConfigError(field: "studies", "two studies are named '\(repeated)'; names must differ")
        }
    }

    /// The run directory of each study: `out` itself for a single study, `out/<name>` for several.
    public func directory(of study: ScanConfig, in out: URL) -> URL {
        studies.count == 1 ? out : out.appendingPathComponent(study.name)
    }

    /// Reads a plan or a single study from a `.yaml`/`.yml` (Yams) or `.json` file.
    public static func load(_ url: URL) throws -> ScanPlan {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw ScanConfigError(field: url.path, "cannot read the configuration file (\(error.localizedDescription))")
        }
        let ext = url.pathExtension.lowercased()
        guard ["yaml", "yml", "json"].contains(ext) else {
            throw ScanConfigError(field: url.path, "expected a .yaml, .yml or .json configuration file")
        }
        return try parse(text, json: ext == "json", source: url.lastPathComponent)
    }

    /// Parses a plan or a single study; errors name `source` and the field.
    public static func parse(_ text: String, json: Bool, source: String) throws -> ScanPlan {
        do {
            let isPlan = try topLevelKeys(text, json: json).contains("studies")
            if isPlan {
                return json ? try JSONDecoder().decode(ScanPlan.self, from: Data(text.utf8))
                            : try YAMLDecoder().decode(ScanPlan.self, from: text)
            }
            let study = json ? try JSONDecoder().decode(ScanConfig.self, from: Data(text.utf8))
                             : try YAMLDecoder().decode(ScanConfig.self, from: text)
            return ScanPlan(name: study.name, description: "", studies: [study])
        } catch let error as DecodingError {
            throw ScanConfigError(decoding: error, source: source)
        } catch let error as ScanConfigError {
            throw error
        } catch {
            throw ScanConfigError(field: source, "not valid \(json ? "JSON" : "YAML"): \(error)")
        }
    }

    private static func topLevelKeys(_ text: String, json: Bool) throws -> Set<String> {
        let object: Any?
        if json {
            object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        } else {
            object = try Yams.load(yaml: text)
        }
        guard let dictionary = object as? [AnyHashable: Any] else {
            throw ScanConfigError(field: "(top level)", "expected a mapping of fields (name, data, target, …)")
        }
        return Set(dictionary.keys.compactMap { $0 as? String })
    }
}

extension ScanConfigError {
    /// "target.epochs: expected Int, found a string" from a decoding error.
    init(decoding error: DecodingError, source: String) {
        func path(_ keys: [CodingKey]) -> String {
            let text = keys.reduce(into: "") { text, key in
                if let index = key.intValue { text += "[\(index)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
            }
            return text.isEmpty ? "(top level)" : text
        }
        switch error {
        case .typeMismatch(let type, let context):
            self.init(field: "\(source): \(path(context.codingPath))", "expected \(Self.typeName(type))")
        case .valueNotFound(let type, let context):
            self.init(field: "\(source): \(path(context.codingPath))", "expected \(Self.typeName(type)), found null")
        case .keyNotFound(let key, let context):
            self.init(field: "\(source): \(path(context.codingPath + [key]))", "missing")
        case .dataCorrupted(let context):
            self.init(field: "\(source): \(path(context.codingPath))", context.debugDescription)
        @unknown default:
            self.init(field: source, "\(error)")
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is UInt64.Type: return "an integer"
        case is Double.Type: return "a number"
        case is Bool.Type: return "true or false"
        case is String.Type: return "a string"
        default:
            let name = "\(type)"
            return name.hasPrefix("Array") ? "a list" : name.hasPrefix("Dictionary") ? "a mapping" : "a \(name) value"
        }
    }
}
