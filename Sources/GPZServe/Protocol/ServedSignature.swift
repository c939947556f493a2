/// What the served cloud half takes and gives, as the protocol names it: one input tensor `z` of shape
/// [N, …split shape] (1 ≤ N ≤ `maxBatch`) in FP32, FP16 or INT8, and the outputs `logits` (FP32 [N, classes]) and
/// `class` (INT64 [N], the arg-max of the logits).
public struct ServedSignature: Sendable, Equatable {
    /// The name clients address the model by, in `/v2/models/{name}/…`.
    public var modelName: String
    /// The one version served; `/v2/models/{name}/versions/{v}/…` answers for it only.
    public var modelVersion: String
    /// The input tensor's name.
    public var inputName: String
    /// The per-sample shape of the split's features, without the batch dimension: [C, H, W], [T, D] or [D].
    public var featureShape: [Int]
    /// The number of logits per sample.
    public var classes: Int
    /// The largest batch one request may carry.
    public var maxBatch: Int

    public static let logitsOutput = "logits"
    public static let classOutput = "class"
    public static let outputNames = [logitsOutput, classOutput]
    public static let defaultInputName = "z"

    public init(modelName: String, modelVersion: String = "1", inputName: String = ServedSignature.defaultInputName,
                featureShape: [Int], classes: Int, maxBatch: Int) {
        self.modelName = modelName
        self.modelVersion = modelVersion
        self.inputName = inputName
        self.featureShape = featureShape
        self.classes = classes
        self.maxBatch = maxBatch
    }

    /// Values per sample.
    public var valuesPerSample: Int { featureShape.reduce(1, *) }

    /// The input shape as people read it: `[N, 8, 4, 4]`.
    public var inputShapeText: String { "[" + (["N"] + featureShape.map(String.init)).joined(separator: ", ") + "]" }
}

/// Text from a request, made safe to quote in a one-line message: control characters become `?` and anything past
/// `limit` characters is cut with an ellipsis.
func quoted(_ text: String, limit: Int = 64) -> String {
    let cleaned = String(String.UnicodeScalarView(text.unicodeScalars.prefix(limit + 1).map {
        $0.properties.generalCategory == .control ? "?" : $0
    }))
    return "'" + (cleaned.count > limit ? String(cleaned.prefix(limit)) + "…" : cleaned) + "'"
}

/// A shape as people read it: `[1, 8, 4]` (a shape of more than 8 dimensions is cut after the eighth).
func shapeText(_ shape: [Int]) -> String {
    let shown = shape.prefix(8).map(String.init).joined(separator: ", ")
    return "[" + shown + (shape.count > 8 ? ", … (\(shape.count) dimensions)]" : "]")
}
