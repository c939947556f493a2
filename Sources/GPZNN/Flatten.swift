import GPZTensor

/// Merges dimensions `startDim` through `endDim` (negative values count from the end) into one, as
/// `torch.nn.Flatten`: [N, C, H, W] → [N, C·H·W] with the defaults.
public final class Flatten: Module {
    public let startDim: Int
    public let endDim: Int
    public var isTraining = true

    public init(startDim: Int = 1, endDim: Int = -1) {
        self.startDim = startDim
        self.endDim = endDim
    }

    public func forward(_ input: Tensor) throws -> Tensor {
        let rank = Swift.max(input.rank, 1)
        let start = startDim < 0 ? startDim + rank : startDim
        let end = endDim < 0 ? endDim + rank : endDim
        try TensorError.check(0 <= start && start < rank && 0 <= end && end < rank && start <= end, "Flatten",
                              "dimensions \(startDim) through \(endDim) are not a range of input \(input.shape)")
        return try input.flattened(from: start, to: end)
    }
}
