import Foundation

/// The one seam between the scan and its presentation. The scan computes, stores and writes its machine-readable
/// files (`results.json`, `results.csv`, `comparison.json`, `plan-results.json`); a publisher renders them for
/// people. GPZReport's `HTMLPublisher` writes `report.html` and a plan's `index.html`; the CLI hands it to the
/// scan, so the scan knows nothing of pages and the report nothing of how results are computed.
public protocol ScanPublisher: Sendable {
    /// Renders one study's results into its run directory; returns the page written.
    func publish(study results: ScanResults, in directory: URL) throws -> URL
    /// Renders the comparison of a plan's finished studies (`finished` pairs each study's directory, relative to
    /// `directory`, with its results) into the plan's directory; returns the page written.
    func publish(plan: ScanPlan, comparison: PlanComparison, finished: [(directory: String, results: ScanResults)],
                 in directory: URL) throws -> URL
}
