/// The largest settings a model may be built with, checked by `ModelConfig.validate()` before any layer (and so
/// any libtorch memory) exists: a width, image size, patch size or class count from a command line, a scan
/// configuration or a checkpoint is refused with the field and the limit named.
public enum ModelLimits {
    /// Input channels (1 for grayscale, 3 for RGB; 4 leaves room for an alpha channel).
    public static let maxChannels = 4
    /// Side of the square input, in pixels (the paper uses 64).
    public static let maxImageSize = 512
    /// Classes (the widest face-identity sets have a few thousand).
    public static let maxClasses = 100_000
    /// cnn4's first-block width (64 in the paper; the last block has 8 times as many channels).
    public static let maxCNN4Width = 1024
    /// ViT tokens, (image size / patch size)²: attention memory grows with its square.
    public static let maxTokens = 4096
    /// Weights of the largest dense layer, about 4 GiB of float32.
    public static let maxLayerWeights = 1 << 30
}

extension ModelConfig {
    /// Throws a `ModelError` naming the first field beyond `ModelLimits`, and the estimated size of the largest
    /// dense layer when it would exceed `ModelLimits.maxLayerWeights`; all arithmetic is overflow-checked.
    func validateLimits() throws {
        let name = architecture.rawValue
        func limit(_ value: Int, _ field: String, _ maximum: Int) throws {
            guard value <= maximum else { throw ModelError("\(name): \(field) is \(value), the limit is \(maximum)") }
        }
        try limit(channels, "channels", ModelLimits.maxChannels)
        try limit(imageSize, "image size", ModelLimits.maxImageSize)
        try limit(classes, "classes", ModelLimits.maxClasses)
        if architecture == .cnn4 { try limit(options.cnn4Width, "cnn4 width", ModelLimits.maxCNN4Width) }
        if architecture == .vit, options.patchSize >= 1 {
            let side = imageSize / options.patchSize
            try limit(side * side, "token count (image size / patch size)²", ModelLimits.maxTokens)
        }
        for (inputs, outputs) in denseLayers {
            guard let weights = product([inputs, outputs]), weights <= ModelLimits.maxLayerWeights else {
                throw ModelError("\(name): a dense layer of \(inputs) × \(outputs) weights at \(imageSize) px and "
                                 + "\(classes) classes exceeds the limit of \(ModelLimits.maxLayerWeights) weights")
            }
        }
    }

    /// (inputs, outputs) of the architecture's widest dense layers, from upper bounds on the final map size.
    private var denseLayers: [(Int, Int)] {
        let side16 = (imageSize + 15) / 16, side32 = (imageSize + 31) / 32
        switch architecture {
        case .cnn4:
            let hidden = product([5, classes]) ?? Int.max
            return [(product([8, options.cnn4Width, side16, side16]) ?? Int.max, hidden), (hidden, classes)]
        case .vgg16bn, .vgg19bn: return [(512 * side32 * side32, 4096), (4096, classes)]
        case .resnet18: return [(512 * side32 * side32, classes)]
        case .ir152: return [(512 * side16 * side16, 512), (512, classes)]
        case .vit: return [(128, classes)]
        case .torchscript: return []
        }
    }
}

/// `a * b * …`, or nil on overflow or a negative factor.
func product(_ values: [Int]) -> Int? {
    var result = 1
    for value in values {
        guard value >= 0 else { return nil }
        let (next, overflow) = result.multipliedReportingOverflow(by: value)
        if overflow { return nil }
        result = next
    }
    return result
}
