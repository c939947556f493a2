import XCTest
@testable import GPZNN
import GPZTensor

/// Places where autograd and central finite differences disagree, one line per tensor (empty when they agree).
///
/// The scalar differentiated is f = Σ(output ⊙ R) with R a fixed standard-normal projection, so every output
/// element contributes. Each tensor of `tensors` must be a float64 leaf that requires grad; every element is moved
/// by ±`eps` in turn and ∂f/∂t ≈ (f(t + eps) − f(t − eps)) / (2·eps) is compared with autograd's gradient:
/// |autograd − numeric| ≤ `tolerance` · (1 + |numeric|).
func gradientMismatches(of output: () throws -> Tensor, wrt tensors: [(name: String, tensor: Tensor)],
                        eps: Double = 1e-6, tolerance: Double = 1e-5) throws -> [String] {
    let projection = try Tensor.randn(output().shape, dtype: .float64)
    func objective() throws -> Tensor { try (output() * projection).sum() }

    for (_, tensor) in tensors { try tensor.zeroGrad() }
    try objective().backward()

    var mismatches: [String] = []
    for (name, tensor) in tensors {
        precondition(tensor.dtype == .float64 && tensor.requiresGrad, "\(name) must be a float64 leaf requiring grad")
        let analytic = try tensor.grad?.toDoubles() ?? [Double](repeating: 0, count: tensor.count)
        let original = try withNoGrad { try tensor.clone() }
        var worst = (index: 0, autograd: 0.0, numeric: 0.0, excess: -Double.infinity)
        for index in 0..<tensor.count {
            var unit = [Double](repeating: 0, count: tensor.count)
            unit[index] = 1
            let direction = try Tensor(unit, shape: tensor.shape)
            let (plus, minus) = try withNoGrad {
                try tensor.addInPlace(direction, alpha: eps)
                let plus = try objective().item()
                try tensor.addInPlace(direction, alpha: -2 * eps)
                let minus = try objective().item()
                try tensor.assign(original)
                return (plus, minus)
            }
            let numeric = (plus - minus) / (2 * eps)
            let excess = Swift.abs(analytic[index] - numeric) - tolerance * (1 + Swift.abs(numeric))
            if excess > worst.excess { worst = (index, analytic[index], numeric, excess) }
        }
        if worst.excess > 0 {
            mismatches.append("\(name) \(tensor.shape) element \(worst.index): autograd \(worst.autograd), "
                              + "finite difference \(worst.numeric)")
        }
    }
    return mismatches
}

/// Asserts that autograd's gradients of `output` match finite differences for every tensor in `tensors`.
func assertGradientsMatch(_ output: () throws -> Tensor, wrt tensors: [(name: String, tensor: Tensor)],
                          file: StaticString = #filePath, line: UInt = #line) throws {
    let mismatches = try gradientMismatches(of: output, wrt: tensors)
    XCTAssertTrue(mismatches.isEmpty, mismatches.joined(separator: "; "), file: file, line: line)
}

/// Checks a module's gradients with respect to its input and every parameter (the module must be float64).
/// The input is standard normal unless given.
func assertModuleGradientsMatch(_ module: any Module, inputShape: [Int], input: Tensor? = nil,
                                file: StaticString = #filePath, line: UInt = #line) throws {
    let x = try (input ?? Tensor.randn(inputShape, dtype: .float64)).requiringGrad()
    XCTAssertTrue(module.parameters().allSatisfy { $0.dtype == .float64 }, "module must be float64",
                  file: file, line: line)
    try assertGradientsMatch({ try module.forward(x) }, wrt: [("input", x)] + module.namedParameters(),
                             file: file, line: line)
}

/// Asserts element-wise |actual − expected| ≤ accuracy, with the shapes equal.
func assertValues(_ tensor: Tensor, _ expected: [Double], shape: [Int]? = nil, accuracy: Double = 1e-5,
                  file: StaticString = #filePath, line: UInt = #line) throws {
    if let shape { XCTAssertEqual(tensor.shape, shape, file: file, line: line) }
    let actual = try tensor.toDoubles()
    XCTAssertEqual(actual.count, expected.count, "element count", file: file, line: line)
    for (index, (a, e)) in zip(actual, expected).enumerated() where Swift.abs(a - e) > accuracy {
        XCTFail("element \(index): \(a) differs from \(e) by more than \(accuracy)", file: file, line: line)
        return
    }
}

/// A module's state dict keyed by name, as `loadStateDict` takes it.
func stateDictionary(of module: any Module) -> [String: Tensor] {
    Dictionary(uniqueKeysWithValues: module.stateDict().map { ($0.name, $0.tensor) })
}

/// Standard-normal float64 leaf tensor requiring grad.
func randomLeaf(_ shape: [Int]) throws -> Tensor {
    try Tensor.randn(shape, dtype: .float64).requiringGrad()
}
