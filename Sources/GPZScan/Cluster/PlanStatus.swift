import Foundation

/// Where each step of a plan stands in its directory (`gpz status`, and the lines `gpz merge` prints): a study is
/// `done` when its `results.json` holds exactly its settings, whoever wrote it (a cluster task or `gpz scan`);
/// otherwise its state file tells `running`, `failed` or `interrupted` (recorded as running by a process of this
/// host that no longer exists: killed, or requeued by Slurm and waiting to start again), and a step that never
/// started is `pending`.
public struct PlanStatus: Codable, Equatable, Sendable {
    public enum Status: String, Codable, Sendable {
        case done, running, failed, interrupted, pending
    }

    public struct Step: Codable, Equatable, Sendable {
        public var name: String
        public var status: Status
        /// The study's directory relative to the plan's (nil for the targets step).
        public var directory: String?
        public var state: StepState?
    }

    public var plan: String
    /// The targets step first (when two studies share a target), then the studies in the plan's order.
    public var steps: [Step]

    public init(plan: ScanPlan, out: URL) throws {
        try self.init(plan: plan, out: out,
                      finished: Set(plan.studies.filter { plan.finishedResults(of: $0, in: out) != nil }.map(\.name)))
    }

    /// The same from the names of the studies already known to be done (their results read once, by the caller).
    public init(plan: ScanPlan, out: URL, finished: Set<String>) throws {
        self.plan = plan.name
        var steps: [Step] = []
        if try !plan.sharedTargets.isEmpty {
            let state = StepState.read(step: .targets, in: out)
            steps.append(Step(name: StepState.Step.targets.name, status: Self.status(state), directory: nil, state: state))
        }
        for study in plan.studies {
            let state = StepState.read(step: .study(study.name), in: out)
            let done = finished.contains(study.name)
            steps.append(Step(name: study.name, status: done ? .done : Self.status(state),
                              directory: plan.relativeDirectory(of: study), state: state))
        }
        self.steps = steps
    }

    private static func status(_ state: StepState?) -> Status {
        guard let state else { return .pending }
        switch state.phase {
        case .done: return .done
        case .failed: return .failed
        case .running: return state.processGone ? .interrupted : .running
        }
    }

    /// The studies (not the targets step) that are not done.
    public var missing: [Step] { steps.filter { $0.directory != nil && $0.status != .done } }

    /// One line per step, for people.
    public var lines: [String] {
        let width = steps.map(\.name.count).max() ?? 0
        return steps.map { step in
            var line = "\(step.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(step.status.rawValue)"
            if let state = step.state {
                line += ", attempt \(state.attempt), started \(state.started)"
                if let array = state.slurm["array_job"], let task = state.slurm["array_task"] {
                    line += ", Slurm job \(array)_\(task)"
                } else if let job = state.slurm["job"] {
                    line += ", Slurm job \(job)"
                }
                if let error = state.error, step.status == .failed { line += ": \(error)" }
            }
            return line
        }
    }
}
