/// Builds target models by architecture name.
public enum ModelFactory {
    /// A freshly initialised model for `config`, in training mode; throws a `ModelError` for settings the
    /// architecture cannot take (too small an image, a patch size that does not divide it, no channels).
    public static func make(_ config: ModelConfig) throws -> StagedModel {
        try config.validate()
        switch config.architecture {
        case .cnn4: return try CNN4.make(config)
        case .vgg16bn, .vgg19bn: return try VGG.make(config)
        case .resnet18: return try ResNet18.make(config)
        case .ir152: return try IR152.make(config)
        case .vit: return try ViT.make(config)
        case .torchscript:
            throw ModelError("a torchscript model is loaded from its archive (target.model: torchscript:FILE), "
                             + "not built by name")
        }
    }

    /// A model by architecture name (`cnn4`, `vgg16bn`, `vgg19bn`, `resnet18`, `ir152`, `vit`); an unknown name
    /// is an error listing the valid ones.
    public static func make(architecture: String, channels: Int = 3, imageSize: Int = 64, classes: Int = 10,
                            options: ModelOptions = ModelOptions()) throws -> StagedModel {
        try make(ModelConfig(architecture: Architecture(named: architecture), channels: channels,
                             imageSize: imageSize, classes: classes, options: options))
    }
}
