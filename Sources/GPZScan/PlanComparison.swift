import Foundation
import GPZAnalysis
import GPZConfig

/// `comparison.json` of a plan with several studies: per study the settings that differ, the verdict and the
/// per-split curves side by side, and, for studies that attack the same target on the same evaluated images
/// with different attackers, the worst case over those attackers.
public struct PlanComparison: Codable, Equatable, Sendable {
    public struct Study: Codable, Equatable, Sendable {
        public var name: String
        public var directory: String
        public var data: String
        public var labels: String
        public var aux: String
        public var attacker: String
        public var defense: String
        public var testAccuracy: Double
        public var zoneSplit: Int
        public var zoneFrequency: Double
        public var boundary: Int?
        public var recommendation: RecommendationKind
        public var recommended: Int?
        /// 1 − MSE(deepest feature-level candidate) / MSE(zone split).
        public var resistance: Double?
        public var splitNames: [String]
        public var intraShare: [Double]
        public var r2cMean: [Double]
        public var mse: [Double?]
        public var leakage: [Double?]

        enum CodingKeys: String, CodingKey {
            case name, directory, data, labels, aux, attacker, defense, testAccuracy = "test_accuracy"
            case zoneSplit = "zone_split", zoneFrequency = "zone_frequency", boundary, recommendation, recommended
            case resistance, splitNames = "split_names", intraShare = "intra_share", r2cMean = "r2c_mean", mse, leakage
        }
    }

    /// The leakage boundary of one target judged by the strongest of the studies that attacked it.
    public struct WorstCase: Codable, Equatable, Sendable {
        public var trainingHash: String
        public var studies: [String]
        public var leakage: LeakageBoundary

        enum CodingKeys: String, CodingKey { case trainingHash = "training_hash", studies, leakage }
    }

    public var plan: String
    public var description: String
    public var studies: [Study]
    public var worstCase: [WorstCase]

    enum CodingKeys: String, CodingKey {
        case plan, description, studies, worstCase = "worst_case"
    }

    public init(plan: ScanPlan, results: [(directory: String, results: ScanResults)]) throws {
        self.plan = plan.name
        description = plan.description
        studies = results.map { directory, r in
            Study(name: r.name, directory: directory, data: r.config.target.dataset,
                  labels: r.config.target.labels.description, aux: r.attack.auxSource, attacker: r.attack.attacker,
                  defense: r.attack.defense, testAccuracy: r.headline.testAccuracy, zoneSplit: r.zones.zone.split,
                  zoneFrequency: r.zones.zone.frequency, boundary: r.zones.leakage?.boundary,
                  recommendation: r.recommendation.kind, recommended: r.recommendation.split,
                  resistance: r.headline.verdict?.zonePair?.resistance, splitNames: r.splits.map(\.name),
                  intraShare: r.splits.map(\.intraShare), r2cMean: r.splits.map(\.r2cMean), mse: r.splits.map(\.mse),
                  leakage: r.splits.map { $0.leakage?.leakage })
        }
        worstCase = try Self.worstCases(results.map(\.results))
    }

    /// For every target attacked by two or more studies on the same evaluated images, the leakage boundary with
    /// each split judged by every run of every study (each study's runs under its own name as the attacker): the
    /// best decoder of the strongest attacker decides.
    static func worstCases(_ results: [ScanResults]) throws -> [WorstCase] {
        let groups = Dictionary(grouping: results.filter { $0.zones.leakage != nil && $0.baselines != nil }) {
            "\($0.target.trainingHash) \($0.baselines!.classMeanMSE) \($0.attack.evaluatedImages)"
        }
        return try groups.values.filter { $0.count > 1 }.sorted { $0[0].name < $1[0].name }.map { group in
            let first = group[0]
            let indices = Set(group.flatMap { $0.zones.leakage!.splits.map(\.index) }).sorted()
            let outcomes = indices.compactMap { index -> LeakageBoundary.SplitRuns? in
                var runs: [AttackRun] = []
                var row: SplitLeakage?
                for study in group {
                    guard let split = study.zones.leakage!.splits.first(where: { $0.index == index }) else { continue }
                    runs += split.runs.map { run in
                        var renamed = run
                        renamed.attacker = study.name
                        return renamed
                    }
                    row = split
                }
                return row.map { LeakageBoundary.SplitRuns(index: $0.index, name: $0.name, candidate: $0.candidate,
                                                           isLogits: $0.isLogits, runs: runs) }
            }
            return WorstCase(trainingHash: first.target.trainingHash, studies: group.map(\.name),
                             leakage: try LeakageBoundary(splits: outcomes, classMeanMSE: first.baselines!.classMeanMSE,
                                                          adequacyMSE: group.compactMap(\.baselines?.labelOnlyMSE).min(),
                                                          threshold: first.config.leakageThreshold))
        }
    }

    public func write(to directory: URL) throws {
        try ResultsJSON.encoder().encode(self).write(to: directory.appendingPathComponent("comparison.json"),
                                                  options: .atomic)
    }
}
