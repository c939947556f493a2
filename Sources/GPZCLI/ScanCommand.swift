import ArgumentParser
import Foundation
import GPZReport
import GPZScan

/// `gpz scan`: the whole study — data, target, statistics, zones, attacks, costs — in one resumable command.
struct ScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Run a whole study (train, analyse, attack every split) and write results.json, results.csv, report.html.",
        discussion: """
        Give a preset (--preset NAME; --list-presets shows them) or a configuration file (--config FILE, YAML or \
        JSON; docs/scan.md). Finished units of work (target epochs, the statistics of each split, the attack on \
        each split) are recorded in OUT/scan.sqlite: running the same command again skips them, so a scan that \
        was interrupted — even killed — continues where it stopped and ends with the same results. --study NAME \
        runs one study of a plan into its own directory and store, and --train-targets only the targets that \
        several studies share: the steps of a cluster run (gpz submit, docs/cluster.md).
        """
    )

    @OptionGroup var planOptions: PlanOptions

    @Option(help: "Run directory (default: runs/<preset or config name>).")
    var out: String?

    @Option(help: "Folder of target checkpoints shared between runs (default: OUT/targets).")
    var targets: String?

    @Option(help: "Run only this study of the plan, with its store in its own directory (one task of gpz submit).")
    var study: String?

    @Flag(help: "Only train the targets that two or more studies of the plan share (gpz submit's first step).")
    var trainTargets = false

    @OptionGroup var deviceOption: DeviceOption

    @Flag(help: "List the presets and exit.")
    var listPresets = false

    @Flag(help: "Print one JSON object last: results.json (or, for several studies, the comparison).")
    var json = false

    func validate() throws {
        if !listPresets { try planOptions.requireOne() }
        guard study == nil || !trainTargets else {
            throw ValidationError("give at most one of --study NAME or --train-targets")
        }
    }

    func run() throws {
        try reportingErrors {
            if listPresets {
                for preset in Preset.allCases {
                    print("\(preset.rawValue.padding(toLength: 20, withPad: " ", startingAt: 0)) \(try preset.plan.description)")
                }
                return
            }
            let plan = try planOptions.load()
            try ScanSession(plan: plan, out: URL(fileURLWithPath: out ?? "runs/\(plan.name)"),
                            targets: targets.map { URL(fileURLWithPath: $0) }, device: deviceOption.device, json: json,
                            study: study, trainTargetsOnly: trainTargets).run()
        }
    }
}

/// `--preset NAME` or `--config FILE`: the plan of `gpz scan` and `gpz submit`.
struct PlanOptions: ParsableArguments {
    @Option(help: "A named plan (see gpz scan --list-presets).")
    var preset: Preset?

    @Option(help: "A scan configuration file (.yaml, .yml or .json).")
    var config: String?

    /// Not `validate()`, which the parser would call even with `gpz scan --list-presets`.
    func requireOne() throws {
        guard (preset == nil) != (config == nil) else {
            throw ValidationError("give exactly one of --preset NAME or --config FILE")
        }
    }

    func load() throws -> ScanPlan {
        try preset?.plan ?? ScanPlan.load(URL(fileURLWithPath: config ?? ""))
    }
}

extension Preset: ExpressibleByArgument {}
