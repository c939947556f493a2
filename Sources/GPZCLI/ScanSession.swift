import Foundation
import GPZModels
import GPZReport
import GPZScan
import GPZTensor

/// `gpz scan` and `gpz demo` around a `PlanRun`: a progress bar per stage and notes on stderr, each study's
/// verdict in the report's words (`ScanVerdictText`) as soon as it is known, and the JSON document with `--json`.
struct ScanSession {
    let plan: ScanPlan
    let out: URL
    var targets: URL?
    /// `--device`, which overrides each study's `device` field.
    var device: Device?
    let json: Bool
    /// `--study NAME`: only this study, with its store in its own directory.
    var study: String?
    /// `--train-targets`: only the shared targets, with their store in the targets folder.
    var trainTargetsOnly = false

    func run() throws {
        let run = PlanRun(plan: plan, out: out, targets: targets, device: device, publisher: HTMLPublisher(),
                          events: Self.eventPrinter())
        if trainTargetsOnly {
            let checkpoints = try run.trainSharedTargets()
            if json { print(try jsonLine(["targets": checkpoints.map(\.path)])) } else {
                for checkpoint in checkpoints { print("target: \(checkpoint.path)") }
            }
        } else if let study {
            let results = try run.study(named: study, finished: printVerdict)
            if json { print(try jsonLine(results)) }
        } else {
            let (studies, comparison) = try run.run(finished: printVerdict)
            if let comparison {
                print("comparison: \((comparison.index ?? comparison.results).path)")
                if json { print(try jsonLine(comparison.comparison)) }
            } else if json, let results = studies.first {
                print(try jsonLine(results))
            }
        }
    }

    /// The verdict in the report's words, on stdout (stderr with `--json`, which keeps stdout for the document).
    private func printVerdict(_ results: ScanResults, directory: URL) {
        let text = ScanVerdictText(results).terminalLines(report: directory.appendingPathComponent(ScanReport.fileName))
            .joined(separator: "\n")
        if json { note(text) } else { print(text) }
    }

    /// Progress bars (one per stage label) and notes on stderr.
    static func eventPrinter() -> (ScanEvent) -> Void {
        var bar: ProgressBar?
        var label = ""
        return { event in
            switch event {
            case .stage(let text), .note(let text):
                note(text)
            case .progress(let stage, let done, let total, let values):
                if stage != label || bar == nil || done < 1 {
                    bar = ProgressBar(stage, total: total, unit: "it")
                    label = stage
                }
                bar?.update(done, values)
            }
        }
    }
}
