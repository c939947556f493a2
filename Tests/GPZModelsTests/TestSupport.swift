import XCTest
import GPZModels
import GPZNN
import GPZTensor

/// A model in evaluation mode.
func evalModel(_ architecture: Architecture, channels: Int = 3, imageSize: Int = 64,
               classes: Int = 10) throws -> StagedModel {
    let model = try ModelFactory.make(ModelConfig(architecture: architecture, channels: channels,
                                                  imageSize: imageSize, classes: classes))
    model.eval()
    return model
}

/// A random batch of images for `model`.
func randomInput(for model: StagedModel, batch: Int = 1) throws -> Tensor {
    try Tensor.randn([batch] + model.config.inputShape)
}
