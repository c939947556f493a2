/// The block-level split points of each architecture: the places a deployment would actually cut, and the
/// candidates the Golden Partition Zone is located among by default.
///
/// The paper's own candidate lists are block outputs and never the classifier output (VGG19 `features` indices
/// [13, 17, 26, 30, 39, 43, 52]: ReLU and pool outputs; IR-152 body units). Intermediate layers that only rescale
/// (a convolution before its BatchNorm, the BatchNorm before its ReLU) are left out: a rule comparing
/// consecutive splits would otherwise see conv → BN rescalings as "drops". The `logits` are never a candidate:
/// cutting there puts the whole network on the edge, i.e. no partition at all. An exported model's split points are
/// the ones its exporter was asked for, so all of them (but the logits) are block outputs.
extension Architecture {
    /// Whether the split called `name` is a block output of this architecture.
    public func isBlockOutput(_ name: String) -> Bool {
        if name == SplitPoint.logitsName { return false }
        switch self {
        case .cnn4, .vit:
            return name.hasPrefix("block")
        case .vgg16bn, .vgg19bn:
            return name.hasSuffix(".relu") || name.hasPrefix("pool")
        case .resnet18:
            return name == "conv1" || name.hasPrefix("layer")
        case .ir152:
            return name == "input_layer" || name.hasPrefix("stage")
        case .torchscript:
            return true
        }
    }
}

extension SplitPoint {
    /// The name every architecture gives its classifier output.
    public static let logitsName = "logits"

    /// Whether this split is the classifier output: cutting there is no partition.
    public var isLogits: Bool { name == Self.logitsName }
}

extension SplittableModel {
    /// The block-level split points, in forward order (see `Architecture.isBlockOutput`).
    public var blockSplitPoints: [SplitPoint] {
        splitPoints.filter { config.architecture.isBlockOutput($0.name) }
    }
}
