import ArgumentParser

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Benchmarks of the backend and the pipeline.")

    func run() throws {
        print("bench: not implemented yet")
    }
}
