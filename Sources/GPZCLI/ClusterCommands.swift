import ArgumentParser
import Foundation
import GPZConfig
import GPZData
import GPZReport
import GPZScan

/// `gpz submit`: a plan as a Slurm job array (one task per study), its shared targets trained first, and a merge
/// after the last task.
struct SubmitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Run a plan on a Slurm cluster: one array task per study, then gpz merge (docs/cluster.md).",
        discussion: """
        Writes OUT/plan.json and, under OUT/slurm/, targets.sbatch (when two studies share a target: trained once, \
        first), studies.sbatch (a job array, one task per study, each into its own directory and store, requeueable), \
        merge.sbatch (gpz merge OUT once every task has ended) and submit.sh, which chains them with sbatch \
        --dependency; then runs submit.sh. OUT must be on a filesystem every node mounts. --dry-run writes and prints \
        the scripts without submitting (Slurm need not be installed).
        """
    )

    @OptionGroup var planOptions: PlanOptions

    @Option(help: "Plan directory on a shared filesystem (default: runs/<plan name>).")
    var out: String?

    @Option(help: "Slurm partition (default: the cluster's default partition).")
    var partition: String?

    @Option(help: "GPUs per study task (default: none).")
    var gpusPerTask: Int?

    @Option(help: "CPUs per study task, also its libtorch threads (GPZ_NUM_THREADS unless exported).")
    var cpusPerTask = 1

    @Option(help: "Time limit per job: MM, HH:MM:SS or D-HH:MM:SS (default: the partition's).")
    var time: String?

    @Option(help: "The gpz executable the tasks run (default: this one); it must be reachable from every node.")
    var gpz: String?

    @Flag(help: "Write and print the scripts; submit nothing.")
    var dryRun = false

    @Flag(help: "Print one JSON object last: the scripts' folder and the job ids.")
    var json = false

    func validate() throws { try planOptions.requireOne() }

    func run() throws {
        try reportingErrors {
            let options = SlurmOptions(partition: partition, gpusPerTask: gpusPerTask, cpusPerTask: cpusPerTask, time: time)
            try options.validate()
            let plan = try planOptions.load()
            try plan.validate()
            let directory = URL(fileURLWithPath: out ?? "runs/\(plan.name)").standardizedFileURL
            let jobs = SlurmJobs(plan: plan, out: directory, executable: try executable(),
                                 workingDirectory: FileManager.default.currentDirectoryPath, options: options)
            let folder = try jobs.write()
            var ids: [String: String] = [:]
            if dryRun {
                for (name, text) in try jobs.scripts() { note("==> \(folder.appendingPathComponent(name).path) <==\n\(text)") }
                if !json { print("written: \(folder.path) (not submitted; run \(folder.path)/submit.sh to submit)") }
            } else {
                ids = try submit(folder)
                if !json {
                    for (step, id) in ids.sorted(by: { $0.value < $1.value }) { print("\(step): Slurm job \(id)") }
                    print("gpz status \(directory.path) follows it; the comparison lands in \(directory.path)/index.html")
                }
            }
            if json { print(try jsonLine(SubmitSummary(plan: plan.name, directory: directory.path, scripts: folder.path, jobs: ids))) }
        }
    }

    /// Runs `submit.sh`, whose lines are `STEP JOBID`; the ids are also kept in `slurm/jobs.json`.
    private func submit(_ folder: URL) throws -> [String: String] {
        guard let sbatch = ProcessInfo.processInfo.environment["PATH"]?.split(separator: ":")
                .map({ "\($0)/sbatch" }).first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw ConfigError(field: "sbatch", "not found on PATH: run gpz submit where Slurm's client is installed, "
                              + "or use --dry-run and submit \(folder.path)/submit.sh there")
        }
        note("submitting with \(sbatch)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [folder.appendingPathComponent("submit.sh").path]
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let problems = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        var ids: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count == 2 { ids[String(fields[0])] = String(fields[1]) }
        }
        try JSONSerialization.data(withJSONObject: ids, options: [.sortedKeys])
            .write(to: folder.appendingPathComponent("jobs.json"), options: .atomic)
        guard process.terminationStatus == 0 else {
            throw ConfigError(field: "sbatch", "submission failed after \(ids.count) jobs: "
                              + problems.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return ids
    }

    private func executable() throws -> String {
        if let gpz {
            let path = URL(fileURLWithPath: gpz).standardizedFileURL.path
            guard FileManager.default.isExecutableFile(atPath: path) else {
                throw ConfigError(field: "--gpz", "\(path): not an executable file")
            }
            return path
        }
        return (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
    }
}

/// What `gpz submit --json` prints.
private struct SubmitSummary: Encodable {
    let plan: String
    let directory: String
    let scripts: String
    /// Step (`targets`, `studies`, `merge`) → Slurm job id; empty with --dry-run.
    let jobs: [String: String]
}

/// `gpz status DIR`: which studies of a plan are done, running, failed, interrupted or pending.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Tell which studies of a plan's directory are done, running, failed, interrupted or pending."
    )

    @Argument(help: "The plan's directory (written by gpz submit or gpz scan).")
    var directory: String

    @Flag(help: "Print one JSON object: the status of every step.")
    var json = false

    func run() throws {
        try reportingErrors {
            let out = URL(fileURLWithPath: directory)
            let status = try PlanStatus(plan: try ScanPlan.stored(in: out), out: out)
            if json {
                print(try jsonLine(status))
            } else {
                print("plan \(status.plan): \(status.steps.filter { $0.status == .done }.count) of "
                      + "\(status.steps.count) steps done")
                status.lines.forEach { print("  " + $0) }
            }
        }
    }
}

/// `gpz merge DIR`: the comparison page and `plan-results.json` from the studies that are done.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Write a plan's comparison (index.html, comparison.json, plan-results.json) from its finished studies.",
        discussion: """
        Reads DIR/plan.json and every study's results.json; studies without results are named (with their status) \
        and left out. gpz submit runs it after the last array task; it can be run at any time.
        """
    )

    @Argument(help: "The plan's directory (written by gpz submit or gpz scan).")
    var directory: String

    @Flag(help: "Print one JSON object last: the comparison (a plan of one study: its results.json).")
    var json = false

    func run() throws {
        try reportingErrors {
            let out = URL(fileURLWithPath: directory)
            let plan = try ScanPlan.stored(in: out)
            let finished = plan.studies.compactMap { study in
                plan.finishedResults(of: study, in: out).map { (directory: plan.relativeDirectory(of: study), results: $0) }
            }
            let status = try PlanStatus(plan: plan, out: out, finished: Set(finished.map(\.results.name)))
            guard !finished.isEmpty else {
                throw ConfigError(field: out.path, "no study of plan '\(plan.name)' has finished "
                                  + "(\(status.missing.map { "\($0.name): \($0.status.rawValue)" }.joined(separator: ", ")))")
            }
            if plan.studies.count == 1, let only = finished.first?.results {
                note("plan '\(plan.name)' has one study: nothing to merge")
                print(json ? try jsonLine(only) : "results: \(ScanRunner.resultsURL(out).path)")
                return
            }
            let written = try PlanResults.write(plan: plan, finished: finished, to: out, publisher: HTMLPublisher())
            note("merged \(finished.count) of \(plan.studies.count) studies of plan '\(plan.name)'"
                 + (status.missing.isEmpty ? "" : "; missing: "
                    + status.missing.map { "\($0.name) (\($0.status.rawValue))" }.joined(separator: ", ")))
            if json {
                print(try jsonLine(written.comparison))
            } else {
                print("comparison: \((written.index ?? written.results).path)")
                print("results: \(written.results.path)")
            }
        }
    }
}
