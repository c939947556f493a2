import Foundation
import GPZModels
import GPZScan

/// The scan's pages: `report.html` in each study's run directory and `index.html` in a plan's directory, each
/// with the deployment section of a `deploy.json` found beside it.
public struct HTMLPublisher: ScanPublisher {
    public init() {}

    public func publish(study results: ScanResults, in directory: URL) throws -> URL {
        try ScanReport.write(results, runDirectory: directory)
    }

    public func publish(plan: ScanPlan, comparison: PlanComparison, finished: [(directory: String, results: ScanResults)],
                        in directory: URL) throws -> URL {
        try ComparisonReport.write(
            studies: finished.map { ($0.results.name, $0.results, "\($0.directory)/report.html") },
            worstCase: comparison.worstCase, title: plan.name, description: plan.description,
            deployment: try DeploySweep.load(from: directory), to: directory.appendingPathComponent("index.html"))
    }
}
