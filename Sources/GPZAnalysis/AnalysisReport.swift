import Foundation
import GPZConfig
import GPZData

/// One split's statistics and entropy bounds, encoded as a single flat JSON object (`name`, `index`, `d`,
/// `sigma2`, `r2c_mean`, `intra_share`, `eff_dim`, `h_global`, `h_class`, …).
public struct SplitAnalysis: Codable, Equatable, Sendable {
    public let statistics: SplitStatistics
    public let bounds: EntropyBounds

    public init(_ statistics: SplitStatistics) {
        self.statistics = statistics
        bounds = EntropyBounds(statistics)
    }

    public init(from decoder: Decoder) throws {
        statistics = try SplitStatistics(from: decoder)
        bounds = try EntropyBounds(from: decoder)
    }

    public func encode(to encoder: Encoder) throws {
        try statistics.encode(to: encoder)
        try bounds.encode(to: encoder)
    }
}

/// Everything the analysis of one model on one set reports: the splits, the paper rule's zone and ours.
public struct AnalysisReport: Codable, Equatable, Sendable {
    /// Which labels defined the classes.
    public let labels: LabelSource
    /// K and N.
    public let classes: Int
    public let sampleCount: Int
    public let splits: [SplitAnalysis]
    /// The paper code's rule on the class-averaged R_c².
    public let gpzApriori: APrioriZone
    /// Our width-independent variants.
    public let gpzAprioriVariants: [APrioriZone]

    enum CodingKeys: String, CodingKey {
        case labels, classes, splits
        case sampleCount = "n"
        case gpzApriori = "gpz_apriori"
        case gpzAprioriVariants = "gpz_apriori_variants"
    }

    /// The report for `statistics` (at least two splits), locating the zone over `candidates` (all splits by
    /// default).
    public init(statistics: [SplitStatistics], labels: LabelSource, candidates: [Int]? = nil) throws {
        try AnalysisError.check(!statistics.isEmpty, "no split statistics to report")
        self.labels = labels
        classes = statistics[0].classCounts.count
        sampleCount = statistics[0].sampleCount
        splits = statistics.map(SplitAnalysis.init)
        gpzApriori = try APrioriLocator.locate(.meanRadius, statistics: statistics, candidates: candidates)
        gpzAprioriVariants = try APrioriCriterion.allCases.filter { $0 != .meanRadius }.map {
            try APrioriLocator.locate($0, statistics: statistics, candidates: candidates)
        }
    }
}
