import GPZNN

/// What cutting a model at one split point costs the edge device.
public struct SplitCost: Equatable, Codable, Sendable {
    public let split: SplitPoint
    /// Parameters of the edge half (stages up to and including the split).
    public let edgeParameters: Int
    /// `edgeParameters` as a fraction of the whole model's parameters, in [0, 1].
    public let parameterShare: Double
    /// Multiply-accumulates of the edge half per image, counted as `LayerAnalysis` describes.
    public let edgeMACs: Int
    /// Values transmitted per image.
    public let transmittedElements: Int
    /// Transmitted bytes per image as float32.
    public let bytesFloat32: Int
    /// Transmitted bytes per image as float16.
    public let bytesFloat16: Int
    /// Measured edge time per image in seconds, when measured (see `EdgeLatency`).
    public var edgeLatencySeconds: Double?
    /// false when some edge stage's MACs could not be derived (an exported model with an operation its exporter
    /// cannot count): `edgeMACs` is then a lower bound, and the edge latency is measured instead. nil: derived.
    public var macsDerived: Bool?

    enum CodingKeys: String, CodingKey {
        case split, edgeParameters = "edge_params", parameterShare = "parameter_share", edgeMACs = "edge_macs"
        case transmittedElements = "transmitted_elements", bytesFloat32 = "bytes", bytesFloat16 = "bytes_float16"
        case edgeLatencySeconds = "edge_latency_seconds", macsDerived = "macs_derived"
    }

    public init(split: SplitPoint, edgeParameters: Int, parameterShare: Double, edgeMACs: Int,
                edgeLatencySeconds: Double? = nil) {
        self.split = split
        self.edgeParameters = edgeParameters
        self.parameterShare = parameterShare
        self.edgeMACs = edgeMACs
        transmittedElements = split.elementCount
        bytesFloat32 = 4 * split.elementCount
        bytesFloat16 = 2 * split.elementCount
        self.edgeLatencySeconds = edgeLatencySeconds
    }

    /// The analytic costs (everything but latency) of every split point of `model`, in split order.
    public static func all(for model: some SplittableModel) throws -> [SplitCost] {
        let analyses = try model.stageAnalyses()
        let total = model.parameterCount
        var parameters = 0
        var macs = 0
        var costs: [SplitCost] = []
        var derived = true
        for (stage, analysis) in zip(model.stages, analyses) {
            parameters += stage.module.parameterCount
            macs += analysis.macs
            if let script = stage.module as? ScriptStage, script.info.macs == nil { derived = false }
            guard stage.isSplitPoint else { continue }
            let split = model.splitPoints[costs.count]
            var cost = SplitCost(split: split, edgeParameters: parameters,
                                 parameterShare: total > 0 ? Double(parameters) / Double(total) : 0, edgeMACs: macs)
            cost.macsDerived = derived ? nil : false
            costs.append(cost)
        }
        return costs
    }
}
