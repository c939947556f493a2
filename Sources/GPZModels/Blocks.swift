import GPZNN
import GPZTensor

/// A residual unit: activation(residual(x) + shortcut(x)), the shortcut being the identity when nil and the
/// activation left out when nil. ResNet-18's basic block and IR-152's bottleneck are both of this form.
public final class Residual: AnalyzableModule {
    public let residual: Sequential
    public let shortcut: (any Module)?
    public let activation: (any Module)?
    public var isTraining = true

    public init(residual: Sequential, shortcut: (any Module)?, activation: (any Module)?) {
        self.residual = residual
        self.shortcut = shortcut
        self.activation = activation
    }

    public var children: [(name: String, module: any Module)] {
        var out: [(name: String, module: any Module)] = [("residual", residual)]
        if let shortcut { out.append(("shortcut", shortcut)) }
        if let activation { out.append(("activation", activation)) }
        return out
    }

    public func forward(_ input: Tensor) throws -> Tensor {
        let sum = try residual(input) + (shortcut?(input) ?? input)
        return try activation?(sum) ?? sum
    }

    public func analyze(input: [Int]) throws -> LayerAnalysis {
        let main = try LayerAnalysis.of(residual, input: input)
        let skip = try shortcut.map { try LayerAnalysis.of($0, input: input) }
            ?? LayerAnalysis(outputShape: input, macs: 0)
        guard main.outputShape == skip.outputShape else {
            throw ModelError("residual branch gives \(main.outputShape) but the shortcut \(skip.outputShape)")
        }
        return LayerAnalysis(outputShape: main.outputShape, macs: main.macs + skip.macs)
    }
}

/// Flattens each sample to a vector, then applies `body`. Its state-dict names are the body's own, so a head
/// stored as `classifier` owns `classifier.0.weight`, as a PyTorch `classifier` Sequential fed by `x.view(N, -1)`.
public final class FlattenedInput: AnalyzableModule {
    public let body: Sequential
    public var isTraining = true

    public init(_ body: Sequential) {
        self.body = body
    }

    public var children: [(name: String, module: any Module)] { body.children }

    public func forward(_ input: Tensor) throws -> Tensor {
        try body(input.flattened(from: 1))
    }

    public func analyze(input: [Int]) throws -> LayerAnalysis {
        try LayerAnalysis.of(body, input: LayerAnalysis.flattenedShape(input, from: 1, to: -1))
    }
}

/// Layer builders shared by the architectures.
enum Layers {
    /// Conv3×3 with padding 1.
    static func conv3x3(_ inChannels: Int, _ outChannels: Int, stride: Int = 1, bias: Bool) throws -> Conv2d {
        try Conv2d(inChannels, outChannels, 3, stride: IntPair(stride), padding: 1, bias: bias)
    }

    /// Conv3×3 (no bias) → BN → `activation`: ResNet-18's `conv1` and IR-152's input layer.
    static func stem(_ inChannels: Int, _ outChannels: Int, activation: any Module) throws -> Sequential {
        Sequential(try conv3x3(inChannels, outChannels, bias: false), try BatchNorm2d(outChannels), activation)
    }

    /// Conv1×1 (stride, no bias) → BN: the shortcut of a residual unit that changes shape.
    static func projectionShortcut(_ inChannels: Int, _ outChannels: Int, stride: Int) throws -> Sequential {
        Sequential(try Conv2d(inChannels, outChannels, 1, stride: IntPair(stride), bias: false),
                   try BatchNorm2d(outChannels))
    }

    /// Per-sample output shape of `stages` run in order on `config`'s input, for sizing the layers after them.
    static func outputShape(of stages: [Stage], for config: ModelConfig) throws -> [Int] {
        Array(try LayerAnalysis.chain(stages.map(\.module), input: [1] + config.inputShape).outputShape.dropFirst())
    }

    /// Xavier-uniform weights and zero biases for every convolution and linear layer below `module`.
    static func initialiseXavierUniform(_ module: any Module) throws {
        for (_, layer) in module.namedModules() {
            let affine: (weight: Tensor, bias: Tensor?)? = switch layer {
            case let conv as Conv2d: (conv.weight, conv.bias)
            case let linear as Linear: (linear.weight, linear.bias)
            default: nil
            }
            guard let affine else { continue }
            try Init.xavierUniform(affine.weight)
            if let bias = affine.bias { try Init.zeros(bias) }
        }
    }
}
