/// The layout of the features a split point transmits, per sample.
public enum SplitKind: String, Codable, Sendable, CaseIterable {
    /// A feature map [C, H, W].
    case spatial
    /// A token sequence [T, D].
    case tokens
    /// A flat vector [D].
    case vector

    /// The kind of a per-sample shape: rank 3 is spatial, rank 2 tokens, anything else a vector.
    public init(perSampleShape shape: [Int]) {
        switch shape.count {
        case 3: self = .spatial
        case 2: self = .tokens
        default: self = .vector
        }
    }
}

/// A place where a model can be cut into an edge half (stages 1…index) and a cloud half (the rest).
public struct SplitPoint: Equatable, Codable, Sendable, CustomStringConvertible {
    /// 1-based position among the model's split points; for the paper's architectures this is its `block_idx`
    /// (the features are its `feat[block_idx - 1]`).
    public let index: Int
    /// A readable, unique name such as `conv3_4.relu`, `pool3`, `layer2.1`, `block4` or `logits`.
    public let name: String
    /// Per-sample shape of the transmitted features, without the batch dimension.
    public let shape: [Int]
    public let kind: SplitKind

    public init(index: Int, name: String, shape: [Int], kind: SplitKind) {
        self.index = index
        self.name = name
        self.shape = shape
        self.kind = kind
    }

    /// Number of transmitted values per sample.
    public var elementCount: Int { shape.reduce(1, *) }

    public var description: String { "\(index) \(name) \(shape) \(kind.rawValue)" }
}
