import GPZNN
import GPZTensor

/// Turns ViT tokens [N, T, D] into a feature map [N, D, g, g]: the class token (the first) is dropped when
/// T − 1 is a square g², and the patch tokens, in row-major patch order, become the columns of the grid. A
/// sequence without class token (T = g²) is used whole.
public final class TokenGrid: Module {
    public let tokens: Int
    public let width: Int
    /// The grid side g.
    public let side: Int
    /// Whether the first token is a class token that is dropped.
    public let dropsClassToken: Bool
    public var isTraining = true

    /// For per-sample token shape [T, D].
    public init(tokens: Int, width: Int) throws {
        let withoutClass = Self.squareRoot(tokens - 1)
        let whole = Self.squareRoot(tokens)
        guard let side = withoutClass ?? whole else {
            throw AttackError("TokenGrid: tokens [\(tokens), \(width)] do not form a square grid with or without "
                              + "a class token")
        }
        self.tokens = tokens
        self.width = width
        self.side = side
        dropsClassToken = withoutClass != nil
    }

    public func forward(_ input: Tensor) throws -> Tensor {
        try AttackError.check(input.rank == 3 && input.size(1) == tokens && input.size(2) == width,
                              "TokenGrid: input \(input.shape) must be [N, \(tokens), \(width)]")
        let patches = dropsClassToken ? try input.slice(dim: 1, start: 1) : input
        return try patches.transposed(1, 2).reshaped([input.size(0), width, side, side])
    }

    private static func squareRoot(_ n: Int) -> Int? {
        guard n >= 1 else { return nil }
        let root = Int(Double(n).squareRoot().rounded())
        return root * root == n ? root : nil
    }
}

/// Turns a feature vector [N, D] into a map [N, C, s, s] with a linear layer, as the first layer of a DCGAN
/// generator (a ConvTranspose(D, C, 4, 1, 0) from a 1 × 1 map is the same linear map): y = reshape(W z + b).
public final class VectorToMap: Module {
    public let projection: Linear
    public let channels: Int
    public let side: Int
    public var isTraining = true

    public init(features: Int, channels: Int, side: Int) throws {
        projection = try Linear(features, channels * side * side)
        self.channels = channels
        self.side = side
    }

    public var children: [(name: String, module: any Module)] { [("projection", projection)] }

    public func forward(_ input: Tensor) throws -> Tensor {
        try projection(input.flattened(from: 1)).reshaped([input.size(0), channels, side, side])
    }
}
