import GPZModels
import GPZNN
import GPZTensor

/// The attacker's decoder families.
public enum DecoderArchitecture: String, Codable, CaseIterable, Sendable {
    /// The paper's deconvolutional decoder (`Inversion_4` generalised): ConvTranspose → BN → Tanh stages.
    case deconvolution
    /// The stronger attacker: the same stages with inverse residual blocks and attention between them.
    case strong
    /// The prior attacker: a mapping from Z to the latent of an `ImagePrior`, then the prior's generator.
    case prior
}

/// A decoder that maps the features sent at one split back to an image [N, C, S, S] in [0, 1], built from the
/// split's kind and per-sample shape alone.
///
/// Deconvolution rule (`DecoderArchitecture.deconvolution`):
/// - Spatial maps [C, h, h]: ConvTranspose(4, 2, p, op) → BN → Tanh stages, each halving the channels, until the
///   image side; the last stage goes to the image channels and ends in a Sigmoid. This is the paper's
///   `Inversion_4` for cnn4 (512@4 → 256 → 128 → 64 → C at 64 px). `UpsamplingPlan` picks the stages so the
///   output is exactly S × S for any S (28 px: 3 → 7 → 14 → 28, or 4 → 7 → 14 → 28). A map already at the image
///   side (a deep network's shallow splits: VGG's first block, ResNet-18's stem and layer1) gets
///   `imageSideStages` Conv3×3 → BN → Tanh stages, each halving the channels, then Conv3×3 → Sigmoid: such maps
///   may lie several nonlinear layers from the pixels, and a single linear layer would make them look more
///   private than they are. A larger map is first average-pooled to S.
/// - Vectors [D] (flattened maps, embeddings, logits): Linear(D, 512·4·4) → reshape [512, 4, 4] → BN → Tanh, the
///   first layer of a DCGAN generator (the paper's `Inversion`), then the spatial rule from 512@4.
/// - Tokens [T, D] (ViT): the class token is dropped and the T − 1 patch tokens are laid out on their √(T − 1)
///   grid as a map [D, g, g] (`TokenGrid`), then the spatial rule.
///
/// Stage widths halve from the input width and are kept within [`minimumWidth`, `maximumWidth`] = [32, 512]:
/// wide enough to carry detail for the shallow splits of narrow maps, and bounded for wide ones.
///
/// Initialisation follows DCGAN (Radford et al. 2016): convolution, transposed-convolution and linear weights
/// ~ N(0, 0.02) with zero biases, batch-norm scales ~ N(1, 0.02) (attention projections keep their own
/// Xavier initialisation). The paper's code keeps PyTorch's defaults, but a transposed convolution's default
/// bound 1/√(out·k²) is 0.25 for a 4 × 4 kernel into one image channel, so a last stage fed by 256 channels
/// (a vector decoder at 16–32 px) starts with pre-Sigmoid values of spread ≈ 2.7 and Adam drives the Sigmoid
/// into saturation, where the loss stops falling; with DCGAN's initialisation it starts near 0.5 everywhere.
///
/// Strong rule (`DecoderArchitecture.strong`): the transmitted map first passes an `InverseResidualBlock` and an
/// attention block, and every stage but the last adds the same after its ConvTranspose → BN → Tanh. Attention is
/// weak on shallow maps and strong on deep ones ("shallow weak attention → deep strong decoupling"): a map whose
/// side is more than S/4 is close to pixel space and gets only squeeze-and-excitation channel gating, while a
/// deep, abstract map (side ≤ S/4) gets squeeze-and-excitation, the large-kernel spatial attention and, when it
/// has at most `maximumAttentionTokens` positions, multi-head self-attention over its H·W positions, which lets
/// every position draw on the whole map to separate what the target's layers have entangled.
public final class InversionDecoder: Module {
    public static let minimumWidth = 32
    public static let maximumWidth = 512
    /// The map a vector is projected to: 512 channels of 4 × 4, as a DCGAN generator's first layer.
    public static let vectorMapChannels = 512
    public static let vectorMapSide = 4
    /// Self-attention is used on maps with at most this many positions (16 × 16).
    public static let maximumAttentionTokens = 256
    /// Nonlinear stages of the decoder for a map already at the image side.
    public static let imageSideStages = 2

    /// The split whose features this decoder inverts (its shape is the decoder's per-sample input shape).
    public let split: SplitPoint
    public let imageChannels: Int
    public let imageSize: Int
    public let architecture: DecoderArchitecture
    public let layers: Sequential
    /// The prior attacker's parts (`DecoderArchitecture.prior`): Z → w, and the generator w → x.
    public let latentMapping: Sequential?
    public let generator: Sequential?
    public var isTraining = true

    /// The decoder for features of `split`'s shape and kind, producing [N, imageChannels, imageSize, imageSize].
    public init(for split: SplitPoint, imageChannels: Int, imageSize: Int,
                architecture: DecoderArchitecture = .deconvolution) throws {
        try AttackError.check(imageChannels >= 1 && imageSize >= 1,
                              "InversionDecoder: image channels \(imageChannels) and size \(imageSize) must be positive")
        self.split = split
        self.imageChannels = imageChannels
        self.imageSize = imageSize
        self.architecture = architecture
        try AttackError.check(architecture != .prior, "InversionDecoder: the prior decoder is built from its prior")
        layers = Sequential(try Self.buildLayers(for: split, imageChannels: imageChannels, imageSize: imageSize,
                                                 strong: architecture == .strong))
        latentMapping = nil
        generator = nil
        try initialiseLikeDCGAN()
    }

    /// The prior attacker's decoder for `split`: `LatentMapping`'s layers (initialised like DCGAN, so the first
    /// latents are near 0 and the first images near G(0)), then a copy of `prior`'s generator.
    public init(for split: SplitPoint, prior: ImagePrior) throws {
        self.split = split
        imageChannels = prior.imageChannels
        imageSize = prior.imageSize
        architecture = .prior
        let mapping = Sequential(try LatentMapping.layers(for: split, latent: prior.settings.latent))
        let generator = Sequential(try ImagePrior.generatorLayers(latent: prior.settings.latent,
                                                                  imageChannels: imageChannels, imageSize: imageSize))
        try generator.loadStateDict(Dictionary(uniqueKeysWithValues: prior.generator.stateDict().map { ($0.name, $0.tensor) }))
        latentMapping = mapping
        self.generator = generator
        layers = Sequential([mapping, generator])
        try initialiseLikeDCGAN(mapping)
    }

    public var children: [(name: String, module: any Module)] { [("layers", layers)] }

    /// Features [N] + `split.shape` → images [N, imageChannels, imageSize, imageSize].
    public func forward(_ input: Tensor) throws -> Tensor {
        try AttackError.check(input.rank >= 1 && Array(input.shape.dropFirst()) == split.shape,
                              "InversionDecoder for split \(split.index) (\(split.name)) expects features "
                              + "[N, \(split.shape.map(String.init).joined(separator: ", "))], got \(input.shape)")
        return try layers(input)
    }

    /// Training mode for a training step. A prior decoder's generator stays in evaluation mode: its batch norms
    /// keep the prior's statistics (in training mode they would renormalise by the statistics of the mapped latents
    /// and turn the generator into another function); its weights may still be fine-tuned.
    public func startTraining() {
        train()
        generator?.eval()
    }

    /// Weights ~ N(0, 0.02) and zero biases for convolutions, transposed convolutions and linear layers;
    /// scales ~ N(1, 0.02) and zero shifts for batch norms.
    private func initialiseLikeDCGAN(_ root: (any Module)? = nil) throws {
        for (_, module) in (root ?? self).namedModules() {
            let affine: (weight: Tensor?, bias: Tensor?, mean: Double)
            switch module {
            case let layer as ConvTranspose2d: affine = (layer.weight, layer.bias, 0)
            case let layer as Conv2d: affine = (layer.weight, layer.bias, 0)
            case let layer as Linear: affine = (layer.weight, layer.bias, 0)
            case let layer as BatchNorm2d: affine = (layer.weight, layer.bias, 1)
            default: continue
            }
            if let weight = affine.weight { try Init.normal(weight, mean: affine.mean, std: 0.02) }
            if let bias = affine.bias { try Init.zeros(bias) }
        }
    }

    /// Half of `channels`, kept within [minimumWidth, maximumWidth].
    static func halvedWidth(_ channels: Int) -> Int {
        Swift.min(Swift.max(channels / 2, minimumWidth), maximumWidth)
    }

    private static func buildLayers(for split: SplitPoint, imageChannels: Int, imageSize: Int,
                                    strong: Bool) throws -> [any Module] {
        var (layers, channels, side) = try inputLayers(for: split)
        let plan = try UpsamplingPlan(from: side, to: imageSize)
        if plan.needsDownsampling {
            layers.append(AdaptiveAvgPool2d(IntPair(imageSize)))
            side = imageSize
        }
        if strong { layers += try refinement(channels: channels, side: side, imageSize: imageSize) }
        guard !plan.steps.isEmpty else {
            var width = channels
            for _ in 0..<imageSideStages {
                let next = halvedWidth(width)
                layers += [try Conv2d(width, next, 3, padding: 1), try BatchNorm2d(next), Tanh()]
                width = next
            }
            return layers + [try Conv2d(width, imageChannels, 3, padding: 1), Sigmoid()]
        }
        for (position, step) in plan.steps.enumerated() {
            let isLast = position == plan.steps.count - 1
            let width = isLast ? imageChannels : halvedWidth(channels)
            layers.append(try ConvTranspose2d(channels, width, IntPair(UpsamplingPlan.kernelSize),
                                              stride: IntPair(UpsamplingPlan.stride), padding: IntPair(step.padding),
                                              outputPadding: IntPair(step.outputPadding)))
            channels = width
            if isLast {
                layers.append(Sigmoid())
            } else {
                layers += [try BatchNorm2d(width), Tanh()]
                if strong { layers += try refinement(channels: width, side: step.outputSide, imageSize: imageSize) }
            }
        }
        return layers
    }

    /// The layers that turn the split's features into a square map, with that map's channels and side.
    private static func inputLayers(for split: SplitPoint) throws -> (layers: [any Module], channels: Int, side: Int) {
        let shape = split.shape
        switch split.kind {
        case .spatial:
            try AttackError.check(shape.count == 3 && shape[1] == shape[2] && shape.allSatisfy { $0 >= 1 },
                                  "InversionDecoder: split \(split.index) (\(split.name)) has map \(shape); "
                                  + "a square [C, H, H] map is needed")
            return ([], shape[0], shape[1])
        case .tokens:
            try AttackError.check(shape.count == 2, "InversionDecoder: tokens \(shape) must be [T, D]")
            let grid = try TokenGrid(tokens: shape[0], width: shape[1])
            return ([grid], shape[1], grid.side)
        case .vector:
            let projection = try VectorToMap(features: split.elementCount, channels: vectorMapChannels,
                                             side: vectorMapSide)
            return ([projection, try BatchNorm2d(vectorMapChannels), Tanh()], vectorMapChannels, vectorMapSide)
        }
    }

    /// The strong decoder's inverse residual block and attention for a map of `side` (see the type's rules).
    private static func refinement(channels: Int, side: Int, imageSize: Int) throws -> [any Module] {
        var blocks: [any Module] = [try InverseResidualBlock(channels: channels), try SqueezeExcitation(channels: channels)]
        guard 4 * side <= imageSize else { return blocks }
        blocks.append(try LargeKernelAttention(channels: channels))
        if side * side <= maximumAttentionTokens { blocks.append(try SpatialSelfAttention(channels: channels)) }
        return blocks
    }
}
