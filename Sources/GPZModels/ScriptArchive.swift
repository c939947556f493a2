import Foundation
import GPZConfig
import GPZNN
import GPZTensor

/// A model exported from PyTorch by `python/gpz_export.py`: a TorchScript archive whose top-level module holds
/// the stages, with `gpz.json` describing them and a reference input and output to check them against.
///
/// Loading refuses an archive whose stages, run in order, do not reproduce the reference output — the output
/// of the original, un-split model — within `tolerance`: max |logits − reference| ≤ tolerance · max(1, max |reference|).
/// Each stage's output shape must also match its description. That is the whole contract GPZ relies on: the
/// features of split k are exactly what the model computes there, and the cloud half finishes the same logits.
public enum ScriptArchive {
    /// The name of the description inside the archive.
    public static let metadataFile = "gpz.json"
    /// Relative tolerance of the composition check (float32 on one machine with different kernel choices).
    public static let tolerance = 1e-4

    /// The model in `url` (evaluation mode, on `Device.current`) and its description; a `ModelError` naming the
    /// file and what is wrong otherwise.
    public static func load(_ url: URL) throws -> (model: StagedModel, metadata: ArchiveMetadata) {
        let path = url.path
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw ModelError("\(path): no such readable file")
        }
        let root: ScriptModule
        do {
            root = try ScriptModule.load(path, extraFile: metadataFile)
        } catch let error as TensorError {
            throw ModelError("\(path): not a TorchScript archive libtorch can read (\(error.message))")
        }
        let metadata = try decodeMetadata(root.extraFile, path: path)
        try root.toCurrentDevice()
        let stages = try metadata.stages.map { info -> Stage in
            let script: ScriptModule
            do { script = try root.child(info.module) } catch let error as TensorError {
                throw ModelError("\(path): stage '\(info.name)': \(error.message)")
            }
            return Stage(name: info.name, key: info.module, module: try ScriptStage(script: script, info: info))
        }
        let config = ModelConfig(architecture: .torchscript, channels: metadata.input[0], imageSize: metadata.input[1],
                                 classes: metadata.classes)
        let model = try StagedModel(config: config, stages: stages)
        model.eval()
        try checkComposition(model, root: root, path: path)
        return (model, metadata)
    }

    private static func decodeMetadata(_ text: String, path: String) throws -> ArchiveMetadata {
        guard !text.isEmpty else {
            throw ModelError("\(path): the archive has no \(metadataFile); export the model with python/gpz_export.py")
        }
        let metadata: ArchiveMetadata
        do {
            metadata = try JSONDecoder().decode(ArchiveMetadata.self, from: Data(text.utf8))
        } catch {
            throw ModelError("\(path): \(metadataFile) is not a valid description (\(describe(error)))")
        }
        try metadata.validate(path)
        return metadata
    }

    /// Runs the reference input through the stages in order: every output shape must match its description and
    /// the logits the reference output.
    private static func checkComposition(_ model: StagedModel, root: ScriptModule, path: String) throws {
        let input: Tensor, expected: Tensor
        do {
            input = try root.tensor("reference_input").to(Device.current)
            expected = try root.tensor("reference_output").to(Device.current)
        } catch let error as TensorError {
            throw ModelError("\(path): no reference to check the stages against (\(error.message))")
        }
        guard input.rank == 4, Array(input.shape.dropFirst()) == model.config.inputShape,
              expected.shape == [input.shape[0], model.config.classes] else {
            throw ModelError("\(path): reference_input \(input.shape) / reference_output \(expected.shape) do not fit "
                             + "input \(model.config.inputShape) and \(model.config.classes) classes")
        }
        try withNoGrad {
            var current = try input.to(.float32)
            for stage in model.stages {
                do { current = try stage.module(current) } catch let error as TensorError {
                    throw ModelError("\(path): stage '\(stage.name)' fails on the output of the stage before it "
                                     + "(\(error.message)); the stages do not compose")
                }
                let declared = (stage.module as? ScriptStage)?.info.outputShape ?? []
                guard Array(current.shape.dropFirst()) == declared else {
                    throw ModelError("\(path): stage '\(stage.name)' outputs \(Array(current.shape.dropFirst())) per "
                                     + "sample, \(metadataFile) declares \(declared)")
                }
            }
            let scale = Swift.max(1, try expected.abs().max().item())
            let difference = try (current - expected).abs().max().item()
            guard difference.isFinite, difference <= tolerance * scale else {
                throw ModelError(String(format: "%@: the stages do not compose: run in order they give logits that "
                                        + "differ from the reference output by max |Δ| = %.3g (allowed %.3g)",
                                        path, difference, tolerance * scale))
            }
        }
    }

    /// "stages[0].name: missing": the field of the description at fault and why (`DecodingFailure`).
    private static func describe(_ error: Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        let failure = DecodingFailure(error, topLevel: "", vocabulary: .json)
        return failure.field.isEmpty ? failure.explained : "\(failure.field): \(failure.explained)"
    }
}
