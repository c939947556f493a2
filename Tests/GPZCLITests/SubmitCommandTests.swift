import Foundation
import GPZReport
import GPZScan
import GPZTestSupport
import XCTest

/// `gpz submit --dry-run`, `gpz status` and `gpz merge` without Slurm: the scripts written, and bad input as one
/// line with exit status 2.
final class SubmitCommandTests: XCTestCase {
    func testDryRunWritesThePlanAndTheChainedScripts() throws {
        let work = try makeTemporaryDirectory("gpz-submit")
        let plan = try SlurmClusterTests.writePlan(in: work)
        let out = work.appendingPathComponent("it's here")
        let result = try GPZExecutable.run(["submit", "--config", plan.path, "--out", out.path, "--dry-run",
                                            "--partition", "gpu", "--gpus-per-task", "2", "--cpus-per-task", "8",
                                            "--time", "1-00:00:00", "--json"], besides: Self.self,
                                           environment: ["PATH": "/nonexistent"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let summary = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(summary["jobs"] as? [String: String], [:])
        XCTAssertEqual(summary["plan"] as? String, "tiny-array")
        let folder = out.appendingPathComponent("slurm")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted(),
                       ["merge.sbatch", "studies.sbatch", "submit.sh", "targets.sbatch"])
        XCTAssertEqual(try ScanPlan.stored(in: out), try ScanPlan.load(plan))
        let studies = try String(contentsOf: folder.appendingPathComponent("studies.sbatch"), encoding: .utf8)
        for line in ["#SBATCH --array=0-2", "#SBATCH --requeue", "#SBATCH --open-mode=append", "#SBATCH --partition=gpu",
                     "#SBATCH --gpus-per-task=2", "#SBATCH --cpus-per-task=8", "#SBATCH --time=1-00:00:00",
                     "studies=('shared-a' 'shared-b' 'own')", "export GPZ_NUM_THREADS=${GPZ_NUM_THREADS:-8}"] {
            XCTAssertTrue(studies.contains(line + "\n"), "\(line) not in\n\(studies)")
        }
        XCTAssertTrue(studies.contains("--out '\(work.path)/it'\\''s here' --study \"$study\""), studies)
        let merge = try String(contentsOf: folder.appendingPathComponent("merge.sbatch"), encoding: .utf8)
        XCTAssertFalse(merge.contains("--gpus-per-task"), merge)
        let submit = try String(contentsOf: folder.appendingPathComponent("submit.sh"), encoding: .utf8)
        XCTAssertTrue(submit.contains("sbatch --parsable --dependency=afterok:$targets studies.sbatch"), submit)
        XCTAssertTrue(submit.contains("sbatch --parsable --dependency=afterany:$studies merge.sbatch"), submit)

        let status = try GPZExecutable.run(["status", out.path], besides: Self.self)
        XCTAssertEqual(status.status, 0, status.stderr)
        XCTAssertEqual(status.stdout.split(separator: "\n").first, "plan tiny-array: 0 of 4 steps done")
        XCTAssertEqual(status.stdout.split(separator: "\n").filter { $0.hasSuffix(" pending") }.count, 4, status.stdout)
    }

    /// A study that fails records why; `gpz status` shows it, and a second start is the next attempt.
    func testAFailedStudyIsReportedByStatus() throws {
        let work = try makeTemporaryDirectory("gpz-submit-failed")
        let plan = try SlurmClusterTests.writePlan(in: work).path
        try FileManager.default.removeItem(at: work.appendingPathComponent("stripes.csv"))
        let out = work.appendingPathComponent("out").path
        for attempt in 1...2 {
            let result = try GPZExecutable.run(["scan", "--config", plan, "--out", out, "--study", "own"], besides: Self.self)
            XCTAssertEqual(result.status, 2, result.stderr)
            XCTAssertTrue(result.stderr.contains("stripes.csv"), result.stderr)
            XCTAssertEqual(StepState.read(step: .study("own"), in: URL(fileURLWithPath: out))?.attempt, attempt)
        }
        let status = try GPZExecutable.run(["status", out, "--json"], besides: Self.self)
        XCTAssertEqual(status.status, 0, status.stderr)
        let steps = try JSONDecoder().decode(PlanStatus.self, from: Data(status.stdout.utf8)).steps
        XCTAssertEqual(steps.map(\.status), [.pending, .pending, .pending, .failed])
        XCTAssertTrue(steps[3].state?.error?.contains("stripes.csv") ?? false, "\(steps[3])")
    }

    func testBadInputIsOneLineWithStatusTwo() throws {
        let work = try makeTemporaryDirectory("gpz-submit-bad")
        let plan = try SlurmClusterTests.writePlan(in: work).path
        let out = work.appendingPathComponent("out").path
        let cases: [([String], String)] = [
            (["submit", "--config", plan, "--out", out, "--time", "1h", "--dry-run"],
             "error: --time: '1h': expected a Slurm time limit: MM, HH:MM:SS or D-HH:MM:SS"),
            (["submit", "--config", plan, "--out", out, "--gpus-per-task", "0", "--dry-run"],
             "error: --gpus-per-task: expected at least 1, got 0"),
            (["submit", "--config", plan, "--out", out, "--partition", "a b", "--dry-run"],
             "error: --partition: 'a b': expected a partition name (letters, digits, - _ . ,)"),
            (["submit", "--config", plan, "--out", out], "error: sbatch: not found on PATH"),
            (["submit", "--out", out, "--dry-run"], "error: give exactly one of --preset NAME or --config FILE"),
            (["status", work.path], "error: \(work.path): no plan.json here"),
            (["merge", out], "error: \(out): no study of plan 'tiny-array' has finished (shared-a: pending, "),
            (["scan", "--config", plan, "--out", out, "--study", "nope"],
             "error: --study: plan 'tiny-array' has no study 'nope'; its studies: shared-a, shared-b, own"),
            (["scan", "--config", plan, "--study", "own", "--train-targets"],
             "error: give at most one of --study NAME or --train-targets"),
        ]
        for (arguments, expected) in cases {
            let result = try GPZExecutable.run(arguments, besides: Self.self, environment: ["PATH": "/nonexistent"])
            XCTAssertEqual(result.status, 2, "\(arguments): \(result.stderr)")
            let errors = result.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
            XCTAssertEqual(errors.count, 1, result.stderr)
            XCTAssertTrue(result.stderr.contains(expected), "\(expected)\nnot in: \(result.stderr)")
        }
    }
}
