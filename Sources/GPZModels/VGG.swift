import GPZNN

/// VGG-16 (configuration D) and VGG-19 (configuration E) with batch normalisation, as the paper's `vgg16_bn`
/// and `vgg19`.
///
/// `features`: five blocks of Conv3×3 (padding 1) → BatchNorm → ReLU layers (2, 2, 3, 3, 3 convolutions for
/// VGG-16; 2, 2, 4, 4, 4 for VGG-19; widths 64, 128, 256, 512, 512), each block closed by MaxPool 2. Then
/// `classifier`: Linear(512·s², 4096) → ReLU → Dropout(0.3) → Linear(4096, 4096) → ReLU → Dropout(0.2) →
/// Linear(4096, classes), with s the side of the map after pool5.
///
/// Every layer of `features` is a split point, numbered as the paper's `feat` list (VGG-19: 53 entries, VGG-16:
/// 44): `conv1_1` (1), `conv1_1.bn` (2), `conv1_1.relu` (3), …, `pool1` (7), …; VGG-19's `conv2_2.relu` is 13,
/// `conv3_1.relu` 17, `conv3_4.relu` 26, `conv4_1.relu` 30, `conv4_4.relu` 39, `conv5_1.relu` 43, `pool5` 53;
/// VGG-16's pools are 7, 14, 24, 34 and 44. One more split, `logits`, follows the classifier.
///
/// Differences from the paper's code: the BN splits hold the batch-norm output (the paper's in-place ReLU
/// overwrites them with the ReLU output), and the pools round up (ceil mode) so that a 28-px input keeps a 1×1
/// map after pool5 (28 → 14 → 7 → 4 → 2 → 1) instead of vanishing; at 32 and 64 px ceil and floor agree
/// (s = 1 and 2), and the classifier's input is sized from s.
enum VGG {
    static let widths = [64, 128, 256, 512, 512]

    /// Convolutions per block.
    static func convolutionsPerBlock(_ architecture: Architecture) -> [Int] {
        architecture == .vgg16bn ? [2, 2, 3, 3, 3] : [2, 2, 4, 4, 4]
    }

    static func make(_ config: ModelConfig) throws -> StagedModel {
        var stages: [Stage] = []
        func add(_ name: String, _ module: any Module) {
            stages.append(Stage(name: name, key: "features.\(stages.count)", module: module))
        }
        var inChannels = config.channels
        for (block, (width, count)) in zip(widths, convolutionsPerBlock(config.architecture)).enumerated() {
            for number in 1...count {
                let name = "conv\(block + 1)_\(number)"
                add(name, try Layers.conv3x3(inChannels, width, bias: true))
                add("\(name).bn", try BatchNorm2d(width))
                add("\(name).relu", ReLU())
                inChannels = width
            }
            add("pool\(block + 1)", MaxPool2d(2, ceilMode: true))
        }
        let flattened = try Layers.outputShape(of: stages, for: config).reduce(1, *)
        let classifier = Sequential(try Linear(flattened, 4096), ReLU(), try Dropout(0.3), try Linear(4096, 4096),
                                    ReLU(), try Dropout(0.2), try Linear(4096, config.classes))
        stages.append(Stage(name: "logits", key: "classifier", module: FlattenedInput(classifier)))
        return try StagedModel(config: config, stages: stages)
    }
}
