import XCTest
import GPZAttacks
import GPZModels
import GPZTensor

/// `count` smooth synthetic images [count, channels, size, size] in [0.1, 0.9]: per image and channel,
/// 0.5 + 0.4 · sin(a·i + b·j + φ) with random frequencies a, b ∈ [0.1, 0.8) and phase φ ∈ [0, 2π).
func syntheticImages(count: Int, channels: Int, size: Int) throws -> Tensor {
    let rows = try Tensor.arange(0, Double(size)).reshaped([1, 1, size, 1])
    let columns = try Tensor.arange(0, Double(size)).reshaped([1, 1, 1, size])
    let a = try Tensor.rand([count, channels, 1, 1]) * 0.7 + 0.1
    let b = try Tensor.rand([count, channels, 1, 1]) * 0.7 + 0.1
    let phase = try Tensor.rand([count, channels, 1, 1]) * (2 * Double.pi)
    return try (a * rows + b * columns + phase).sin() * 0.4 + 0.5
}

/// A tiny untrained cnn4 in evaluation mode.
func tinyCNN4(channels: Int = 1, imageSize: Int = 16) throws -> StagedModel {
    let model = try ModelFactory.make(architecture: "cnn4", channels: channels, imageSize: imageSize, classes: 4)
    model.eval()
    return model
}
