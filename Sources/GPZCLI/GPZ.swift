import ArgumentParser
import Foundation
import GPZAttacks

/// The `gpz` command: where in a network can a split keep its transmitted features from being inverted?
@main
struct GPZ: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gpz",
        abstract: "Locate the Golden Partition Zone: split points whose features resist model inversion.",
        discussion: "Results go to stdout, progress to stderr. Bad input exits with status 2, internal failures with 1.",
        version: "0.1.0",
        subcommands: [ScanCommand.self, SubmitCommand.self, StatusCommand.self, MergeCommand.self, Demo.self, TrainCommand.self, AnalyzeCommand.self, AttackCommand.self, VortexCommand.self, DataCommand.self, ModelsCommand.self, ServeCommand.self, EdgeCommand.self, Bench.self]
    )

    /// Parses and runs the command (the server and the edge's client asynchronously, the rest as they are); a
    /// command line that does not parse is bad input too: status 2, not 64.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asynchronous = command as? AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch {
            guard exitCode(for: error) == .validationFailure else { exit(withError: error) }
            let line = message(for: error).split(whereSeparator: \.isNewline)
                .map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
            FileHandle.standardError.write(Data(("error: " + line + "\n").utf8))
            Foundation.exit(2)
        }
    }
}
