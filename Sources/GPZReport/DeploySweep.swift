import Foundation
import GPZModels
import GPZScan

/// The report's side of a deployment sweep (`DeploySweep`, declared in GPZModels where the edge writes it): which
/// scan results it belongs to.
extension DeploySweep {
    /// Whether the sweep measured the checkpoint a scan's results attacked. Checkpoint folders are compared by
    /// name (a scan's targets are named by their training hash), since the sweep records an absolute path and
    /// the results one relative to the study.
    public func measured(_ results: ScanResults) -> Bool {
        URL(fileURLWithPath: checkpoint).standardizedFileURL.lastPathComponent
            == URL(fileURLWithPath: results.target.checkpoint).standardizedFileURL.lastPathComponent
    }
}
