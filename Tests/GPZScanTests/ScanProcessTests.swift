import Foundation
import GPZConfig
import GPZReport
import GPZScan
import GPZTestSupport
import XCTest

/// `gpz scan` as a user runs it: the built executable on a tiny generated data set.
final class ScanProcessTests: XCTestCase {
    private var work: URL!

    override func setUpWithError() throws {
        work = try makeTemporaryDirectory("gpz-scan-test")
    }

    /// 4 classes × 60 images of 16×16: a class-dependent bright square on seeded noise, label first.
    private func writeDataSet() throws -> URL {
        var state: UInt64 = 12345
        func next() -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(state >> 59)
        }
        var lines: [String] = []
        for i in 0..<240 {
            let label = i % 4
            var pixels: [Int] = []
            for y in 0..<16 {
                for x in 0..<16 {
                    let inSquare = (x / 8 == label % 2) && (y / 8 == label / 2)
                    pixels.append(Swift.min(255, (inSquare ? 180 : 20) + 4 * next()))
                }
            }
            lines.append(([label] + pixels).map(String.init).joined(separator: ","))
        }
        let url = work.appendingPathComponent("tiny.csv")
        try lines.joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    private func writeConfig(splits: String = "all") throws -> URL {
        let data = try writeDataSet()
        let text = """
            name: tiny
            target: {dataset: "csv:\(data.path),shape=1x16x16", image_size: 16, cnn4_width: 4, epochs: 2, batch: 16,
                     private: train, flip: 0}
            analysis: {sample: 80}
            attack: {splits: "\(splits)", epochs: 2, batch: 16, evaluate_limit: 24, escalation_epochs: 3, ladder: [0.5]}
            """
        let url = work.appendingPathComponent("tiny.yaml")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    private func launch(_ arguments: [String]) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = try GPZExecutable.url(besides: Self.self)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(["GPZ_NUM_THREADS": "1"]) { $1 }
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return (process, errors)
    }

    private func run(_ arguments: [String]) throws -> (status: Int32, stderr: String) {
        let (process, errors) = try launch(arguments)
        let data = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    private func results(_ directory: URL) throws -> ScanResults {
        var results = try ResultsJSON.decoder().decode(ScanResults.self,
                                                    from: Data(contentsOf: ScanRunner.resultsURL(directory)))
        results.timing = [:]
        return results
    }

    /// Starts a scan and kills it (SIGKILL) once the store holds at least `units` units.
    private func killScan(config: URL, out: URL, afterUnits units: Int) throws -> Bool {
        let (process, errors) = try launch(["scan", "--config", config.path, "--out", out.path])
        DispatchQueue.global().async { _ = errors.fileHandleForReading.readDataToEndOfFile() }
        let storeURL = out.appendingPathComponent("scan.sqlite")
        while process.isRunning {
            if FileManager.default.fileExists(atPath: storeURL.path),
               let count = try? ScanStore(readingAt: storeURL).inventory().count, count >= units {
                kill(process.processIdentifier, SIGKILL)
                break
            }
            usleep(20_000)
        }
        process.waitUntilExit()
        return process.terminationReason == .uncaughtSignal
    }

    func testKilledScansResumeToTheUninterruptedResult() throws {
        let config = try writeConfig()
        let whole = work.appendingPathComponent("whole"), killed = work.appendingPathComponent("killed")
        let first = try run(["scan", "--config", config.path, "--out", whole.path])
        XCTAssertEqual(first.status, 0, first.stderr)
        // Killed during target training (after epoch 1), then during the attack (after the analysis: five splits
        // and the bootstrap replicates).
        XCTAssertTrue(try killScan(config: config, out: killed, afterUnits: 1), "the scan finished before the kill")
        XCTAssertTrue(try killScan(config: config, out: killed, afterUnits: 2 + 5 + 1), "the scan finished before the kill")
        let last = try run(["scan", "--config", config.path, "--out", killed.path])
        XCTAssertEqual(last.status, 0, last.stderr)
        XCTAssertEqual(try results(killed), try results(whole))
        let inventory = try ScanStore(readingAt: killed.appendingPathComponent("scan.sqlite")).inventory()
        XCTAssertEqual(inventory, try ScanStore(readingAt: whole.appendingPathComponent("scan.sqlite")).inventory())
        // Two epochs, five analysed splits, one set of bootstrap replicates, five attacked splits in the first run,
        // and at each split it left open four more runs: three seeds and the ladder's one rung, to convergence.
        let finished = try results(whole)
        XCTAssertEqual(finished.attack.seeds.count, 3)
        XCTAssertFalse(finished.attack.replicatedSplits.isEmpty)
        let open = finished.attack.replicatedSplits.count
        XCTAssertEqual(inventory.filter { $0.hasPrefix("train-epoch:") }.count, 2)
        XCTAssertEqual(inventory.filter { $0.hasPrefix("analysis:") }.count, 5)
        XCTAssertEqual(inventory.filter { $0.hasPrefix("bootstrap:") }.count, 1)
        XCTAssertEqual(inventory.filter { $0.hasPrefix("attack:") }.count, 5 + 4 * open)
        XCTAssertEqual(inventory.count, 2 + 5 + 1 + 5 + 4 * open, "\(inventory)")
        let runs = try XCTUnwrap(finished.zones.leakage?.splits.first { $0.index == finished.attack.replicatedSplits[0] }?.runs)
        XCTAssertEqual(runs.map(\.budget), [1, 1, 1, 1, 0.5])
        XCTAssertEqual(runs.map(\.epochs), [2, 3, 3, 3, 3])
        // A rerun of a finished scan does no work and changes nothing.
        let again = try run(["scan", "--config", config.path, "--out", killed.path])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stderr.contains("already attacked"), again.stderr)
        XCTAssertEqual(try results(killed), try results(whole))
    }

    func testRunDirectoryHoldsTheDocumentedFiles() throws {
        let config = try writeConfig(splits: "block1,block3")
        let out = work.appendingPathComponent("run")
        let result = try run(["scan", "--config", config.path, "--out", out.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        for file in ["results.json", "results.csv", "report.html", "config.json", "scan.sqlite"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent(file).path), file)
        }
        try ResultsSchema.check(Data(contentsOf: ScanRunner.resultsURL(out)))
        let results = try results(out)
        XCTAssertEqual(results.splits.count, 5)
        XCTAssertEqual(results.splits.filter { $0.mse != nil }.map(\.name), ["block1", "block3"])
        for split in results.splits where split.mse != nil {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent(split.grid ?? "-").path))
        }
        let csv = try String(contentsOf: out.appendingPathComponent("results.csv"), encoding: .utf8)
        XCTAssertEqual(csv.split(separator: "\n").count, 1 + 5)
    }

    /// A bad value is reported the same way whether a scan file or a command-line option gives it: one line
    /// naming the dotted field, status 2.
    func testTheSameBadValueGivesTheSameErrorFromAFileAndAnOption() throws {
        let config = work.appendingPathComponent("bad.yaml"), out = work.appendingPathComponent("bad").path
        let cases: [(file: String, options: [String], error: String)] = [
            ("attack: {evaluate_limit: 0}", ["attack", "--checkpoint", out, "--out", out, "--evaluate-limit", "0"],
             "error: attack.evaluate_limit: expected at least 1, got 0\n"),
            ("attack: {aux_limit: 0}", ["attack", "--checkpoint", out, "--out", out, "--aux-limit", "0"],
             "error: attack.aux_limit: expected at least 1, got 0\n"),
            ("target: {epochs: 0}", ["train", "--epochs", "0", "--out", out],
             "error: target.epochs: expected 1…100000, got 0\n"),
            ("target: {flip: 2}", ["train", "--flip", "2", "--out", out], "error: target.flip: expected 0.0…1.0, got 2.0\n"),
        ]
        for (file, options, error) in cases {
            try file.write(to: config, atomically: true, encoding: .utf8)
            let fromFile = try run(["scan", "--config", config.path, "--out", out])
            let fromOption = try run(options)
            XCTAssertEqual(fromFile.status, 2, file)
            XCTAssertEqual(fromOption.status, 2, options.joined(separator: " "))
            XCTAssertEqual(fromFile.stderr, error)
            XCTAssertEqual(fromOption.stderr, error)
        }
    }

    func testPlanStudiesShareTheirTarget() throws {
        let data = try writeDataSet()
        let plan = work.appendingPathComponent("plan.yaml")
        try """
            name: pair
            studies:
              - {name: one, target: {dataset: "csv:\(data.path),shape=1x16x16", image_size: 16, cnn4_width: 4,
                                     epochs: 1, batch: 16, private: train, flip: 0},
                 analysis: {sample: 40}, attack: {splits: "block2", epochs: 1, batch: 16, evaluate_limit: 8}}
              - {name: two, target: {dataset: "csv:\(data.path),shape=1x16x16", image_size: 16, cnn4_width: 4,
                                     epochs: 1, batch: 16, private: train, flip: 0},
                 analysis: {sample: 40}, attack: {splits: "block2", epochs: 2, batch: 16, evaluate_limit: 8}}
            """.write(to: plan, atomically: true, encoding: .utf8)
        let out = work.appendingPathComponent("plan")
        let result = try run(["scan", "--config", plan.path, "--out", out.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("has all 1 epochs; reusing it"), result.stderr)
        let comparison = try JSONSerialization.jsonObject(
            with: Data(contentsOf: out.appendingPathComponent("comparison.json"))) as? [String: Any]
        XCTAssertEqual((comparison?["studies"] as? [Any])?.count, 2)
        let two = try results(out.appendingPathComponent("two"))
        XCTAssertTrue(two.target.checkpoint.hasPrefix("../targets/"), two.target.checkpoint)
        XCTAssertEqual(two.target, try results(out.appendingPathComponent("one")).target)
    }

    /// A cluster run's steps, run here one after another: the shared target, then each study into its own store;
    /// `gpz merge` names the study still missing, and once both are done writes what `gpz scan` of the whole plan
    /// writes (timings aside).
    func testOneStudyAtATimeMergesToThePlanScan() throws {
        let data = try writeDataSet()
        let plan = work.appendingPathComponent("steps.yaml")
        let target = #"dataset: "csv:\#(data.path),shape=1x16x16", image_size: 16, cnn4_width: 4, epochs: 1, batch: 16, private: train, flip: 0"#
        try """
            name: steps
            studies:
              - {name: one, target: {\(target)}, analysis: {sample: 40, per_epoch: true, per_epoch_sample: 40},
                 attack: {splits: "block2", epochs: 1, batch: 16, evaluate_limit: 8, seeds: 1}}
              - {name: two, target: {\(target)}, analysis: {sample: 40, per_epoch: true, per_epoch_sample: 40},
                 attack: {splits: "block2", epochs: 2, batch: 16, evaluate_limit: 8, seeds: 1}}
            """.write(to: plan, atomically: true, encoding: .utf8)
        let whole = work.appendingPathComponent("whole"), steps = work.appendingPathComponent("steps")
        XCTAssertEqual(try run(["scan", "--config", plan.path, "--out", whole.path]).status, 0)
        let gpz = try GPZExecutable.url(besides: Self.self)
        for arguments in [["--train-targets"], ["--study", "one"]] {
            let step = try run(["scan", "--config", plan.path, "--out", steps.path] + arguments)
            XCTAssertEqual(step.status, 0, step.stderr)
        }
        let merged = try runProcess(gpz, ["merge", steps.path], environment: [:])
        XCTAssertEqual(merged.status, 0, merged.stderr)
        XCTAssertTrue(merged.stderr.contains("merged 1 of 2 studies of plan 'steps'; missing: two (pending)"), merged.stderr)
        XCTAssertEqual(try planResults(steps).missing, ["two"])
        let two = try run(["scan", "--config", plan.path, "--out", steps.path, "--study", "two"])
        XCTAssertEqual(two.status, 0, two.stderr)
        XCTAssertTrue(two.stderr.contains("has all 1 epochs; reusing it"), two.stderr)
        XCTAssertEqual(try runProcess(gpz, ["merge", steps.path], environment: [:]).status, 0)
        XCTAssertEqual(try planResults(steps), try planResults(whole))
        XCTAssertEqual(try planResults(steps).studies.first?.perEpoch?.count, 1)
        XCTAssertTrue(FileManager.default.fileExists(atPath: steps.appendingPathComponent("one/scan.sqlite").path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: steps.appendingPathComponent("targets/scan.sqlite").path))
        let status = try runProcess(gpz, ["status", steps.path], environment: [:])
        XCTAssertEqual(status.stdout.split(separator: "\n").first, "plan steps: 3 of 3 steps done", status.stdout)
    }

    /// `plan-results.json` with each study's timing removed.
    private func planResults(_ directory: URL) throws -> PlanResults {
        var plan = try ResultsJSON.decoder().decode(PlanResults.self,
                                                 from: Data(contentsOf: directory.appendingPathComponent(PlanResults.fileName)))
        plan.studies = plan.studies.map { var study = $0; study.timing = [:]; return study }
        return plan
    }

    func testBadConfigurationsExitWithStatusTwoAndOneLine() throws {
        let config = try writeConfig(splits: "block9")
        let cases: [([String], String)] = [
            (["scan", "--preset", "fastest"], "'fastest' is invalid for '--preset <preset>'"),
            (["scan", "--config", config.path, "--out", work.appendingPathComponent("bad").path], "attack.splits"),
        ]
        let wrongType = work.appendingPathComponent("wrong.json")
        try #"{"target": {"epochs": "many"}}"#.write(to: wrongType, atomically: true, encoding: .utf8)
        let missing = work.appendingPathComponent("absent.yaml")
        for (arguments, expected) in cases + [
            (["scan", "--config", wrongType.path], "target.epochs"),
            (["scan", "--config", missing.path], "absent.yaml"),
        ] {
            let result = try run(arguments)
            XCTAssertEqual(result.status, 2, "\(arguments): \(result.stderr)")
            let lines = result.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
            XCTAssertEqual(lines.count, 1, result.stderr)
            XCTAssertTrue(result.stderr.contains(expected), "\(expected) not in: \(result.stderr)")
        }
    }
}
