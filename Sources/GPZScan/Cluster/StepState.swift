import Foundation
#if canImport(Glibc)
import GPZConfig
import Glibc
#endif

/// What one step of a plan run on its own (a study, or the training of the shared targets) last did, in
/// `OUT/state/`. Only the process running the step writes the file, so a cluster's tasks never share
/// one; `gpz status` and `gpz merge` read them. A task that Slurm requeues writes it again with the next attempt.
public struct StepState: Codable, Equatable, Sendable {
    public enum Phase: String, Codable, Sendable {
        case running, done, failed
    }

    /// A step of a plan: the training of its shared targets, or one study. Their files cannot collide, whatever the
    /// studies are named (`state/targets.json`, `state/study-NAME.json`).
    public enum Step: Equatable, Sendable {
        case targets
        case study(String)

        public var name: String {
            switch self {
            case .targets: return "targets"
            case .study(let name): return name
            }
        }

        var fileName: String {
            switch self {
            case .targets: return "targets.json"
            case .study(let name): return "study-\(name).json"
            }
        }
    }

    public static let folder = "state"

    /// The step's name: `targets`, or the study's name.
    public var step: String
    /// Whether the step trained the shared targets (else it ran the study named `step`).
    public var targets: Bool
    public var phase: Phase
    /// 1 for the first start, one more for every start after it (a rerun, a requeue).
    public var attempt: Int
    /// UTC times, ISO 8601.
    public var started: String
    public var finished: String?
    public var host: String
    public var pid: Int32
    /// The Slurm job, array job and array task ids, and the requeue count, when Slurm started the step.
    public var slurm: [String: String]
    public var error: String?

    enum CodingKeys: String, CodingKey { case step, targets, phase, attempt, started, finished, host, pid, slurm, error }

    /// The variables of Slurm's environment that identify a task.
    static let slurmVariables = ["SLURM_JOB_ID": "job", "SLURM_ARRAY_JOB_ID": "array_job",
                                 "SLURM_ARRAY_TASK_ID": "array_task", "SLURM_RESTART_COUNT": "restart_count",
                                 "SLURMD_NODENAME": "node"]

    public static func url(step: Step, in out: URL) -> URL {
        out.appendingPathComponent(folder).appendingPathComponent(step.fileName)
    }

    /// The recorded state of `step`, or nil when it never started (or the file is unreadable: it is rewritten at the
    /// next start).
    public static func read(step: Step, in out: URL) -> StepState? {
        guard let data = try? Data(contentsOf: url(step: step, in: out)) else { return nil }
        return try? JSONDecoder().decode(StepState.self, from: data)
    }

    /// Records that `step` starts now in this process.
    public static func start(step: Step, in out: URL,
                             environment: [String: String] = ProcessInfo.processInfo.environment) throws -> StepState {
        var slurm: [String: String] = [:]
        for (variable, key) in slurmVariables { if let value = environment[variable] { slurm[key] = value } }
        let state = StepState(step: step.name, targets: step == .targets, phase: .running, attempt: (read(step: step, in: out)?.attempt ?? 0) + 1,
                              started: Self.now(), finished: nil, host: ProcessInfo.processInfo.hostName,
                              pid: getpid(), slurm: slurm, error: nil)
        try state.write(in: out)
        return state
    }

    /// Records how the step ended: done, or failed with `error`.
    public func finish(in out: URL, error: Error? = nil) throws {
        var state = self
        state.phase = error == nil ? .done : .failed
        state.finished = Self.now()
        state.error = error.map { "\($0)" }
        try state.write(in: out)
    }

    private func write(in out: URL) throws {
        let url = Self.url(step: targets ? .targets : .study(step), in: out)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try ResultsJSON.encoder().encode(self).write(to: url, options: .atomic)
    }

    private static func now() -> String { ISO8601DateFormatter().string(from: Date()) }

    /// Whether the process that recorded `running` is certainly gone: it ran on this host and no process has its
    /// PID any more (a kill, a requeue). On another host nothing can be told.
    public var processGone: Bool {
        guard phase == .running, host == ProcessInfo.processInfo.hostName else { return false }
        return kill(pid, 0) != 0 && errno == ESRCH
    }
}
