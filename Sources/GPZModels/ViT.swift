import GPZNN
import GPZTensor

/// The paper's `VisionTransformer` as its scripts build it: patch size 4, embedding width 128, depth 6, 8 heads,
/// MLP ratio 4, dropout 0.1.
///
/// - `patch_embed`: Conv(k = p, stride p) to 128 channels, one token per patch; a class token (zeros) is put in
///   front and a learnt positional embedding added (normal with std 0.02, clamped to ±2, which is what a
///   truncated normal with PyTorch's default absolute bounds ±2 amounts to at this std), then dropout.
/// - `blocks.0`…`blocks.5`, pre-norm: x + MHA(LN(x)), then x + MLP(LN(x)), the MLP Linear(128, 512) → GELU →
///   Dropout → Linear(512, 128) → Dropout; the attention weights are dropped out with the same rate.
/// - `head`: LayerNorm, then Linear(128, classes) on the class token.
///
/// Split points: 1–6 the block outputs `block1`…`block6`, each T + 1 tokens of width 128 with the class token
/// first (257×128 at 64 px), and 7 `logits`.
///
/// Differences from the paper's code: the input may have any number of channels (the paper's crashes on
/// grayscale), and the patch size is an option, 4 by default, which must divide the image size (64 px → 256
/// patches, 32 px → 64, 28 px → 49). Linear and LayerNorm layers keep PyTorch's default initialisation.
enum ViT {
    static let width = 128
    static let depth = 6
    static let heads = 8
    static let mlpRatio = 4
    static let dropout = 0.1

    static func make(_ config: ModelConfig) throws -> StagedModel {
        let embedding = try PatchEmbedding(channels: config.channels, imageSize: config.imageSize,
                                           patchSize: config.options.patchSize, width: width, dropout: dropout)
        var stages = [Stage(name: "embedding", key: "patch_embed", module: embedding, isSplitPoint: false)]
        for block in 0..<depth {
            stages.append(Stage(name: "block\(block + 1)", key: "blocks.\(block)",
                                module: try TransformerBlock(width: width, heads: heads,
                                                             hiddenWidth: mlpRatio * width, dropout: dropout)))
        }
        stages.append(Stage(name: "logits", key: "head", module: try ClassTokenHead(width: width,
                                                                                    classes: config.classes)))
        return try StagedModel(config: config, stages: stages)
    }
}

/// Image [N, C, H, W] → tokens [N, 1 + (H/p)·(W/p), D]: patch projection, class token in front, positional
/// embedding added, dropout.
public final class PatchEmbedding: AnalyzableModule {
    public let projection: Conv2d
    /// [1, 1, D], zeros.
    public let classToken: Tensor
    /// [1, 1 + patches, D].
    public let positionEmbedding: Tensor
    public let dropout: Dropout
    public var isTraining = true

    public init(channels: Int, imageSize: Int, patchSize: Int, width: Int, dropout: Double) throws {
        projection = try Conv2d(channels, width, IntPair(patchSize), stride: IntPair(patchSize))
        let patches = (imageSize / patchSize) * (imageSize / patchSize)
        classToken = try Tensor.zeros([1, 1, width]).requiringGrad()
        let position = try Tensor.zeros([1, 1 + patches, width]).requiringGrad()
        try Init.normal(position, std: 0.02)
        try withNoGrad { try position.assign(position.clamped(min: -2, max: 2)) }
        positionEmbedding = position
        self.dropout = try Dropout(dropout)
    }

    public var ownParameters: [(name: String, tensor: Tensor)] {
        [("cls_token", classToken), ("pos_embed", positionEmbedding)]
    }

    public var children: [(name: String, module: any Module)] { [("proj", projection), ("pos_drop", dropout)] }

    public func forward(_ input: Tensor) throws -> Tensor {
        let patches = try projection(input).flattened(from: 2).transposed(1, 2)
        let classTokens = try classToken.expanded([input.size(0), 1, classToken.size(2)])
        return try dropout(Tensor.cat([classTokens, patches], dim: 1) + positionEmbedding)
    }

    public func analyze(input: [Int]) throws -> LayerAnalysis {
        let map = try LayerAnalysis.of(projection, input: input)
        let tokens = 1 + map.outputShape[2] * map.outputShape[3]
        guard tokens == positionEmbedding.size(1) else {
            throw ModelError("patch embedding: input \(Array(input.dropFirst())) gives \(tokens) tokens, "
                             + "the positional embedding has \(positionEmbedding.size(1))")
        }
        return LayerAnalysis(outputShape: [input[0], tokens, map.outputShape[1]], macs: map.macs)
    }
}

/// A pre-norm transformer encoder block on [N, T, D]: x + MHA(LN(x)), then x + MLP(LN(x)).
public final class TransformerBlock: AnalyzableModule {
    public let norm1: LayerNorm
    public let attention: MultiheadAttention
    public let norm2: LayerNorm
    public let mlp: Sequential
    public var isTraining = true

    public init(width: Int, heads: Int, hiddenWidth: Int, dropout: Double) throws {
        norm1 = try LayerNorm(width)
        attention = try MultiheadAttention(embedDim: width, numHeads: heads, dropout: dropout, batchFirst: true)
        norm2 = try LayerNorm(width)
        mlp = Sequential(try Linear(width, hiddenWidth), GELU(), try Dropout(dropout), try Linear(hiddenWidth, width),
                         try Dropout(dropout))
    }

    public var children: [(name: String, module: any Module)] {
        [("norm1", norm1), ("attn", attention), ("norm2", norm2), ("mlp", mlp)]
    }

    public func forward(_ input: Tensor) throws -> Tensor {
        let attended = try input + attention(norm1(input))
        return try attended + mlp(norm2(attended))
    }

    public func analyze(input: [Int]) throws -> LayerAnalysis {
        let attended = try LayerAnalysis.chain([norm1, attention], input: input)
        let mixed = try LayerAnalysis.chain([norm2, mlp], input: input)
        return LayerAnalysis(outputShape: input, macs: attended.macs + mixed.macs)
    }
}

/// Tokens [N, T, D] → logits [N, classes]: LayerNorm, then a linear layer on the first (class) token.
public final class ClassTokenHead: AnalyzableModule {
    public let norm: LayerNorm
    public let classifier: Linear
    public var isTraining = true

    public init(width: Int, classes: Int) throws {
        norm = try LayerNorm(width)
        classifier = try Linear(width, classes)
    }

    public var children: [(name: String, module: any Module)] { [("norm", norm), ("fc", classifier)] }

    public func forward(_ input: Tensor) throws -> Tensor {
        try classifier(norm(input).slice(dim: 1, start: 0, end: 1).squeezed(1))
    }

    public func analyze(input: [Int]) throws -> LayerAnalysis {
        guard input.count == 3 else { throw ModelError("class-token head: cannot take input \(input.dropFirst())") }
        return try LayerAnalysis.of(classifier, input: [input[0], input[2]])
    }
}
