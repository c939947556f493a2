import ArgumentParser

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks of the backend and the pipeline (speed targets live here, not in tests).",
        subcommands: [BenchOps.self, BenchTrain.self, BenchServe.self]
    )
}
