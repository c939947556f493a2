import Foundation
import GPZModels
import GPZTensor

/// A plan run: its studies one after another, each into its run directory, and for several studies the
/// comparison (`comparison.json`, `plan-results.json` and the publisher's page). `study(named:)` runs one study
/// of the plan into its own store and `trainSharedTargets` trains the targets several studies share: the two steps
/// a cluster run is made of (`gpz submit`), each recording its state for `gpz status`. Progress and context go to
/// `events`; each finished study to `finished`, so that a caller prints its verdict as soon as it is known.
public struct PlanRun {
    public let plan: ScanPlan
    public let out: URL
    /// Where target checkpoints live: `--targets`, else the plan directory's `targets/`.
    public let targets: URL
    /// Overrides each study's `device` field (`--device`).
    public let device: Device?
    public let publisher: (any ScanPublisher)?
    public let events: (ScanEvent) -> Void

    public init(plan: ScanPlan, out: URL, targets: URL? = nil, device: Device? = nil,
                publisher: (any ScanPublisher)?, events: @escaping (ScanEvent) -> Void = { _ in }) {
        self.plan = plan
        self.out = out
        self.targets = targets ?? out.appendingPathComponent("targets")
        self.device = device
        self.publisher = publisher
        self.events = events
    }

    /// Checks the plan and what the run directory holds, then writes the plan there (what `gpz status` and
    /// `gpz merge` read); a broken `deploy.json` is an error now, not after the studies ran.
    func prepare() throws {
        try plan.validate()
        _ = try DeploySweep.load(from: out)
        try plan.write(to: out)
    }

    /// Every study in order, then the comparison when there are several (nil for one study).
    public func run(finished: (ScanResults, URL) throws -> Void) throws -> (studies: [ScanResults],
                                                                          comparison: PlanResults.Written?) {
        try prepare()
        var done: [(directory: String, results: ScanResults)] = []
        for (position, study) in plan.studies.enumerated() {
            let results = try run(study, position: position, shared: out)
            try finished(results, plan.directory(of: study, in: out))
            done.append((plan.relativeDirectory(of: study), results))
        }
        let comparison = plan.studies.count > 1
            ? try PlanResults.write(plan: plan, finished: done, to: out, publisher: publisher) : nil
        return (done.map(\.results), comparison)
    }

    /// The study called `name` alone, with its store in its own directory, between its step-state records.
    public func study(named name: String, finished: (ScanResults, URL) throws -> Void) throws -> ScanResults {
        try prepare()
        let config = try plan.study(named: name)
        return try recording(.study(name)) {
            let results = try run(config, position: plan.studies.firstIndex(of: config) ?? 0,
                                  shared: plan.directory(of: config, in: out))
            try finished(results, plan.directory(of: config, in: out))
            return results
        }
    }

    /// Trains each target that two or more studies share, once, into the targets folder (its own store beside
    /// it), between the step-state records; returns the checkpoints.
    public func trainSharedTargets() throws -> [URL] {
        try prepare()
        return try recording(.targets) {
            let groups = try plan.sharedTargets
            if groups.isEmpty { events(.note("scan \(plan.name): no target is shared by two studies; nothing to train")) }
            return try groups.map { group in
                var study = group[0]
                if let device { study.device = device }
                events(.note("scan \(plan.name): target of \(group.map(\.name).joined(separator: ", ")) → \(targets.path)"))
                return try ScanRunner(config: study, directory: targets, shared: targets, targets: targets)
                    .trainTarget(events: events)
            }
        }
    }

    /// Runs one study with its store in `shared`.
    private func run(_ config: ScanConfig, position: Int, shared: URL) throws -> ScanResults {
        var study = config
        if let device { study.device = device }
        let directory = plan.directory(of: study, in: out)
        events(.note("scan \(plan.name): study \(position + 1)/\(plan.studies.count) '\(study.name)' → \(directory.path)"))
        return try ScanRunner(config: study, directory: directory, shared: shared, targets: targets, publisher: publisher)
            .run(events: events)
    }

    /// Runs `body` between the step's state records: running, then done or failed (the error is rethrown).
    private func recording<T>(_ step: StepState.Step, _ body: () throws -> T) throws -> T {
        let state = try StepState.start(step: step, in: out)
        do {
            let value = try body()
            try state.finish(in: out)
            return value
        } catch {
            try? state.finish(in: out, error: error)
            throw error
        }
    }
}
