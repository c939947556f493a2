import GPZConfig
import GPZTensor

/// Updates a fixed list of parameters from their accumulated gradients.
///
/// Update rules follow `torch.optim` (PyTorch 1.13, single-tensor code path) operation for operation, so the same
/// parameters and gradients give the same values. Parameters whose gradient is undefined are skipped, as in PyTorch.
/// Per-parameter state is keyed by the parameter's position in `parameters`.
public protocol Optimizer: AnyObject {
    /// The tensors this optimiser updates in place.
    var parameters: [Tensor] { get }
    /// The learning rate of the next `step()`; learning-rate schedulers change it between steps.
    var learningRate: Double { get set }

    /// Applies one update to every parameter that has a gradient.
    func step() throws
    /// Drops the accumulated gradients of all parameters.
    func zeroGrad() throws

    /// Everything needed to resume bit-identically: hyper-parameters as scalar tensors (`lr`, …) and per-parameter
    /// state named `state.<index>.<buffer>` (for example `state.3.exp_avg`). The tensors are copies.
    func stateDict() throws -> [(name: String, tensor: Tensor)]
    /// Restores a state from `stateDict()`; every entry must be present, consistent with the parameters and used.
    func loadStateDict(_ state: [String: Tensor]) throws
}

extension Optimizer {
    public func zeroGrad() throws {
        for parameter in parameters { try parameter.zeroGrad() }
    }
}

/// An invalid hyper-parameter or an optimiser / scheduler state that does not fit, e.g.
/// `Adam: invalid beta2 1.0; expected 0 <= beta2 < 1`.
public struct OptimizerError: MessageError, UserError {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    /// Throws `"<owner>: invalid <name> <value>; expected <requirement>"` unless `condition` holds.
    static func check(_ condition: Bool, _ owner: String, _ name: String, _ value: Any, expected requirement: String)
        throws {
        if !condition { throw OptimizerError("\(owner): invalid \(name) \(value); expected \(requirement)") }
    }
}

/// Builds a state dict: scalars as 0-d float64 / int64 / bool tensors, buffers as copies.
struct StateDictWriter {
    private(set) var entries: [(name: String, tensor: Tensor)] = []

    mutating func add(_ name: String, _ value: Double) throws {
        entries.append((name, try Tensor(scalar: value, dtype: .float64)))
    }

    mutating func add(_ name: String, _ value: Int) throws {
        entries.append((name, try Tensor([Int64(value)], shape: [])))
    }

    mutating func add(_ name: String, _ value: Bool) throws {
        entries.append((name, try Tensor([value], shape: [])))
    }

    mutating func add(_ name: String, _ buffer: Tensor?) throws {
        if let buffer { entries.append((name, try buffer.clone())) }
    }
}

/// Reads a state dict written by `StateDictWriter`, checking names, shapes and that nothing is left unused.
struct StateDictReader {
    private let owner: String
    private let entries: [String: Tensor]
    private var unused: Set<String>

    init(owner: String, entries: [String: Tensor]) {
        self.owner = owner
        self.entries = entries
        self.unused = Set(entries.keys)
    }

    private mutating func take(_ name: String) throws -> Tensor {
        guard let tensor = entries[name] else { throw OptimizerError("\(owner): state has no entry '\(name)'") }
        unused.remove(name)
        return tensor
    }

    private mutating func scalarValue(_ name: String) throws -> Double {
        let tensor = try take(name)
        guard tensor.count == 1 else {
            throw OptimizerError("\(owner): state entry '\(name)' has shape \(tensor.shape); expected a scalar")
        }
        return try tensor.item()
    }

    mutating func double(_ name: String) throws -> Double { try scalarValue(name) }

    mutating func int(_ name: String) throws -> Int {
        let value = try scalarValue(name)
        guard let integer = Int(exactly: value) else {
            throw OptimizerError("\(owner): state entry '\(name)' is \(value); expected an integer")
        }
        return integer
    }

    mutating func bool(_ name: String) throws -> Bool { try scalarValue(name) != 0 }

    func contains(_ name: String) -> Bool { entries[name] != nil }

    /// A private copy of buffer `name`, converted to `parameter`'s dtype, which must have `parameter`'s shape.
    mutating func buffer(_ name: String, like parameter: Tensor) throws -> Tensor {
        let tensor = try take(name)
        guard tensor.shape == parameter.shape else {
            throw OptimizerError("\(owner): state entry '\(name)' has shape \(tensor.shape); "
                + "the parameter has shape \(parameter.shape)")
        }
        return try tensor.to(parameter.dtype).clone()
    }

    /// Throws when some entries were never read (for example state for a parameter index that does not exist).
    func finish() throws {
        guard unused.isEmpty else {
            throw OptimizerError("\(owner): unexpected state entries \(unused.sorted().prefix(5))")
        }
    }
}

extension Tensor {
    /// `self + alpha · other` as a new tensor, computed like PyTorch's `tensor.add(other, alpha=alpha)`.
    func adding(_ other: Tensor, alpha: Double) throws -> Tensor {
        let result = try clone()
        try result.addInPlace(other, alpha: alpha)
        return result
    }
}
