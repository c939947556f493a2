import Foundation

/// `comparison.json` of a plan with several studies: per study the settings that differ, the headline numbers
/// and the per-split curves, side by side.
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
        public var aprioriFirst: Int
        public var posthocFirst: Int?
        public var recommended: Int?
        public var mseRatioGpzVsShallowest: Double?
        public var resistance: Double?
        public var splitNames: [String]
        public var r2cMean: [Double]
        public var mse: [Double?]

        enum CodingKeys: String, CodingKey {
            case name, directory, data, labels, aux, attacker, defense, testAccuracy = "test_accuracy"
            case aprioriFirst = "apriori_first", posthocFirst = "posthoc_first", recommended
            case mseRatioGpzVsShallowest = "mse_ratio_gpz_vs_shallowest", resistance
            case splitNames = "split_names", r2cMean = "r2c_mean", mse
        }
    }

    public var plan: String
    public var description: String
    public var studies: [Study]
    /// Mean of the studies' resistance values (1 − MSE_feature / MSE_decision) where defined.
    public var meanResistance: Double?

    enum CodingKeys: String, CodingKey {
        case plan, description, studies, meanResistance = "mean_resistance"
    }

    public init(plan: ScanPlan, results: [(directory: String, results: ScanResults)]) {
        self.plan = plan.name
        description = plan.description
        studies = results.map { directory, r in
            Study(name: r.name, directory: directory, data: r.config.target.dataset, labels: r.config.target.labels.description,
                  aux: r.attack.auxSource, attacker: r.attack.attacker, defense: r.attack.defense,
                  testAccuracy: r.headline.testAccuracy, aprioriFirst: r.gpz.apriori.first,
                  posthocFirst: r.gpz.posthoc?.firstAboveThreshold, recommended: r.recommendation.split,
                  mseRatioGpzVsShallowest: r.headline.mseRatioGpzVsShallowest, resistance: r.headline.resistance,
                  splitNames: r.splits.map(\.name), r2cMean: r.splits.map(\.r2cMean), mse: r.splits.map(\.mse))
        }
        let resistances = studies.compactMap(\.resistance)
        meanResistance = resistances.isEmpty ? nil : resistances.reduce(0, +) / Double(resistances.count)
    }

    public func write(to directory: URL) throws {
        try ScanJSON.encoder().encode(self).write(to: directory.appendingPathComponent("comparison.json"),
                                                  options: .atomic)
    }
}
