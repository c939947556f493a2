import GPZNN

/// The paper's `IR152`: the IR-style backbone `Backbone64(…, 152, …, 'ir')` and its face-recognition head.
///
/// - `input_layer`: Conv3×3 (no bias) → BN → PReLU(64).
/// - `body`: 50 bottleneck-IR units in four stages, 64→64 ×3, 64→128 ×8, 128→256 ×36, 256→512 ×3; the first
///   unit of each stage has stride 2. A unit adds residual(x) = BN(Conv3×3(stride)(PReLU(Conv3×3(BN(x))))) (the
///   convolutions without bias, the PReLU per channel) and shortcut(x) = MaxPool(1, stride) when the width is
///   kept, Conv1×1(stride) → BN otherwise; there is no activation after the sum.
/// - `output_layer`: BN2d(512) → Dropout(0.5) → Flatten → Linear(512·s², 512) → BN1d(512), s the side of the
///   last map (4 at 64 px); then `fc_layer`: Linear(512, classes).
/// - Convolution and linear weights are Xavier-uniform with zero biases; batch norms start at weight 1, bias 0.
///
/// Split points, numbered as the paper's `block_idx`: 1 `input_layer` (64×64×64 at 64 px), 2–51 the units, named
/// `stage1.0` … `stage4.2` (stage 1: 2–4 at 64×32×32, stage 2: 5–12 at 128×16×16, stage 3: 13–48 at 256×8×8,
/// stage 4: 49–51 at 512×4×4), 52 `embedding` (the 512-vector of `output_layer`) and 53 `logits`.
///
/// Differences from the paper's code: the paper's backbone also builds an `output_layer` with
/// Linear(512·14·14, 10) that its forward pass never uses (about 1.0 M parameters); it is left out, so this
/// model has that many fewer parameters (62.09 M against 63.10 M at 64 px, 3 channels, 10 classes). The
/// embedding's linear layer takes the map actually produced, 512·s² with s = ⌈img/16⌉ (stride-2 convolutions
/// round up), where the paper writes 512·(img/16)²; at 32 and 64 px they agree, and 28 px gives s = 2.
enum IR152 {
    /// (input width, output width, units) per stage.
    static let stagePlan = [(64, 64, 3), (64, 128, 8), (128, 256, 36), (256, 512, 3)]
    static let embeddingWidth = 512

    static func make(_ config: ModelConfig) throws -> StagedModel {
        let inputLayer = try Layers.stem(config.channels, 64, activation: try PReLU(numParameters: 64))
        var stages = [Stage(name: "input_layer", module: inputLayer)]
        var unitCount = 0
        for (stage, (inChannels, depth, units)) in stagePlan.enumerated() {
            for unit in 0..<units {
                let module = try bottleneck(unit == 0 ? inChannels : depth, depth, stride: unit == 0 ? 2 : 1)
                stages.append(Stage(name: "stage\(stage + 1).\(unit)", key: "body.\(unitCount)", module: module))
                unitCount += 1
            }
        }
        let mapShape = try Layers.outputShape(of: stages, for: config)
        let outputLayer = Sequential(try BatchNorm2d(mapShape[0]), try Dropout(0.5), Flatten(),
                                     try Linear(mapShape.reduce(1, *), embeddingWidth),
                                     try BatchNorm1d(embeddingWidth))
        stages.append(Stage(name: "embedding", key: "output_layer", module: outputLayer))
        stages.append(Stage(name: "logits", key: "fc_layer", module: try Linear(embeddingWidth, config.classes)))
        let model = try StagedModel(config: config, stages: stages)
        try Layers.initialiseXavierUniform(model)
        return model
    }

    /// `bottleneck_IR(in, depth, stride)`.
    static func bottleneck(_ inChannels: Int, _ depth: Int, stride: Int) throws -> Residual {
        let residual = Sequential(try BatchNorm2d(inChannels),
                                  try Layers.conv3x3(inChannels, depth, bias: false),
                                  try PReLU(numParameters: depth),
                                  try Layers.conv3x3(depth, depth, stride: stride, bias: false),
                                  try BatchNorm2d(depth))
        let shortcut: any Module = inChannels == depth
            ? MaxPool2d(1, stride: IntPair(stride))
            : try Layers.projectionShortcut(inChannels, depth, stride: stride)
        return Residual(residual: residual, shortcut: shortcut, activation: nil)
    }
}
