import Foundation
import GPZData
import GPZModels
import GPZTensor
import GPZTraining

/// Reconstruction grids as PNG files: originals on the first row, reconstructions under them.
enum GridImage {
    static func write(originals: Tensor, reconstructions: Tensor, to url: URL) throws {
        guard originals.size(0) > 0 else { return }
        let grid = try ReconstructionGrid.make(originals: originals, reconstructions: [reconstructions])
        let pixels = try (grid.detached().to(.float32).clamped(min: 0, max: 1) * 255).rounded().contiguous().toFloats()
        try ImageCodec.writePNG(pixels.map { $0.isNaN ? 0 : UInt8($0) }, channels: grid.size(0), height: grid.size(1),
                                width: grid.size(2), to: url.path)
    }
}

/// Top-1 accuracy of the cloud half on enhanced features: cloud(cloudInput(apply(edge(x)))).
enum DefenseAccuracy {
    static func measure(model: any GPZModels.SplittableModel, enhancement: any FeatureEnhancement, split: Int,
                        images: ImageSet, normalize: (Tensor) throws -> Tensor) throws -> Double {
        try Evaluation.accuracy(of: model, on: images) {
            try enhancement.logits(of: model, input: try normalize($0), split: split)
        }
    }
}
