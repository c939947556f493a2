import GPZTensor

/// Modules applied one after another, as `torch.nn.Sequential`. Children are named "0", "1", …, so a Sequential
/// stored as `features` whose fourth layer is a convolution owns `features.3.weight`.
public final class Sequential: Module {
    public private(set) var layers: [any Module]
    public var isTraining = true

    public init(_ layers: [any Module]) {
        self.layers = layers
    }

    public convenience init(_ layers: any Module...) {
        self.init(layers)
    }

    public var children: [(name: String, module: any Module)] {
        layers.enumerated().map { ("\($0.offset)", $0.element) }
    }

    public var count: Int { layers.count }

    public subscript(index: Int) -> any Module { layers[index] }

    /// Adds `layer` at the end; it is named by its position.
    public func append(_ layer: any Module) {
        layers.append(layer)
    }

    public func forward(_ input: Tensor) throws -> Tensor {
        try layers.reduce(input) { try $1.forward($0) }
    }
}
