import Foundation
import GPZModels
import GPZReport
import GPZScan
import GPZTensor

/// Runs a plan's studies one after another with a progress bar per stage, prints each study's verdict, and for
/// several studies writes the comparison (`comparison.json`, `index.html`, `plan-results.json`). With `study` it runs
/// that one study of the plan into its own store, and with `trainTargetsOnly` it trains the targets several studies
/// share: the two steps a cluster run is made of (`gpz submit`), each recording its state for `gpz status`.
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

    /// The target checkpoints: `--targets`, else the plan directory's `targets/`, whichever store a study uses.
    private var targetsFolder: URL { targets ?? out.appendingPathComponent("targets") }

    func run() throws {
        try plan.validate()
        _ = try DeploySweep.load(from: out)  // a broken deploy.json is an error now, not after the studies ran
        try plan.write(to: out)  // what gpz status and gpz merge read
        if trainTargetsOnly { return try recording(.targets) { try trainSharedTargets() } }
        if let study {
            let config = try plan.study(named: study)
            return try recording(.study(study)) {
                let results = try run(config, position: plan.studies.firstIndex(of: config) ?? 0,
                                      shared: plan.directory(of: config, in: out))
                if json { print(try jsonLine(results)) }
            }
        }
        var finished: [(directory: String, results: ScanResults)] = []
        for (position, study) in plan.studies.enumerated() {
            finished.append((plan.relativeDirectory(of: study), try run(study, position: position, shared: out)))
        }
        if plan.studies.count > 1 {
            let written = try PlanResults.write(plan: plan, finished: finished, to: out, publisher: HTMLPublisher())
            print("comparison: \((written.index ?? written.results).path)")
            if json { print(try jsonLine(written.comparison)) }
        } else if json, let results = finished.first?.results {
            print(try jsonLine(results))
        }
    }

    /// Runs one study with its store in `shared` and prints its verdict.
    private func run(_ config: ScanConfig, position: Int, shared: URL) throws -> ScanResults {
        var study = config
        if let device { study.device = device }
        let directory = plan.directory(of: study, in: out)
        note("scan \(plan.name): study \(position + 1)/\(plan.studies.count) '\(study.name)' → \(directory.path)")
        let results = try ScanRunner(config: study, directory: directory, shared: shared, targets: targetsFolder,
                                  publisher: HTMLPublisher())
            .run(events: Self.eventPrinter())
        let text = summary(results, directory: directory)
        if json { note(text) } else { print(text) }
        return results
    }

    /// Trains each target that two or more studies share, once, into the targets folder (its own store beside it).
    private func trainSharedTargets() throws {
        let groups = try plan.sharedTargets
        if groups.isEmpty { note("scan \(plan.name): no target is shared by two studies; nothing to train") }
        let folder = targetsFolder
        var checkpoints: [String] = []
        for group in groups {
            var study = group[0]
            if let device { study.device = device }
            note("scan \(plan.name): target of \(group.map(\.name).joined(separator: ", ")) → \(folder.path)")
            let checkpoint = try ScanRunner(config: study, directory: folder, shared: folder, targets: folder)
                .trainTarget(events: Self.eventPrinter())
            if !json { print("target: \(checkpoint.path)") }
            checkpoints.append(checkpoint.path)
        }
        if json { print(try jsonLine(["targets": checkpoints])) }
    }

    /// Runs `body` between the step's state records: running, then done or failed (the error is rethrown).
    private func recording(_ step: StepState.Step, _ body: () throws -> Void) throws {
        let state = try StepState.start(step: step, in: out)
        do {
            try body()
        } catch {
            try? state.finish(in: out, error: error)
            throw error
        }
        try state.finish(in: out)
    }

    /// The verdict in the report's words (`ScanVerdictText`).
    private func summary(_ results: ScanResults, directory: URL) -> String {
        ScanVerdictText(results).terminalLines(report: directory.appendingPathComponent(ScanReport.fileName))
            .joined(separator: "\n")
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
