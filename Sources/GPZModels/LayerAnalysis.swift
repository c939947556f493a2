import GPZNN

/// What one forward pass of a module does to one sample, worked out from the layer definitions alone (nothing
/// runs): the output shape and the multiply-accumulate operations (MACs).
///
/// MACs are counted for the layers that multiply by weights or by other activations:
/// - `Conv2d`: C_out · (C_in / groups) · k_h · k_w · H_out · W_out;
/// - `Linear`: in · out per row (a token sequence has one row per token);
/// - `MultiheadAttention` (self-attention over T tokens of width E): the query, key, value and output
///   projections 4·T·E², plus QKᵀ and the attention-weighted sum of values, T²·E each.
///
/// Batch norm, layer norm, activations, pooling, dropout, flattening, residual additions, class tokens and
/// positional embeddings cost a few operations per element and are counted as 0 MACs.
public struct LayerAnalysis: Equatable, Sendable {
    /// The output shape with a leading batch dimension of 1.
    public var outputShape: [Int]
    /// Multiply-accumulates for one sample.
    public var macs: Int

    public init(outputShape: [Int], macs: Int) {
        self.outputShape = outputShape
        self.macs = macs
    }

    /// The analysis of `module` on an input of shape `input` (with a leading batch dimension of 1).
    /// Throws for module types it does not know and for inputs too small for a layer.
    public static func of(_ module: any Module, input: [Int]) throws -> LayerAnalysis {
        switch module {
        case let custom as any AnalyzableModule:
            return try custom.analyze(input: input)
        case let sequential as Sequential:
            return try chain(sequential.layers, input: input)
        case let conv as Conv2d:
            return try convolution(conv, input: input)
        case let linear as Linear:
            try expect(input.last == linear.inFeatures, "Linear", input)
            let rows = input.dropLast().reduce(1, *)
            return LayerAnalysis(outputShape: input.dropLast() + [linear.outFeatures],
                                 macs: rows * linear.inFeatures * linear.outFeatures)
        case let attention as MultiheadAttention:
            try expect(input.count == 3 && input.last == attention.embedDim, "MultiheadAttention", input)
            let tokens = attention.batchFirst ? input[1] : input[0]
            let width = attention.embedDim
            return LayerAnalysis(outputShape: input, macs: 4 * tokens * width * width + 2 * tokens * tokens * width)
        case let pool as MaxPool2d:
            return try pooling("MaxPool2d", input: input, kernel: pool.kernelSize, stride: pool.stride,
                               padding: pool.padding, dilation: pool.dilation, ceilMode: pool.ceilMode)
        case let pool as AvgPool2d:
            return try pooling("AvgPool2d", input: input, kernel: pool.kernelSize, stride: pool.stride,
                               padding: pool.padding, dilation: 1, ceilMode: pool.ceilMode)
        case let pool as AdaptiveAvgPool2d:
            try expect(input.count == 4, "AdaptiveAvgPool2d", input)
            return LayerAnalysis(outputShape: [input[0], input[1], pool.outputSize.height, pool.outputSize.width],
                                 macs: 0)
        case let flatten as Flatten:
            return LayerAnalysis(outputShape: try flattenedShape(input, from: flatten.startDim, to: flatten.endDim),
                                 macs: 0)
        case is BatchNorm2d, is BatchNorm1d, is LayerNorm, is ReLU, is LeakyReLU, is PReLU, is GELU, is Tanh,
             is Sigmoid, is Dropout:
            return LayerAnalysis(outputShape: input, macs: 0)
        default:
            throw ModelError("cannot analyse a \(type(of: module)) module")
        }
    }

    /// The analysis of `modules` applied one after another: the last output shape and the summed MACs.
    public static func chain(_ modules: [any Module], input: [Int]) throws -> LayerAnalysis {
        var result = LayerAnalysis(outputShape: input, macs: 0)
        for module in modules {
            let step = try of(module, input: result.outputShape)
            result = LayerAnalysis(outputShape: step.outputShape, macs: result.macs + step.macs)
        }
        return result
    }

    /// [N, C·H·W…] merging dimensions `start` through `end` (negative counts from the end), as `Flatten`.
    static func flattenedShape(_ shape: [Int], from start: Int, to end: Int) throws -> [Int] {
        let rank = shape.count
        let first = start < 0 ? start + rank : start
        let last = end < 0 ? end + rank : end
        guard 0 <= first, first <= last, last < rank else {
            throw ModelError("Flatten: dimensions \(start) through \(end) are not a range of \(shape)")
        }
        return Array(shape[..<first]) + [shape[first...last].reduce(1, *)] + Array(shape[(last + 1)...])
    }

    private static func convolution(_ conv: Conv2d, input: [Int]) throws -> LayerAnalysis {
        try expect(input.count == 4 && input[1] == conv.inChannels, "Conv2d", input)
        let height = try slidingWindowCount(input[2], kernel: conv.kernelSize.height, stride: conv.stride.height,
                                            padding: conv.padding.height, dilation: conv.dilation.height,
                                            ceilMode: false, layer: "Conv2d", input: input)
        let width = try slidingWindowCount(input[3], kernel: conv.kernelSize.width, stride: conv.stride.width,
                                           padding: conv.padding.width, dilation: conv.dilation.width,
                                           ceilMode: false, layer: "Conv2d", input: input)
        let perPosition = conv.outChannels * (conv.inChannels / conv.groups) * conv.kernelSize.product
        return LayerAnalysis(outputShape: [input[0], conv.outChannels, height, width],
                             macs: perPosition * height * width)
    }

    private static func pooling(_ layer: String, input: [Int], kernel: IntPair, stride: IntPair, padding: IntPair,
                                dilation: IntPair, ceilMode: Bool) throws -> LayerAnalysis {
        try expect(input.count == 4, layer, input)
        let height = try slidingWindowCount(input[2], kernel: kernel.height, stride: stride.height,
                                            padding: padding.height, dilation: dilation.height,
                                            ceilMode: ceilMode, layer: layer, input: input)
        let width = try slidingWindowCount(input[3], kernel: kernel.width, stride: stride.width,
                                           padding: padding.width, dilation: dilation.width,
                                           ceilMode: ceilMode, layer: layer, input: input)
        return LayerAnalysis(outputShape: [input[0], input[1], height, width], macs: 0)
    }

    /// Window positions along one axis, as PyTorch computes them for convolution and pooling:
    /// ⌊(n + 2p − d·(k − 1) − 1) / s⌋ + 1, rounded up instead with `ceilMode`, where a window that would start
    /// in the right padding is dropped.
    private static func slidingWindowCount(_ size: Int, kernel: Int, stride: Int, padding: Int, dilation: Int,
                                           ceilMode: Bool, layer: String, input: [Int]) throws -> Int {
        let span = size + 2 * padding - dilation * (kernel - 1) - 1 + (ceilMode ? stride - 1 : 0)
        var count = Int((Double(span) / Double(stride)).rounded(.down)) + 1
        if ceilMode, (count - 1) * stride >= size + padding { count -= 1 }
        guard count >= 1 else { throw ModelError("\(layer): input \(Array(input.dropFirst())) is too small") }
        return count
    }

    private static func expect(_ condition: Bool, _ layer: String, _ input: [Int]) throws {
        if !condition { throw ModelError("\(layer): cannot take input \(Array(input.dropFirst()))") }
    }
}

/// A module that works out its own `LayerAnalysis`, usually from its children's.
public protocol AnalyzableModule: Module {
    /// Output shape and MACs for an input of shape `input` (with a leading batch dimension of 1).
    func analyze(input: [Int]) throws -> LayerAnalysis
}
