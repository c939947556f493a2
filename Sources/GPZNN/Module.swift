import GPZTensor

/// A differentiable building block with named parameters, buffers and sub-modules.
///
/// Names are stable and dotted like PyTorch's state dicts: a `Sequential` stored as `features` whose fourth layer
/// is a convolution owns `features.3.weight`. Conforming types list only their *own* tensors and children, in
/// declaration order; the recursive views (`namedParameters()`, `stateDict()`, …) come from this protocol's
/// extension. Parameters and buffers are reference-stable: loading a state dict copies values into the existing
/// tensors, so optimisers holding them keep working.
public protocol Module: AnyObject {
    /// Trainable tensors owned directly by this module (names without dots).
    var ownParameters: [(name: String, tensor: Tensor)] { get }
    /// Non-trainable state owned directly by this module (for example batch-norm running statistics).
    var ownBuffers: [(name: String, tensor: Tensor)] { get }
    /// Direct sub-modules, in declaration order.
    var children: [(name: String, module: any Module)] { get }
    /// Training mode (dropout active, batch statistics used) versus evaluation mode.
    var isTraining: Bool { get set }

    func forward(_ input: Tensor) throws -> Tensor
}

extension Module {
    public var ownParameters: [(name: String, tensor: Tensor)] { [] }
    public var ownBuffers: [(name: String, tensor: Tensor)] { [] }
    public var children: [(name: String, module: any Module)] { [] }

    public func callAsFunction(_ input: Tensor) throws -> Tensor { try forward(input) }

    /// Every parameter of this module and its descendants, with dotted names, depth-first in declaration order.
    public func namedParameters() -> [(name: String, tensor: Tensor)] {
        collect { $0.ownParameters }
    }

    public func parameters() -> [Tensor] { namedParameters().map(\.tensor) }

    public func namedBuffers() -> [(name: String, tensor: Tensor)] {
        collect { $0.ownBuffers }
    }

    /// Every module below this one (itself first) with its dotted path ("" for itself).
    public func namedModules() -> [(name: String, module: any Module)] {
        var out: [(name: String, module: any Module)] = [("", self)]
        for (name, child) in children {
            for (sub, module) in child.namedModules() {
                out.append((sub.isEmpty ? name : "\(name).\(sub)", module))
            }
        }
        return out
    }

    /// Parameters followed by buffers, each under its dotted name: what a checkpoint stores.
    public func stateDict() -> [(name: String, tensor: Tensor)] {
        namedParameters() + namedBuffers()
    }

    /// Number of trainable scalars.
    public var parameterCount: Int { parameters().reduce(0) { $0 + $1.count } }

    /// Copies values from `state` into this module's tensors. With `strict`, every name must be present on both
    /// sides; a shape mismatch, or integer / boolean data for a floating-point tensor (and the reverse), is always an
    /// error naming the tensor and the dtypes.
    public func loadStateDict(_ state: [String: Tensor], strict: Bool = true) throws {
        let own = stateDict()
        if strict {
            let ownNames = Set(own.map(\.name))
            let missing = own.map(\.name).filter { state[$0] == nil }
            let unexpected = state.keys.filter { !ownNames.contains($0) }.sorted()
            if !missing.isEmpty || !unexpected.isEmpty {
                throw TensorError(op: "load_state_dict",
                                  message: "missing \(missing.prefix(5)) unexpected \(unexpected.prefix(5))")
            }
        }
        try withNoGrad {
            for (name, tensor) in own {
                guard let source = state[name] else { continue }
                guard source.shape == tensor.shape else {
                    throw TensorError(op: "load_state_dict",
                                      message: "\(name): checkpoint has shape \(source.shape), model expects \(tensor.shape)")
                }
                // Floats may change precision; integers or booleans never silently become weights (or back).
                guard source.dtype.isFloatingPoint == tensor.dtype.isFloatingPoint,
                      (source.dtype == .bool) == (tensor.dtype == .bool) else {
                    throw TensorError(op: "load_state_dict",
                                      message: "\(name): checkpoint stores \(source.dtype) values, model expects \(tensor.dtype)")
                }
                try tensor.assign(source)
            }
        }
    }

    /// Switches this module and all descendants to training (`true`) or evaluation mode.
    public func train(_ on: Bool = true) {
        for (_, module) in namedModules() { module.isTraining = on }
    }

    public func eval() { train(false) }

    /// Drops the accumulated gradients of every parameter.
    public func zeroGrad() throws {
        for p in parameters() { try p.zeroGrad() }
    }

    private func collect(_ own: (any Module) -> [(name: String, tensor: Tensor)]) -> [(name: String, tensor: Tensor)] {
        var out: [(name: String, tensor: Tensor)] = []
        for (path, module) in namedModules() {
            for (name, tensor) in own(module) {
                out.append((path.isEmpty ? name : "\(path).\(name)", tensor))
            }
        }
        return out
    }
}
