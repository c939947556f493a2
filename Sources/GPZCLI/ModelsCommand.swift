import ArgumentParser
import Foundation
import GPZData
import GPZModels

/// `gpz models`: the target architectures, or one architecture's split points and what each costs the edge.
///
/// The arguments are parsed here rather than by the argument parser so that every bad argument, whatever
/// it is, ends the same way: one line on standard error and exit status 2.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List the target architectures, or one architecture's split points and their edge costs.",
        usage: "gpz models [ARCH] [--image-size N] [--channels C] [--classes K] [--patch-size P] [--latency] [--json]",
        discussion: """
        Without ARCH: every architecture with its parameter count and number of split points.
        With ARCH (\(Architecture.allCases.map(\.rawValue).joined(separator: ", "))): one row per split point \
        with its index (the paper's block_idx), name, per-image shape and kind, the edge's parameters and \
        their share of the model, the edge's multiply-accumulates per image, and the bytes sent per image \
        as float32 and float16.

        Options (all go into the arguments):
          --image-size N   side of the square input in pixels (default 64)
          --channels C     input channels, e.g. 1 or 3 (default 3)
          --classes K      number of classes (default 10)
          --patch-size P   ViT patch size, dividing the image size (default 4)
          --latency        also measure the edge time per image
                           (batch 8, median of 5 runs)
          --json           print one JSON object instead of a table
          -h, --help       show this help

        A bad argument prints one line on standard error and exits with status 2.
        """
    )

    @Argument(parsing: .captureForPassthrough, help: ArgumentHelp("ARCH and options, as in the usage line.",
                                                                  valueName: "arguments"))
    var arguments: [String] = []

    func run() throws {
        let request: ModelsRequest
        do {
            request = try ModelsRequest(parsing: arguments)
            if request.showHelp {
                print(GPZ.helpMessage(for: Self.self))
                return
            }
        } catch {
            FileHandle.standardError.write(Data("gpz models: \(error)\n".utf8))
            throw ExitCode(2)
        }
        do {
            if let architecture = request.architecture {
                try describe(architecture, request)
            } else {
                try list(request)
            }
        } catch let error as ModelError {
            FileHandle.standardError.write(Data("gpz models: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }

    private func list(_ request: ModelsRequest) throws {
        var rows: [ArchitectureRow] = []
        for architecture in Architecture.allCases {
            do {
                let model = try ModelFactory.make(request.config(for: architecture))
                rows.append(ArchitectureRow(name: architecture.rawValue, parameters: model.parameterCount,
                                            splits: model.splitPoints.count, summary: architecture.summary,
                                            unavailable: nil))
            } catch let error as ModelError {
                rows.append(ArchitectureRow(name: architecture.rawValue, parameters: nil, splits: nil,
                                            summary: architecture.summary, unavailable: error.message))
            }
        }
        if request.json {
            try printJSON(ArchitectureList(channels: request.channels, imageSize: request.imageSize,
                                           classes: request.classes, architectures: rows))
            return
        }
        print("Target architectures for \(request.channels)×\(request.imageSize)×\(request.imageSize) inputs, "
              + "\(request.classes) classes:")
        for row in rows {
            guard let parameters = row.parameters, let splits = row.splits else {
                print(pad(row.name, 10) + "unavailable: " + (row.unavailable ?? ""))
                continue
            }
            print(pad(row.name, 10) + pad("\(grouped(parameters)) parameters", 22, right: true) + "  "
                  + pad("\(splits) splits", 11) + "  " + row.summary)
        }
    }

    private func describe(_ architecture: Architecture, _ request: ModelsRequest) throws {
        let model = try ModelFactory.make(request.config(for: architecture))
        var costs = try SplitCost.all(for: model)
        if request.latency { costs = try EdgeLatency.measured(costs, model: model) }
        if request.json {
            try printJSON(SplitTable(architecture: architecture.rawValue, channels: request.channels,
                                     imageSize: request.imageSize, classes: request.classes,
                                     patchSize: architecture == .vit ? request.patchSize : nil,
                                     parameters: model.parameterCount, splits: costs.map(SplitRow.init)))
            return
        }
        print("\(architecture): \(request.channels)×\(request.imageSize)×\(request.imageSize) input, "
              + "\(request.classes) classes, \(grouped(model.parameterCount)) parameters, "
              + "\(costs.count) split points")
        var header = pad("#", 4, right: true) + "  " + pad("name", 14) + pad("shape", 14) + pad("kind", 9)
            + pad("edge params", 13, right: true) + pad("share", 9, right: true) + pad("edge MMACs", 12, right: true)
            + pad("f32 bytes", 12, right: true) + pad("f16 bytes", 12, right: true)
        if request.latency { header += pad("latency ms", 12, right: true) }
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

/// The arguments of `gpz models`, checked.
struct ModelsRequest {
    var architecture: Architecture?
    var imageSize = 64
    var channels = 3
    var classes = 10
    var patchSize = 4
    var latency = false
    var json = false
    var showHelp = false

    init(parsing arguments: [String]) throws {
        var remaining = arguments[...]
        while let argument = remaining.popFirst() {
            var name = argument
            var inlineValue: String?
            if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                inlineValue = String(argument[argument.index(after: equals)...])
            }
            func value() throws -> Int {
                guard let text = inlineValue ?? remaining.popFirst() else { throw ModelError("\(name) needs a value") }
                guard let number = Int(text), number > 0 else {
                    throw ModelError("\(name) expects a positive integer, got '\(text)'")
                }
                return number
            }
            switch name {
            case "--image-size": imageSize = try value()
            case "--channels": channels = try value()
            case "--classes": classes = try value()
            case "--patch-size": patchSize = try value()
            case "--latency", "--json", "-h", "--help":
                guard inlineValue == nil else { throw ModelError("\(name) takes no value") }
                switch name {
                case "--latency": latency = true
                case "--json": json = true
                default: showHelp = true
                }
            default:
                guard !name.hasPrefix("-") else { throw ModelError("unknown option '\(argument)'") }
                guard architecture == nil else { throw ModelError("unexpected argument '\(argument)'") }
                architecture = try Architecture(named: argument)
            }
        }
    }

    func config(for architecture: Architecture) -> ModelConfig {
        ModelConfig(architecture: architecture, channels: channels, imageSize: imageSize, classes: classes,
                    options: ModelOptions(patchSize: patchSize))
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

private struct SplitTable: Encodable {
    let architecture: String
    let channels: Int
    let imageSize: Int
    let classes: Int
    let patchSize: Int?
    let parameters: Int
    let splits: [SplitRow]
}
