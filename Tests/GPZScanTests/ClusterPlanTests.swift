import Foundation
import GPZConfig
import GPZData
import GPZReport
import GPZScan
import GPZTestSupport
import XCTest

/// The pieces of a cluster run that need no cluster: the plan file every task reads, the shared targets, the
/// Slurm options and the status of each step.
final class ClusterPlanTests: XCTestCase {
    private func study(_ name: String, seed: UInt64 = 0, epochs: Int = 2, attackEpochs: Int = 1) -> ScanConfig {
        var study = ScanConfig(name: name)
        study.target.seed = seed
        study.target.epochs = epochs
        study.attack.epochs = attackEpochs
        return study
    }

    /// Every task of a cluster run reads `plan.json`: it must give back each study with the same hash.
    func testPlanFileRoundTripsEveryPreset() throws {
        let out = try makeTemporaryDirectory("gpz-plan-file")
        for name in ScanPresets.names {
            let plan = try ScanPresets.plan(name)
            try plan.write(to: out)
            let stored = try ScanPlan.stored(in: out)
            XCTAssertEqual(stored, plan, name)
            XCTAssertEqual(try stored.studies.map { try $0.hash }, try plan.studies.map { try $0.hash }, name)
        }
    }

    func testSharedTargetsAreTheCheckpointsOfTwoOrMoreStudies() throws {
        let plan = ScanPlan(name: "p", description: "", studies: [
            study("a"), study("b", attackEpochs: 3), study("c", seed: 1), study("d", epochs: 3), study("e", seed: 1),
        ])
        XCTAssertEqual(try plan.sharedTargets.map { $0.map(\.name) }, [["a", "b"], ["c", "e"]])
        let alone = ScanPlan(name: "q", description: "", studies: [study("a"), study("c", seed: 1)])
        XCTAssertEqual(try alone.sharedTargets.count, 0)
        let jobs = SlurmJobs(plan: alone, out: URL(fileURLWithPath: "/shared/q"), executable: "/opt/gpz",
                             workingDirectory: "/home/u", options: SlurmOptions())
        // Without a shared target there is no targets job, and the array depends on nothing.
        XCTAssertEqual(try jobs.scripts().map(\.name), ["studies.sbatch", "merge.sbatch", "submit.sh"])
        let submit = try XCTUnwrap(try jobs.scripts().last?.text)
        XCTAssertTrue(submit.contains("studies=$(sbatch --parsable studies.sbatch)\n"), submit)
        XCTAssertFalse(submit.contains("afterok"), submit)
    }

    func testSlurmOptionsNameTheBadOne() {
        let cases: [(SlurmOptions, String)] = [
            (SlurmOptions(time: "90min"), "--time"), (SlurmOptions(time: "1:2:3:4"), "--time"),
            (SlurmOptions(partition: ""), "--partition"), (SlurmOptions(partition: "gpu;rm"), "--partition"),
            (SlurmOptions(gpusPerTask: 0), "--gpus-per-task"), (SlurmOptions(cpusPerTask: 0), "--cpus-per-task"),
        ]
        for (options, field) in cases {
            XCTAssertThrowsError(try options.validate(), field) { XCTAssertEqual(($0 as? ConfigError)?.field, field) }
        }
        for time in ["30", "2:00:00", "1-12:00:00", "45:00"] {
            XCTAssertNoThrow(try SlurmOptions(partition: "gpu,gpu-long", gpusPerTask: 1, time: time).validate(), time)
        }
    }

    func testStatusOfEachStep() throws {
        let out = try makeTemporaryDirectory("gpz-plan-status")
        let plan = ScanPlan(name: "p", description: "", studies: [study("a"), study("b"), study("c", seed: 1), study("d", seed: 2)])
        try plan.write(to: out)
        XCTAssertEqual(try PlanStatus(plan: plan, out: out).steps.map(\.status), [.pending, .pending, .pending, .pending, .pending])
        try StepState.start(step: .targets, in: out).finish(in: out)
        let running = try StepState.start(step: .study("a"), in: out)
        XCTAssertEqual(running.attempt, 1)
        try StepState.start(step: .study("b"), in: out).finish(in: out, error: ScanError("disk full"))
        // A step recorded as running by a process of this host that has ended: killed, or requeued.
        let ended = Process()
        ended.executableURL = URL(fileURLWithPath: "/bin/true")
        try ended.run()
        ended.waitUntilExit()
        var gone = try StepState.start(step: .study("c"), in: out)
        gone.pid = ended.processIdentifier
        try JSONEncoder().encode(gone).write(to: StepState.url(step: .study("c"), in: out))
        let status = try PlanStatus(plan: plan, out: out)
        XCTAssertEqual(status.steps.map(\.name), ["targets", "a", "b", "c", "d"])
        XCTAssertEqual(status.steps.map(\.status), [.done, .running, .failed, .interrupted, .pending])
        XCTAssertEqual(status.missing.map(\.name), ["a", "b", "c", "d"])
        XCTAssertTrue(status.lines[2].hasSuffix(": disk full"), status.lines[2])
        // A study cannot take the name of a folder the plan's directory keeps for itself.
        let clash = ScanPlan(name: "p", description: "", studies: [study("a"), study("slurm")])
        XCTAssertThrowsError(try clash.validate()) {
            XCTAssertEqual(($0 as? ConfigError)?.field, "studies[1].name")
        }
        // A second start is the next attempt.
        XCTAssertEqual(try StepState.start(step: .study("b"), in: out).attempt, 2)
    }
}
