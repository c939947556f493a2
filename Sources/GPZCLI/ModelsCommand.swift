import ArgumentParser
import Foundation
import GPZConfig
import GPZData
import GPZModels
import GPZTraining

/// `gpz models`: the target architectures, or one architecture's split points and what each costs the edge.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List the target architectures, or one architecture's split points and their edge costs.",
        discussion: """
        Without ARCH: every architecture with its parameter count and number of split points. \
        ARCH may also be torchscript:FILE, a model exported from PyTorch with python/gpz_export.py: its split \
        points are the export's (loading it checks that its stages reproduce the model's output).
        With ARCH (\(Architecture.allCases.map(\.rawValue).joined(separator: ", "))): one row per split point \
        with its index (the paper's block_idx), name, per-image shape and kind, the edge's parameters and \
        their share of the model, the edge's multiply-accumulates per image, and the bytes sent per image \
        as float32 and float16.

        A bad argument prints one line on standard error and exits with status 2.
        """
    )

    @Argument(help: ArgumentHelp("The architecture to describe (any letter case); all of them when omitted.",
                                 valueName: "ARCH"))
    var architecture: String?

    @Option(help: "Side of the square input in pixels.")
    var imageSize = 64

    @Option(help: "Input channels, e.g. 1 or 3.")
    var channels = 3

    @Option(help: "Number of classes.")
    var classes = 10

    @Option(help: "ViT patch size, dividing the image size.")
    var patchSize = 4

    @Flag(help: "Also measure the edge time per image (batch 8, median of 5 runs).")
    var latency = false

    @Flag(help: "List the tensors a weights file (target.weights, safetensors) must hold: names, shapes, dtypes.")
    var tensors = false

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    func validate() throws {
        for (name, value) in [("--image-size", imageSize), ("--channels", channels), ("--classes", classes),
                              ("--patch-size", patchSize)] where value <= 0 {
            throw ValidationError("\(name) expects a positive integer, got \(value)")
        }
    }

    func run() throws {
        try reportingErrors {
            if let architecture, architecture.hasPrefix(PretrainedModel.scheme) {
                let (model, metadata) = try PretrainedModel.parse(architecture).load()
                try describe(model, name: "\(architecture) (\(metadata.name), \(metadata.source))")
            } else if let architecture {
                let parsed = try Architecture(named: architecture)
                try describe(try ModelFactory.make(config(for: parsed)), name: parsed.rawValue)
            } else {
                try list()
            }
        }
    }

    private func config(for architecture: Architecture) -> ModelConfig {
        ModelConfig(architecture: architecture, channels: channels, imageSize: imageSize, classes: classes,
                    options: ModelOptions(patchSize: patchSize))
    }

    private func list() throws {
        var rows: [ArchitectureRow] = []
        for architecture in Architecture.allCases {
            do {
                let model = try ModelFactory.make(config(for: architecture))
                rows.append(ArchitectureRow(name: architecture.rawValue, parameters: model.parameterCount,
                                            splits: model.splitPoints.count, summary: architecture.summary,
                                            unavailable: nil))
            } catch let error as ModelError {
                rows.append(ArchitectureRow(name: architecture.rawValue, parameters: nil, splits: nil,
                                            summary: architecture.summary, unavailable: error.message))
            }
        }
        if json {
            try printJSON(ArchitectureList(channels: channels, imageSize: imageSize, classes: classes,
                                           architectures: rows))
            return
        }
        print("Target architectures for \(channels)×\(imageSize)×\(imageSize) inputs, \(classes) classes:")
        for row in rows {
            guard let parameters = row.parameters, let splits = row.splits else {
                print(pad(row.name, 10) + "unavailable: " + (row.unavailable ?? ""))
                continue
            }
            print(pad(row.name, 10) + pad("\(grouped(parameters)) parameters", 22, right: true) + "  "
                  + pad("\(splits) splits", 11) + "  " + row.summary)
        }
    }

    /// One row per split of `model`. Where MACs could not be derived (an exported model with an operation the
    /// exporter cannot count), the edge latency is measured instead.
    private func describe(_ model: StagedModel, name: String) throws {
        if tensors { return try listTensors(model, name: name) }
        let config = model.config
        let analytic = try SplitCost.all(for: model)
        let macsDerived = analytic.allSatisfy { $0.macsDerived != false }
        let costs = latency ? try EdgeLatency.measured(analytic, model: model)
            : try EdgeLatency.measuredWhereMACsUnknown(analytic, model: model)
        if json {
            try printJSON(SplitTable(architecture: name, channels: config.channels, imageSize: config.imageSize,
                                     classes: config.classes,
                                     patchSize: config.architecture == .vit ? config.options.patchSize : nil,
                                     parameters: model.parameterCount, macsDerived: macsDerived,
                                     splits: costs.map(SplitRow.init)))
            return
        }
        print("\(name): \(config.channels)×\(config.imageSize)×\(config.imageSize) input, \(config.classes) classes, "
              + "\(grouped(model.parameterCount)) parameters, \(costs.count) split points")
        if !macsDerived {
            print("MACs: not derivable for every stage of this export (a lower bound); edge latency measured instead")
        }
        var header = pad("#", 4, right: true) + "  " + pad("name", 14) + pad("shape", 14) + pad("kind", 9)
            + pad("edge params", 13, right: true) + pad("share", 9, right: true) + pad("edge MMACs", 12, right: true)
            + pad("f32 bytes", 12, right: true) + pad("f16 bytes", 12, right: true)
        if latency { header += pad("latency ms", 12, right: true) }
        print(header)
        for cost in costs {
            let point = cost.split
            var line = pad("\(point.index)", 4, right: true) + "  " + pad(point.name, 14)
                + pad(point.shape.map(String.init).joined(separator: "×"), 14) + pad(point.kind.rawValue, 9)
                + pad(grouped(cost.edgeParameters), 13, right: true)
                + pad(String(format: "%.2f%%", 100 * cost.parameterShare), 9, right: true)
                + pad(String(format: "%.2f", Double(cost.edgeMACs) / 1e6), 12, right: true)
                + pad(grouped(cost.bytesFloat32), 12, right: true) + pad(grouped(cost.bytesFloat16), 12, right: true)
            if let seconds = cost.edgeLatencySeconds {
                line += pad(String(format: "%.3f", seconds * 1000), 12, right: true)
            }
            print(line)
        }
    }

    /// The state dict's names as PyTorch writes them (`block1.0.weight`, `layer1.0.bn1.running_mean`, …).
    private func listTensors(_ model: StagedModel, name: String) throws {
        let rows = model.stateDict().map { TensorRow(name: $0.name, shape: $0.tensor.shape, dtype: "\($0.tensor.dtype)") }
        if json { return try printJSON(rows) }
        print("\(name): \(rows.count) tensors in a weights file (safetensors, these names)")
        for row in rows {
            print(pad(row.name, 40) + pad(row.shape.map(String.init).joined(separator: "×"), 20) + row.dtype)
        }
    }

    private func printJSON(_ value: some Encodable) throws {
        let encoder = CanonicalJSON.encoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    /// `text` padded with spaces to `width` (on the left with `right`), followed by nothing.
    private func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return right ? fill + text : text + fill
    }

    /// 1234567 → "1,234,567".
    private func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (offset, digit) in digits.enumerated() {
            if offset > 0, (digits.count - offset) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return value < 0 ? "-" + out : out
    }
}

/// One architecture in the listing.
private struct ArchitectureRow: Encodable {
    let name: String
    let parameters: Int?
    let splits: Int?
    let summary: String
    let unavailable: String?
}

private struct ArchitectureList: Encodable {
    let channels: Int
    let imageSize: Int
    let classes: Int
    let architectures: [ArchitectureRow]
}

/// One split point with its costs.
private struct SplitRow: Encodable {
    let index: Int
    let name: String
    let shape: [Int]
    let kind: String
    let edgeParameters: Int
    let parameterShare: Double
    let edgeMacs: Int
    let transmittedElements: Int
    let bytesFloat32: Int
    let bytesFloat16: Int
    let edgeLatencySeconds: Double?

    init(_ cost: SplitCost) {
        index = cost.split.index
        name = cost.split.name
        shape = cost.split.shape
        kind = cost.split.kind.rawValue
        edgeParameters = cost.edgeParameters
        parameterShare = cost.parameterShare
        edgeMacs = cost.edgeMACs
        transmittedElements = cost.transmittedElements
        bytesFloat32 = cost.bytesFloat32
        bytesFloat16 = cost.bytesFloat16
        edgeLatencySeconds = cost.edgeLatencySeconds
    }
}

private struct TensorRow: Encodable {
    let name: String
    let shape: [Int]
    let dtype: String
}

private struct SplitTable: Encodable {
    let architecture: String
    let channels: Int
    let imageSize: Int
    let classes: Int
    let patchSize: Int?
    let parameters: Int
    /// False when the MACs of some stage could not be derived (an exported model): latency is measured instead.
    let macsDerived: Bool
    let splits: [SplitRow]
}
