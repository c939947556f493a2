/// The target architectures, named as on the command line.
public enum Architecture: String, CaseIterable, Codable, Sendable, CustomStringConvertible {
    /// Classifier_4: four conv blocks and a two-layer head.
    case cnn4
    /// VGG-16 with batch normalisation (configuration D).
    case vgg16bn
    /// VGG-19 with batch normalisation (configuration E); the paper's `vgg`.
    case vgg19bn
    /// The paper's `rn18`: ResNet-18 with a 3×3 stem.
    case resnet18
    /// IR-152: an IR-style residual backbone with 50 bottleneck units and a face-recognition head.
    case ir152
    /// A pre-norm vision transformer (embedding 128, depth 6, 8 heads).
    case vit
    /// A model exported from PyTorch into a TorchScript stage archive (`python/gpz_export.py`): loaded from its
    /// file by `ScriptArchive`, never built by name, so it is not among `allCases`.
    case torchscript

    /// The architectures GPZ builds by name (everything but `torchscript`).
    public static var allCases: [Architecture] { [.cnn4, .vgg16bn, .vgg19bn, .resnet18, .ir152, .vit] }

    /// The architecture called `name`, or an error listing the valid names.
    public init(named name: String) throws {
        guard let architecture = Architecture(rawValue: name.lowercased()), Architecture.allCases.contains(architecture) else {
            let valid = Architecture.allCases.map(\.rawValue).joined(separator: ", ")
            throw ModelError("unknown architecture '\(name)'; choose one of \(valid)")
        }
        self = architecture
    }

    /// One line on what the architecture is.
    public var summary: String {
        switch self {
        case .cnn4: return "4 × [conv3×3, BN, max-pool, ReLU] (64→512), Linear → Dropout → Linear"
        case .vgg16bn: return "VGG-16 with batch norm; every conv, BN, ReLU and pool is a split"
        case .vgg19bn: return "VGG-19 with batch norm; every conv, BN, ReLU and pool is a split"
        case .resnet18: return "ResNet-18, 3×3 stem of width 64, 8 basic blocks, avg-pool 4, Linear"
        case .ir152: return "IR-152: input layer, 50 bottleneck-IR units, BN-Dropout-Linear-BN embedding, Linear"
        case .vit: return "ViT, patch embedding to 128, 6 pre-norm blocks with 8 heads, class-token head"
        case .torchscript: return "a PyTorch model exported as TorchScript stages; its split points are the export's"
        }
    }

    /// The smallest square input the architecture accepts: cnn4's four floor-mode pools need 16 px to keep a
    /// 1×1 map and ResNet-18's 4×4 average pool needs a 4×4 map after layer4, 25 px; VGG's ceil-mode pools,
    /// IR-152's stride-2 convolutions and the ViT's patches (which must divide the size) keep at least one cell.
    public var minimumImageSize: Int {
        switch self {
        case .cnn4: return 16
        case .resnet18: return 25
        case .vgg16bn, .vgg19bn, .ir152, .vit, .torchscript: return 1
        }
    }

    public var description: String { rawValue }
}

/// Architecture-specific settings; each architecture ignores the ones that do not concern it.
public struct ModelOptions: Equatable, Codable, Sendable {
    /// ViT patch size; it must divide the image size. 4 gives 256 tokens at 64 px (the paper's setting),
    /// 64 at 32 px and 49 at 28 px.
    public var patchSize: Int
    /// cnn4's first-block width, the paper code's `ndf`: the blocks have ndf, 2·ndf, 4·ndf and 8·ndf channels
    /// (64 → 512 by default).
    public var cnn4Width: Int

    public init(patchSize: Int = 4, cnn4Width: Int = 64) {
        self.patchSize = patchSize
        self.cnn4Width = cnn4Width
    }
}

/// Everything that determines a target model's layers: architecture, input format and class count.
public struct ModelConfig: Equatable, Codable, Sendable {
    public var architecture: Architecture
    /// Input image channels (1 for grayscale, 3 for RGB).
    public var channels: Int
    /// Side of the square input images, in pixels.
    public var imageSize: Int
    /// Number of classes (the width of the logits).
    public var classes: Int
    public var options: ModelOptions

    public init(architecture: Architecture, channels: Int = 3, imageSize: Int = 64, classes: Int = 10,
                options: ModelOptions = ModelOptions()) {
        self.architecture = architecture
        self.channels = channels
        self.imageSize = imageSize
        self.classes = classes
        self.options = options
    }

    /// Per-sample input shape [channels, imageSize, imageSize].
    public var inputShape: [Int] { [channels, imageSize, imageSize] }

    /// Throws a `ModelError` naming the first setting the architecture cannot be built with, or that exceeds
    /// `ModelLimits`.
    public func validate() throws {
        let name = architecture.rawValue
        guard channels >= 1 else { throw ModelError("\(name): channels must be at least 1, got \(channels)") }
        guard classes >= 1 else { throw ModelError("\(name): classes must be at least 1, got \(classes)") }
        guard imageSize >= architecture.minimumImageSize else {
            throw ModelError("\(name) needs an image size of at least \(architecture.minimumImageSize) px, "
                             + "got \(imageSize)")
        }
        if architecture == .cnn4 {
            guard options.cnn4Width >= 1 else {
                throw ModelError("cnn4: the width must be at least 1, got \(options.cnn4Width)")
            }
        }
        if architecture == .vit {
            let patch = options.patchSize
            guard patch >= 1, imageSize % patch == 0 else {
                throw ModelError("vit: the patch size \(patch) must divide the image size \(imageSize)")
            }
        }
        try validateLimits()
    }
}
