import GPZNN

/// The paper's `Classifier_4`: four blocks Conv3×3 (padding 1) → BatchNorm → MaxPool 2 → ReLU with ndf, 2·ndf,
/// 4·ndf and 8·ndf channels (64, 128, 256, 512 by default; `ModelOptions.cnn4Width` is ndf; pooling comes before
/// the ReLU), then
/// Linear(512·⌊img/16⌋², 5·classes) → Dropout(0.5) → Linear(5·classes, classes), with no nonlinearity between
/// the two linear layers.
///
/// Split points, numbered as the paper's `block_idx`: 1–4 the block outputs `block1`…`block4`
/// (64×32×32, 128×16×16, 256×8×8 and 512×4×4 at 64 px), and 5 `logits`, the prediction vector that the
/// paper's `block_idx` 5 decoder inverts. The head's input is sized from the map block4 produces, which is
/// exactly the paper's ⌊img/16⌋ after four floor-mode pools (1×1 at 28 px, 2×2 at 32 px).
enum CNN4 {
    static func make(_ config: ModelConfig) throws -> StagedModel {
        var stages: [Stage] = []
        var inChannels = config.channels
        let widths = try [1, 2, 4, 8].map { factor in
            guard let width = product([factor, config.options.cnn4Width]) else {
                throw ModelError("cnn4: the width \(config.options.cnn4Width) overflows at block width \(factor)×")
            }
            return width
        }
        for (number, width) in widths.enumerated() {
            let block = Sequential(try Layers.conv3x3(inChannels, width, bias: true), try BatchNorm2d(width),
                                   MaxPool2d(2), ReLU())
            stages.append(Stage(name: "block\(number + 1)", module: block))
            inChannels = width
        }
        let flattened = try Layers.outputShape(of: stages, for: config).reduce(1, *)
        let hidden = 5 * config.classes
        let head = FlattenedInput(Sequential(try Linear(flattened, hidden), try Dropout(0.5),
                                             try Linear(hidden, config.classes)))
        stages.append(Stage(name: "logits", key: "fc", module: head))
        return try StagedModel(config: config, stages: stages)
    }
}
