import ArgumentParser
import Foundation
import GPZTensor

/// `gpz bench ops`: per-op overhead and training throughput of two small reference workloads.
struct BenchOps: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ops",
        abstract: "Per-op overhead, LeNet and decoder training throughput, threads and the kernels libtorch dispatches to."
    )

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    @Option(help: "Timed training steps per workload (batch 128).")
    var steps = 30

    struct Result: Codable {
        var add_us: Double
        var add_grad_us: Double
        var lenet_img_s: Double
        var decoder_img_s: Double
        var threads: Int
        var kernels: String
    }

    func validate() throws {
        guard steps >= 1 else { throw ValidationError("--steps must be at least 1, got \(steps)") }
    }

    func run() throws {
        let add = try OpOverhead.addMicroseconds(requiresGrad: false)
        let addGrad = try OpOverhead.addMicroseconds(requiresGrad: true)
        let lenet = try TrainingWorkload.lenet().imagesPerSecond(steps: steps)
        let decoder = try TrainingWorkload.decoder().imagesPerSecond(steps: steps)
        let result = Result(add_us: add, add_grad_us: addGrad, lenet_img_s: lenet, decoder_img_s: decoder,
                            threads: Runtime.threads, kernels: Runtime.kernels)
        if json {
            print(try jsonLine(result))
        } else {
            print(String(format: "1-element add            %8.3f µs", add))
            print(String(format: "1-element add with grad  %8.3f µs", addGrad))
            print(String(format: "LeNet training           %8.0f images/s", lenet))
            print(String(format: "decoder training         %8.0f images/s", decoder))
            print("threads                  \(result.threads)")
            print("kernels                  \(result.kernels)")
        }
    }
}

/// Fixed cost of one tensor operation seen from Swift: a 1-element add, the median over rounds.
enum OpOverhead {
    static func addMicroseconds(requiresGrad: Bool, iterations: Int = 20_000, rounds: Int = 15) throws -> Double {
        let a = try Tensor([1] as [Float])
        let b = try Tensor([2] as [Float])
        if requiresGrad { try a.requiringGrad() }
        for _ in 0..<iterations { _ = try a + b }
        let perAdd = try Stopwatch.median(rounds: rounds, perRound: Double(iterations)) {
            for _ in 0..<iterations { _ = try a + b }
        }
        return perAdd * 1e6
    }
}
