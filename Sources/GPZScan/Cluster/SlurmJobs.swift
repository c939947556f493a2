import Foundation
import GPZConfig
import GPZData

/// The resources each Slurm job of a plan asks for (`gpz submit`'s options).
public struct SlurmOptions: Equatable, Sendable {
    public var partition: String?
    public var gpusPerTask: Int?
    /// CPUs per task, also the libtorch thread count of every task (`GPZ_NUM_THREADS`), so that a task requeued on
    /// another node computes with the numerics its store recorded.
    public var cpusPerTask = 1
    /// Slurm's time limit (`MM`, `HH:MM:SS`, `D-HH:MM:SS`, …); nil keeps the partition's default.
    public var time: String?

    public init(partition: String? = nil, gpusPerTask: Int? = nil, cpusPerTask: Int = 1, time: String? = nil) {
        self.partition = partition
        self.gpusPerTask = gpusPerTask
        self.cpusPerTask = cpusPerTask
        self.time = time
    }

    /// Names the first option Slurm would refuse or misread, as the command line spells it.
    public func validate() throws {
        if let partition, partition.isEmpty || !partition.allSatisfy({ $0.isLetter || $0.isNumber || "-_.,".contains($0) }) {
            throw ConfigError(field: "--partition", "'\(partition)': expected a partition name (letters, digits, - _ . ,)")
        }
        if let gpusPerTask, gpusPerTask < 1 {
            throw ConfigError(field: "--gpus-per-task", "expected at least 1, got \(gpusPerTask)")
        }
        guard cpusPerTask >= 1 else { throw ConfigError(field: "--cpus-per-task", "expected at least 1, got \(cpusPerTask)") }
        if let time, time.range(of: #"^([0-9]+-)?[0-9]+(:[0-9]{1,2}){0,2}$"#, options: .regularExpression) == nil {
            throw ConfigError(field: "--time", "'\(time)': expected a Slurm time limit: MM, HH:MM:SS or D-HH:MM:SS")
        }
    }
}

/// A plan as Slurm jobs, written under `OUT/slurm/` by `gpz submit`:
///
/// - `targets.sbatch` (only when two studies share a target checkpoint): trains every shared target once;
/// - `studies.sbatch`: a job array, one task per study, each running `gpz scan --study NAME` into the study's own
///   directory and its own store (no two tasks write one SQLite file), requeueable: a rerun skips finished units;
/// - `merge.sbatch`: `gpz merge OUT`, after every array task has ended, however it ended;
/// - `submit.sh`: the three `sbatch` calls chained by `--dependency` (`afterok` on the targets, `afterany` for the
///   merge); `gpz submit` runs it, and it can be run again by hand.
public struct SlurmJobs {
    public static let folder = "slurm"

    public let plan: ScanPlan
    /// The plan's directory, absolute: it must be on a filesystem every node mounts.
    public let out: URL
    /// The `gpz` executable the tasks run, absolute.
    public let executable: String
    /// Where the tasks start (relative paths in the plan, such as a `csv:` data set, resolve from here).
    public let workingDirectory: String
    public let options: SlurmOptions

    public init(plan: ScanPlan, out: URL, executable: String, workingDirectory: String, options: SlurmOptions) {
        self.plan = plan
        self.out = out.standardizedFileURL
        self.executable = executable
        self.workingDirectory = workingDirectory
        self.options = options
    }

    public var directory: URL { out.appendingPathComponent(Self.folder) }

    /// The files, by name, in the order they run.
    public func scripts() throws -> [(name: String, text: String)] {
        let shared = try !plan.sharedTargets.isEmpty
        return (shared ? [("targets.sbatch", targetsScript)] : []) + [("studies.sbatch", studiesScript),
                ("merge.sbatch", mergeScript), ("submit.sh", submitScript(shared: shared))]
    }

    /// Writes the plan (`OUT/plan.json`) and the scripts; returns the scripts' folder.
    @discardableResult
    public func write() throws -> URL {
        try plan.write(to: out)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (name, text) in try scripts() {
            let url = directory.appendingPathComponent(name)
            try text.write(to: url, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        }
        return directory
    }

    private var gpz: String { "\(Self.quoted(executable)) scan --config \(Self.quoted(planPath)) --out \(Self.quoted(out.path))" }
    private var planPath: String { out.appendingPathComponent(ScanPlan.fileName).path }

    /// The `#SBATCH` lines every job shares, then `extra`.
    private func header(job: String, log: String, gpus: Bool, extra: [String] = []) -> String {
        var lines = ["#!/bin/bash", "# Written by gpz submit for plan '\(plan.name)' (\(plan.studies.count) studies).",
                     "#SBATCH --job-name=gpz-\(plan.name)-\(job)",
                     "#SBATCH --output=\(directory.appendingPathComponent(log).path)", "#SBATCH --open-mode=append",
                     "#SBATCH --cpus-per-task=\(gpus ? options.cpusPerTask : 1)"]
        if let partition = options.partition { lines.append("#SBATCH --partition=\(partition)") }
        if gpus, let count = options.gpusPerTask { lines.append("#SBATCH --gpus-per-task=\(count)") }
        if let time = options.time { lines.append("#SBATCH --time=\(time)") }
        lines += extra.map { "#SBATCH \($0)" }
        lines += ["set -euo pipefail", "export GPZ_NUM_THREADS=${GPZ_NUM_THREADS:-\(options.cpusPerTask)}",
                  "cd \(Self.quoted(workingDirectory))"]
        return lines.joined(separator: "\n")
    }

    private static let attemptLine = #"echo "gpz: $(date -u +%FT%TZ) job ${SLURM_JOB_ID} attempt $((${SLURM_RESTART_COUNT:-0} + 1)) on $(hostname)""#

    private var targetsScript: String {
        [header(job: "targets", log: "targets-%j.log", gpus: true, extra: ["--requeue"]), Self.attemptLine,
         "exec \(gpz) --train-targets", ""].joined(separator: "\n")
    }

    private var studiesScript: String {
        [header(job: "studies", log: "studies-%A_%a.log", gpus: true,
                extra: ["--array=0-\(plan.studies.count - 1)", "--requeue", "--kill-on-invalid-dep=yes"]),
         "studies=(\(plan.studies.map { Self.quoted($0.name) }.joined(separator: " ")))",
         #"study=${studies[$SLURM_ARRAY_TASK_ID]}"#, Self.attemptLine + #" study "$study""#,
         "exec \(gpz) --study \"$study\"", ""].joined(separator: "\n")
    }

    private var mergeScript: String {
        [header(job: "merge", log: "merge-%j.log", gpus: false, extra: ["--kill-on-invalid-dep=yes"]),
         "exec \(Self.quoted(executable)) merge \(Self.quoted(out.path))", ""].joined(separator: "\n")
    }

    /// Prints `STEP JOBID` per job submitted; `gpz submit` reads these lines.
    private func submitScript(shared: Bool) -> String {
        var lines = ["#!/bin/bash", "# Submits plan '\(plan.name)' to Slurm (written by gpz submit; running it again "
                     + "resubmits, and finished work is skipped).", "set -euo pipefail",
                     "cd \(Self.quoted(directory.path))"]
        var dependency = ""
        if shared {
            lines += ["targets=$(sbatch --parsable targets.sbatch)", "targets=${targets%%;*}", #"echo "targets $targets""#]
            dependency = " --dependency=afterok:$targets"
        }
        lines += ["studies=$(sbatch --parsable\(dependency) studies.sbatch)", "studies=${studies%%;*}",
                  #"echo "studies $studies""#, "merge=$(sbatch --parsable --dependency=afterany:$studies merge.sbatch)",
                  "merge=${merge%%;*}", #"echo "merge $merge""#, ""]
        return lines.joined(separator: "\n")
    }

    /// `text` in single quotes for bash.
    static func quoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }
}
