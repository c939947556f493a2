import ArgumentParser
import Foundation
import GPZData

/// `gpz data …`: look at data sets, their role splits, and the loader's speed.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Inspect data sets, show role splits, measure batch assembly.",
        discussion: """
        DATASET is a built-in name (fashion-mnist, mnist-5k), KIND:PATH with KIND one of idx, cifar, folder, csv, \
        npz, or a path whose format is detected from its content. Options follow as ,key=value: \
        idx: prefix=, transpose=0|1, classes=N; cifar: coarse=1; csv: label=first|last, shape=CxHxW, classes=N; \
        npz: train=KEY, train_labels=KEY (likewise test, aux), classes=N.
        Bad input exits with status 2 and a one-line message naming the file; internal failures exit with 1.
        """,
        subcommands: [DataInspect.self, DataSplits.self, DataBench.self]
    )
}

struct DataInspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Counts per split, image shape, class histogram, pixel mean/std, and a PNG grid of samples."
    )

    @Argument(help: "The data set (see `gpz data --help`).")
    var dataset: String

    @Flag(help: "Print one JSON object (keys train, test, shape, classes, histogram, …) instead of text.")
    var json = false

    @Option(help: "Write a PNG grid of samples to this file: one row per class.")
    var grid: String?

    @Option(help: "Samples per class in the grid.")
    var perClass = 10

    @Option(help: "Upscaling factor of the grid's images.")
    var scale = 2

    func run() throws {
        try reportingErrors {
            guard (1 ... 100).contains(perClass), (1 ... 16).contains(scale) else {
                throw DataError(.badOption, file: "--per-class/--scale", "expected 1 ≤ --per-class ≤ 100 and 1 ≤ --scale ≤ 16")
            }
            let data = try Catalog.load(dataset)
            let summary = DatasetSummary(data)
            if let grid {
                try SampleGrid.write(data.train, classes: data.classes, to: grid, perClass: perClass, scale: scale)
            }
            print(json ? try summary.json() : summary.text())
            if let grid, !json {
                print("grid: \(grid) (\(min(data.classes, SampleGrid.maxRows)) rows × \(perClass) samples"
                      + (data.classes > SampleGrid.maxRows ? ", first \(SampleGrid.maxRows) classes only)" : ")"))
            }
        }
    }
}

struct DataSplits: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "splits",
        abstract: "Split a data set into train / private / aux roles and print the manifest (counts, histograms, membership SHA-256)."
    )

    @Argument(help: "The data set.")
    var dataset: String

    @Option(help: "Seed of the split.")
    var seed: UInt64 = 0

    @Option(name: .customLong("private"), help: "Which split is attacked: test or train.")
    var privateSource = "test"

    @Option(help: "Attacker data: sub (= sub:0.2), sub:F, cross:DATASET, or given (the file's own auxiliary split).")
    var aux = "sub"

    @Option(help: "Resize every role to SIDE×SIDE (28, 32 or 64).")
    var side: Int?

    @Option(help: "Convert every role to 1 or 3 channels.")
    var channels: Int?

    @Flag(help: "Include each role's index list in the manifest.")
    var indices = false

    func run() throws {
        try reportingErrors {
            guard let source = PrivateSource(rawValue: privateSource) else {
                throw DataError(.badOption, file: "--private", "\(privateSource), expected test or train")
            }
            if let side, !(1 ... 1024).contains(side) { throw DataError(.badOption, file: "--side", "\(side), expected 1–1024 (28, 32, 64)") }
            if let channels, channels != 1 && channels != 3 { throw DataError(.badOption, file: "--channels", "\(channels), expected 1 or 3") }
            let plan = SplitPlan(seed: seed, privateSource: source, aux: try AuxMode.parse(aux), side: side, channels: channels)
            let roles = try Roles.make(try Catalog.load(dataset), plan: plan)
            print(roles.manifest(includingIndices: indices).json())
        }
    }
}

struct DataBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure batch assembly (UInt8 images → float tensors in [0, 1]) in images per second."
    )

    @Argument(help: "The data set (its training split is used); `synthetic` for random 28×28 grayscale images.")
    var dataset = "fashion-mnist"

    @Option(help: "Batch size.")
    var batchSize = 128

    @Option(help: "Batches assembled ahead on the background thread (0: assemble on the calling thread).")
    var prefetch = 2

    @Option(help: "Measure for at least this many seconds.")
    var seconds = 3.0

    @Flag(help: "Random horizontal flips (p = 0.5).")
    var flip = false

    @Option(help: "Resize the images to SIDE×SIDE first (e.g. 64, the paper's size).")
    var side: Int?

    @Flag(help: "Print the result as JSON.")
    var json = false

    func run() throws {
        try reportingErrors {
            guard batchSize > 0, prefetch >= 0, seconds > 0, seconds <= LoaderBenchmark.maximumSeconds else {
                throw DataError(.badOption, file: "bench", "expected --batch-size ≥ 1, --prefetch ≥ 0, "
                                + "0 < --seconds ≤ \(Int(LoaderBenchmark.maximumSeconds))")
            }
            var set: ImageSet
            if dataset == "synthetic" {
                var rng = SeededRandom(seed: 1)
                let n = 60_000
                set = ImageSet(channels: 1, height: 28, width: 28,
                               pixels: (0 ..< n * 784).map { _ in UInt8(truncatingIfNeeded: rng.next()) },
                               labels: (0 ..< n).map { $0 % 10 })
            } else {
                set = try Catalog.load(dataset).train
            }
            if let side, !(1 ... 1024).contains(side) { throw DataError(.badOption, file: "--side", "\(side), expected 1–1024") }
            let images = side.map { Transforms.resized(set, side: $0) } ?? set
            let r = try LoaderBenchmark.run(images, batchSize: batchSize, prefetch: prefetch, flip: flip, minimumSeconds: seconds)
            if json {
                print(try jsonLine(r))
            } else {
                print(String(format: "%@: %.0f images/s (%d images of %@ in %.2f s, batch %d, prefetch %d%@)",
                             dataset, r.imagesPerSecond, r.images, r.shape.map(String.init).joined(separator: "×"),
                             r.seconds, r.batchSize, r.prefetch, flip ? ", flips" : ""))
            }
        }
    }
}
