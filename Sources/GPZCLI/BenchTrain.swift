import ArgumentParser
import Foundation
import GPZModels
import GPZNN
import GPZOptim
import GPZTensor

/// `gpz bench train`: training throughput of each target architecture at its default size.
struct BenchTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Training throughput (images/s) of each architecture at its default size.",
        discussion: """
        Default sizes: cnn4 at 28 px (Fashion-MNIST's own size), every other architecture at 64 px (the paper's),
        1 input channel, 10 classes. Each architecture trains on synthetic batches (data loading is negligible:
        see gpz data bench) with Adam and cross-entropy; the figure is the median over --steps timed steps after
        one warm-up step, and the epoch time is what 48,000 images (Fashion-MNIST less the attacker's 20 %) take.
        """
    )

    @Option(name: [.customLong("architecture"), .customLong("model")], help: "Architecture, or all.")
    var model = "all"

    @Option(help: "Timed steps per architecture.")
    var steps = 5

    @Option(help: "Batch size.")
    var batch = 128

    @Flag(help: "Print one JSON object per architecture, one per line.")
    var json = false

    struct Result: Codable {
        var model: String
        var image_size: Int
        var batch: Int
        var parameters: Int
        var img_s: Double
        var epoch_s: Double
    }

    func validate() throws {
        guard steps >= 1 else { throw ValidationError("--steps must be at least 1, got \(steps)") }
        guard batch >= 2 else { throw ValidationError("--batch must be at least 2, got \(batch)") }
    }

    func run() throws {
        try reportingErrors {
            let architectures = model == "all" ? Architecture.allCases : [try Architecture(named: model)]
            for architecture in architectures {
                let size = architecture == .cnn4 ? 28 : 64
                try Runtime.manualSeed(0)
                let network = try ModelFactory.make(ModelConfig(architecture: architecture, channels: 1,
                                                                imageSize: size, classes: 10))
                let optimizer = try Adam(parameters: network.parameters(), lr: 1e-3)
                let images = try Tensor.randn([batch, 1, size, size])
                let labels = try Tensor.randint(0, 10, [batch])
                network.train()
                func step() throws {
                    try optimizer.zeroGrad()
                    try Loss.crossEntropy(try network(images), labels: labels).backward()
                    try optimizer.step()
                }
                try step()
                let seconds = try Stopwatch.median(rounds: steps, perRound: 1) { try step() }
                let result = Result(model: architecture.rawValue, image_size: size, batch: batch,
                                    parameters: network.parameterCount, img_s: Double(batch) / seconds,
                                    epoch_s: 48_000 * seconds / Double(batch))
                if json {
                    print(try jsonLine(result))
                } else {
                    print(architecture.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)
                          + String(format: " %2d px  %10d params  %8.1f images/s  epoch of 48,000: %6.0f s", size,
                                   result.parameters, result.img_s, result.epoch_s))
                }
            }
        }
    }
}
