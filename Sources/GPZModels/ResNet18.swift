import GPZNN

/// The paper's `rn18`: ResNet-18 for small images.
///
/// `conv1` = Conv3×3 (no bias) → BN → ReLU, then `layer1`…`layer4` of two basic blocks each (64, 128, 256, 512
/// channels; strides 1, 2, 2, 2). A basic block is ReLU(BN(Conv3×3(ReLU(BN(Conv3×3(x, stride))))) + shortcut(x)),
/// the shortcut being Conv1×1(stride) → BN when the stride or the width changes and the identity otherwise.
/// The head average-pools with a 4×4 window and stride 4, flattens, and applies Linear(·, classes).
///
/// Split points, numbered as the paper's `block_idx`: 1 `conv1`, 2–9 `layer1.0` … `layer4.1`, 10 `pool` (the
/// pooled, flattened features: 2048 values at 64 px), and 11 `logits`.
///
/// Differences from the paper's code: `conv1` is 64 wide whatever the image size (the paper sets its width to
/// `img_size`, which equals 64 only at 64 px), and the linear layer takes the pooled size actually produced,
/// 512·⌊s/4⌋² for a layer4 map of side s, where the paper hard-codes 512·(2·⌊img/64⌋)² and so crashes below
/// 64 px. At 64 px (s = 8, 2048 inputs) the two agree; at 32 px and 28 px (s = 4) the pool gives 1×1 and the
/// linear layer takes 512 inputs.
enum ResNet18 {
    static let stemWidth = 64
    static let widths = [64, 128, 256, 512]
    static let strides = [1, 2, 2, 2]
    static let blocksPerLayer = 2

    static func make(_ config: ModelConfig) throws -> StagedModel {
        var stages = [Stage(name: "conv1", module: try Layers.stem(config.channels, stemWidth, activation: ReLU()))]
        var inChannels = stemWidth
        for (layer, (width, firstStride)) in zip(widths, strides).enumerated() {
            for block in 0..<blocksPerLayer {
                let stride = block == 0 ? firstStride : 1
                stages.append(Stage(name: "layer\(layer + 1).\(block)",
                                    module: try basicBlock(inChannels, width, stride: stride)))
                inChannels = width
            }
        }
        let pool = Sequential(AvgPool2d(4), Flatten())
        stages.append(Stage(name: "pool", module: pool))
        let pooled = try Layers.outputShape(of: stages, for: config)[0]
        stages.append(Stage(name: "logits", key: "fc", module: try Linear(pooled, config.classes)))
        return try StagedModel(config: config, stages: stages)
    }

    static func basicBlock(_ inChannels: Int, _ outChannels: Int, stride: Int) throws -> Residual {
        let residual = Sequential(try Layers.conv3x3(inChannels, outChannels, stride: stride, bias: false),
                                  try BatchNorm2d(outChannels), ReLU(),
                                  try Layers.conv3x3(outChannels, outChannels, bias: false),
                                  try BatchNorm2d(outChannels))
        let changesShape = stride != 1 || inChannels != outChannels
        let shortcut = changesShape ? try Layers.projectionShortcut(inChannels, outChannels, stride: stride) : nil
        return Residual(residual: residual, shortcut: shortcut, activation: ReLU())
    }
}
