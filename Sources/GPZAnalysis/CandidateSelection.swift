import GPZModels

/// The splits the zone is located among (`analysis.candidates` in a scan file): `blocks` (the architecture's
/// block-level split points, the default), `all` (every split but the logits), or a list of split names.
public enum CandidateSelection: Codable, Equatable, Sendable, CustomStringConvertible {
    case blocks
    case all
    case named([String])

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let names = try? container.decode([String].self) {
            self = .named(names)
            return
        }
        switch try container.decode(String.self) {
        case "blocks": self = .blocks
        case "all": self = .all
        case let text:
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "'\(text)': expected blocks, all or a list of split names"))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .blocks: try container.encode("blocks")
        case .all: try container.encode("all")
        case .named(let names): try container.encode(names)
        }
    }

    public var description: String {
        switch self {
        case .blocks: return "blocks"
        case .all: return "all"
        case .named(let names): return names.joined(separator: ",")
        }
    }

    /// The candidate split points of `model`, in forward order; an error naming a split the model lacks, the
    /// logits, or fewer than two candidates.
    public func resolve(_ model: some SplittableModel) throws -> [SplitPoint] {
        let points: [SplitPoint]
        switch self {
        case .blocks: points = model.blockSplitPoints
        case .all: points = model.splitPoints.filter { !$0.isLogits }
        case .named(let names):
            points = try names.map { name in
                let point = try model.split(named: name)
                try AnalysisError.check(!point.isLogits, "candidates: the logits are not a partition; list split "
                                        + "points before the classifier output")
                return point
            }.sorted { $0.index < $1.index }
        }
        try AnalysisError.check(points.count >= 2, "candidates: \(self) gives \(points.count) split(s) of "
                                + "\(model.config.architecture); at least two are needed to locate a zone")
        return points
    }
}
