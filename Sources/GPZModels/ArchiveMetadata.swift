/// The description `python/gpz_export.py` stores in a TorchScript stage archive as the extra file `gpz.json`
/// (format documented in `python/ARCHIVE.md`): the input, the classes, the preprocessing and one entry per stage.
public struct ArchiveMetadata: Codable, Equatable, Sendable {
    public static let formatName = "gpz-torchscript-stages"
    public static let version = 1

    /// How the exporter expects pixels in [0, 1] to be prepared: resized to `resize`×`resize`, then (x − mean)/std
    /// per channel.
    public struct Preprocess: Codable, Equatable, Sendable {
        public var resize: Int
        public var mean: [Double]
        public var std: [Double]
    }

    /// One stage: the module that computes split `name` from the previous stage's output.
    public struct Stage: Codable, Equatable, Sendable {
        /// The split point's name (`layer2.0`, `block3`, `logits` for the last stage).
        public var name: String
        /// The attribute of the archive's top-level module that holds the stage (`stage0`, …).
        public var module: String
        /// Per-sample output shape.
        public var outputShape: [Int]
        /// The stage's own parameter count.
        public var parameters: Int
        /// Multiply-accumulates per sample; nil where the exporter could not derive them.
        public var macs: Int?

        enum CodingKeys: String, CodingKey {
            case name, module, outputShape = "output_shape", parameters, macs
        }
    }

    public var format: String
    public var version: Int
    public var name: String
    /// Where the model came from (`torchvision:resnet18`, `factory:pkg.module:function`).
    public var source: String
    /// The PyTorch version that exported it.
    public var torchVersion: String
    /// Per-sample input shape [C, H, W].
    public var input: [Int]
    public var classes: Int
    public var classNames: [String]?
    public var preprocess: Preprocess
    public var stages: [Stage]

    enum CodingKeys: String, CodingKey {
        case format, version, name, source, torchVersion = "torch_version", input, classes
        case classNames = "class_names", preprocess, stages
    }

    /// Throws a `ModelError` naming the first field that breaks the format's rules.
    public func validate(_ file: String) throws {
        func check(_ condition: Bool, _ message: String) throws {
            if !condition { throw ModelError("\(file): gpz.json: \(message)") }
        }
        try check(format == Self.formatName, "format is '\(format)', expected '\(Self.formatName)'")
        try check(version == Self.version, "version \(version) is not supported (this GPZ reads version \(Self.version))")
        try check(input.count == 3 && input.allSatisfy { $0 >= 1 }, "input must be [channels, height, width], got \(input)")
        try check(input[1] == input[2], "input must be square, got \(input)")
        try check(input[0] <= ModelLimits.maxChannels && input[1] <= ModelLimits.maxImageSize,
                  "input \(input) exceeds the limits (\(ModelLimits.maxChannels) channels, \(ModelLimits.maxImageSize) px)")
        try check((1...ModelLimits.maxClasses).contains(classes), "classes must be 1…\(ModelLimits.maxClasses), got \(classes)")
        try check(classNames.map { $0.count == classes } ?? true, "class_names has \(classNames?.count ?? 0) names for \(classes) classes")
        try check(preprocess.resize == input[1], "preprocess.resize \(preprocess.resize) differs from the input size \(input)")
        try check(preprocess.mean.count == input.first && preprocess.std.count == input.first,
                  "preprocess.mean and std need one value per channel (\(input.first ?? 0))")
        try check(preprocess.std.allSatisfy { $0 > 0 && $0.isFinite } && preprocess.mean.allSatisfy(\.isFinite),
                  "preprocess.std must be positive and finite, mean finite")
        try check(!stages.isEmpty, "stages is empty")
        try check(Set(stages.map(\.name)).count == stages.count, "stage names are not unique")
        try check(stages.last?.name == SplitPoint.logitsName && stages.last?.outputShape == [classes],
                  "the last stage must be 'logits' with output [\(classes)]")
        for stage in stages {
            try check(!stage.outputShape.isEmpty && stage.outputShape.allSatisfy { $0 >= 1 },
                      "stage '\(stage.name)' has output shape \(stage.outputShape)")
            try check(stage.parameters >= 0 && (stage.macs ?? 0) >= 0, "stage '\(stage.name)' has negative counts")
        }
    }
}
