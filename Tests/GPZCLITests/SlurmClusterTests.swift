import Foundation
import GPZConfig
import GPZReport
import GPZScan
import GPZTestSupport
import XCTest

/// `gpz submit` on a real one-node Slurm cluster started for the test (scripts/slurm-local.sh, everything in a
/// temporary directory): a three-study plan whose first two studies share a target runs as a targets job, a job
/// array and a merge; one array task is requeued (killed) mid-run; the merged results equal a local `gpz scan` of
/// the same plan, timings aside. Gated on `slurm` (scripts/bootstrap.sh installs Slurm and MUNGE) and `root`.
final class SlurmClusterTests: XCTestCase {
    private static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// Starts the cluster in `folder`; its daemons are stopped when the test ends, passed or failed, by the PIDs
    /// their PID files hold.
    private func startCluster(in folder: URL) throws -> [String: String] {
        let script = Self.repository.appendingPathComponent("scripts/slurm-local.sh")
        addTeardownBlock {
            _ = try? runProcess(URL(fileURLWithPath: "/bin/bash"), [script.path, "stop", folder.path], environment: [:])
            for name in ["slurmd", "slurmctld", "munged"] {
                if let text = try? String(contentsOf: folder.appendingPathComponent("\(name).pid"), encoding: .utf8),
                   let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), kill(pid, 0) == 0 {
                    kill(pid, SIGKILL)
                }
            }
        }
        let started = try runProcess(URL(fileURLWithPath: "/bin/bash"), [script.path, "start", folder.path], environment: [:])
        XCTAssertEqual(started.status, 0, started.stderr)
        return ["SLURM_CONF": folder.appendingPathComponent("slurm.conf").path]
    }

    private func slurm(_ name: String, _ arguments: [String], _ environment: [String: String]) throws -> String {
        let result = try runProcess(try XCTUnwrap(Gate.tool(name)), arguments, environment: environment)
        XCTAssertEqual(result.status, 0, "\(name) \(arguments): \(result.stderr)")
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Polls `condition` every 100 ms for up to `seconds`.
    private func wait(_ seconds: Double, _ what: String, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return }
            usleep(100_000)
        }
        throw TimedOut(description: "gave up after \(seconds) s waiting for \(what)")
    }

    private struct TimedOut: Error, CustomStringConvertible {
        let description: String
    }

    /// Three tiny studies on a 160-image CSV: `shared-a` and `shared-b` attack one target (trained once, by the
    /// targets job), `own` trains another (seed 1).
    static func writePlan(in folder: URL) throws -> URL {
        let data = folder.appendingPathComponent("stripes.csv")
        try StripesFixture.writeCSV(count: 160, offset: 0, to: data)
        let target = #"dataset: "csv:\#(data.path),shape=1x16x16", image_size: 16, cnn4_width: 4, epochs: 2, batch: 16, private: train, flip: 0"#
        let analysis = "analysis: {sample: 40, bootstrap: 5}"
        let attack = #"splits: "block1,logits", batch: 16, evaluate_limit: 16, aux_limit: 24, seeds: 1"#
        let plan = folder.appendingPathComponent("tiny-array.yaml")
        try """
            name: tiny-array
            description: two studies on one shared target, one on its own
            studies:
              - {name: shared-a, target: {\(target)}, \(analysis), attack: {\(attack), epochs: 1}}
              - {name: shared-b, target: {\(target)}, \(analysis), attack: {\(attack), epochs: 8}}
              - {name: own, target: {\(target), seed: 1}, \(analysis), attack: {\(attack), epochs: 1}}
            """.write(to: plan, atomically: true, encoding: .utf8)
        return plan
    }

    private func results(_ url: URL) throws -> ScanResults {
        var results = try ResultsJSON.decoder().decode(ScanResults.self, from: Data(contentsOf: url))
        results.timing = [:]
        return results
    }

    /// The top-level fields of `a` and `b`'s JSON that differ (a short failure message instead of two whole files).
    private func differingFields(_ a: ScanResults, _ b: ScanResults) throws -> [String] {
        func fields(_ results: ScanResults) throws -> [String: Any] {
            try JSONSerialization.jsonObject(with: ResultsJSON.encoder().encode(results)) as? [String: Any] ?? [:]
        }
        let left = try fields(a), right = try fields(b)
        return left.keys.sorted().filter { !((left[$0] as? NSObject)?.isEqual(right[$0]) ?? false) }
    }

    func testPlanAsJobArrayWithARequeuedTaskMergesToTheLocalScan() throws {
        try require(.slurm)
        try require(.root)
        let work = try makeTemporaryDirectory("gpz-slurm")
        let environment = try startCluster(in: work.appendingPathComponent("cluster"))
        let plan = try Self.writePlan(in: work)
        let array = work.appendingPathComponent("array"), local = work.appendingPathComponent("local")

        let submitted = try GPZExecutable.run(["submit", "--config", plan.path, "--out", array.path, "--time", "10",
                                               "--json"], besides: Self.self, environment: environment)
        XCTAssertEqual(submitted.status, 0, submitted.stderr)
        let summary = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(submitted.stdout.utf8)) as? [String: Any])
        let jobs = try XCTUnwrap(summary["jobs"] as? [String: String])
        XCTAssertEqual(Set(jobs.keys), ["targets", "studies", "merge"])
        let studies = try XCTUnwrap(jobs["studies"]), merge = try XCTUnwrap(jobs["merge"])

        // Requeue shared-b (array task 1) once its statistics are recorded, while its attack runs: Slurm kills it,
        // and starts it again after its begin-time delay.
        let store = array.appendingPathComponent("shared-b/scan.sqlite")
        try wait(300, "shared-b's statistics") {
            guard FileManager.default.fileExists(atPath: store.path),
                  let units = try? ScanStore(readingAt: store).inventory() else { return false }
            return units.contains { $0.hasPrefix("analysis:") }
        }
        XCTAssertEqual(StepState.read(step: .study("shared-b"), in: array)?.phase, .running, "shared-b ended before the requeue")
        _ = try slurm("scontrol", ["requeue", "\(studies)_1"], environment)
        try wait(600, "the merge job") { try slurm("squeue", ["-h", "-j", "\(studies),\(merge)"], environment).isEmpty }

        let log = try String(contentsOf: array.appendingPathComponent("slurm/studies-\(studies)_1.log"), encoding: .utf8)
        XCTAssertTrue(log.contains("DUE TO JOB REQUEUE"), log)
        XCTAssertTrue(log.contains("analysis: all 5 splits already measured"), log)
        let requeued = try XCTUnwrap(StepState.read(step: .study("shared-b"), in: array))
        XCTAssertEqual(requeued.phase, .done)
        XCTAssertEqual(requeued.attempt, 2)
        XCTAssertEqual(requeued.slurm["restart_count"], "1")
        XCTAssertEqual(requeued.slurm["array_job"], studies)
        XCTAssertEqual(StepState.read(step: .targets, in: array)?.phase, .done)
        // The shared target was trained by the targets job alone: both studies found it finished.
        for study in ["shared-a", "shared-b"] {
            let text = try String(contentsOf: array.appendingPathComponent("slurm/studies-\(studies)_\(study == "shared-a" ? 0 : 1).log"),
                                  encoding: .utf8)
            XCTAssertTrue(text.contains("has all 2 epochs; reusing it"), text)
        }

        let status = try GPZExecutable.run(["status", array.path, "--json"], besides: Self.self)
        XCTAssertEqual(status.status, 0, status.stderr)
        let steps = try JSONDecoder().decode(PlanStatus.self, from: Data(status.stdout.utf8)).steps
        XCTAssertEqual(steps.map(\.name), ["targets", "shared-a", "shared-b", "own"])
        XCTAssertEqual(Set(steps.map(\.status)), [.done])

        let scanned = try GPZExecutable.run(["scan", "--config", plan.path, "--out", local.path], besides: Self.self)
        XCTAssertEqual(scanned.status, 0, scanned.stderr)
        for study in ["shared-a", "shared-b", "own"] {
            let fromArray = try results(ScanRunner.resultsURL(array.appendingPathComponent(study)))
            let fromScan = try results(ScanRunner.resultsURL(local.appendingPathComponent(study)))
            let differing = try differingFields(fromArray, fromScan)
            XCTAssertTrue(fromArray == fromScan, "\(study): \(differing) differ")
        }
        let merged = try ResultsJSON.decoder().decode(PlanResults.self, from: Data(contentsOf: array.appendingPathComponent(PlanResults.fileName)))
        let scannedPlan = try ResultsJSON.decoder().decode(PlanResults.self, from: Data(contentsOf: local.appendingPathComponent(PlanResults.fileName)))
        XCTAssertEqual(merged.missing, [])
        XCTAssertEqual(merged.studies.map(\.name), ["shared-a", "shared-b", "own"])
        func untimed(_ plan: PlanResults) -> PlanResults {
            var copy = plan
            copy.studies = copy.studies.map { var study = $0; study.timing = [:]; return study }
            return copy
        }
        XCTAssertTrue(untimed(merged) == untimed(scannedPlan), "plan-results.json differs")
        XCTAssertEqual(try Data(contentsOf: array.appendingPathComponent("comparison.json")),
                       try Data(contentsOf: local.appendingPathComponent("comparison.json")))
    }
}
