import ArgumentParser
import Foundation

/// The `gpz` command: where in a network can a split keep its transmitted features from being inverted?
@main
struct GPZ: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gpz",
        abstract: "Locate the Golden Partition Zone: split points whose features resist model inversion.",
        version: "0.1.0",
        subcommands: [Demo.self, TrainCommand.self, AnalyzeCommand.self, AttackCommand.self, VortexCommand.self, DataCommand.self, ModelsCommand.self, Bench.self]
    )
}
