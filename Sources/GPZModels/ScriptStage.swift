import GPZNN
import GPZTensor

/// One stage of an exported model: a TorchScript module run by libtorch, differentiable like any layer.
/// Its shape and MACs come from the archive's description (`ArchiveMetadata.Stage`), not from analysing layers.
public final class ScriptStage: AnalyzableModule {
    public let script: ScriptModule
    public let info: ArchiveMetadata.Stage
    public let ownParameters: [(name: String, tensor: Tensor)]
    public let ownBuffers: [(name: String, tensor: Tensor)]
    /// Training mode switches the TorchScript module too (dropout, batch statistics).
    public var isTraining = false {
        didSet { try? script.train(isTraining) }
    }

    public init(script: ScriptModule, info: ArchiveMetadata.Stage) throws {
        self.script = script
        self.info = info
        ownParameters = try script.namedParameters()
        ownBuffers = try script.namedBuffers()
    }

    public func forward(_ input: Tensor) throws -> Tensor {
        try script(input)
    }

    public func analyze(input: [Int]) throws -> LayerAnalysis {
        LayerAnalysis(outputShape: [input.first ?? 1] + info.outputShape, macs: info.macs ?? 0)
    }
}
