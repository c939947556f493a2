import ArgumentParser

struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the demo on the embedded default data.")

    func run() throws {
        print("demo: not implemented yet")
    }
}
