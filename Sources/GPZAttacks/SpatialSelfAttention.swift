import GPZNN
import GPZTensor

/// Multi-head self-attention over the H·W positions of x [N, C, H, W], a pre-norm transformer layer with the
/// positions as tokens t [N, HW, C]:
///
///     t ← t + MHA(LN₁(t)),  t ← t + W₂ · GELU(W₁ · LN₂(t)),  y = t reshaped back to [N, C, H, W]
///
/// with 4 heads when C is divisible by 4 (else 1) and a feed-forward width of 2C. Every position attends to
/// every other, so the cost grows with (HW)²; decoders use it only on small maps.
public final class SpatialSelfAttention: Module {
    public let attentionNorm: LayerNorm
    public let attention: MultiheadAttention
    public let feedForwardNorm: LayerNorm
    public let feedForward: Sequential
    public var isTraining = true

    public init(channels: Int) throws {
        attentionNorm = try LayerNorm(channels)
        attention = try MultiheadAttention(embedDim: channels, numHeads: channels % 4 == 0 ? 4 : 1, batchFirst: true)
        feedForwardNorm = try LayerNorm(channels)
        feedForward = Sequential(try Linear(channels, 2 * channels), GELU(), try Linear(2 * channels, channels))
    }

    public var children: [(name: String, module: any Module)] {
        [("attention_norm", attentionNorm), ("attention", attention), ("feed_forward_norm", feedForwardNorm),
         ("feed_forward", feedForward)]
    }

    public func forward(_ input: Tensor) throws -> Tensor {
        let shape = input.shape
        var tokens = try input.flattened(from: 2).transposed(1, 2)
        tokens = try tokens + attention(attentionNorm(tokens))
        tokens = try tokens + feedForward(feedForwardNorm(tokens))
        return try tokens.transposed(1, 2).reshaped(shape)
    }
}
