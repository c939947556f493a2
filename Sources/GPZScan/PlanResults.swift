import Foundation
import GPZConfig

/// `plan-results.json` of a plan with several studies: every finished study's `results.json`, in the plan's order,
/// and the names of the studies that have none yet. `gpz scan` writes it after the last study; `gpz merge` writes it
/// from whatever a cluster run has finished, so the two files are equal (apart from each study's `timing`) when
/// every study is done.
public struct PlanResults: Codable, Equatable, Sendable {
    public static let schemaName = "gpz-plan-results-v1"
    public static let fileName = "plan-results.json"

    public var schema = PlanResults.schemaName
    public var plan: String
    public var description: String
    public var studies: [ScanResults]
    /// Studies of the plan without results, in the plan's order.
    public var missing: [String]

    /// What the top of a plan's directory received.
    public struct Written {
        public let comparison: PlanComparison
        /// The publisher's page (nil without one).
        public let index: URL?
        public let results: URL
    }

    /// The comparison of a plan's finished studies, written in one place for `gpz scan` and `gpz merge`:
    /// `comparison.json`, `plan-results.json` and the publisher's page (`index.html`).
    /// `finished` pairs each study's results with its directory relative to `out`.
    @discardableResult
    public static func write(plan: ScanPlan, finished: [(directory: String, results: ScanResults)],
                             to out: URL, publisher: (any ScanPublisher)?) throws -> Written {
        let comparison = try PlanComparison(plan: plan, results: finished)
        try comparison.write(to: out)
        let index = try publisher?.publish(plan: plan, comparison: comparison, finished: finished, in: out)
        let done = Set(finished.map(\.results.name))
        let merged = PlanResults(plan: plan.name, description: plan.description, studies: finished.map(\.results),
                                 missing: plan.studies.map(\.name).filter { !done.contains($0) })
        let url = out.appendingPathComponent(fileName)
        try ResultsJSON.encoder().encode(merged).write(to: url, options: .atomic)
        return Written(comparison: comparison, index: index, results: url)
    }
}
