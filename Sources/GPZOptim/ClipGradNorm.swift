import GPZTensor

/// Rescales the gradients of `parameters` in place so that their joint norm is at most `maxNorm`, as
/// `torch.nn.utils.clip_grad_norm_`, and returns the joint norm before clipping.
///
/// The joint norm is the `normType`-norm of the vector of per-gradient norms, ‖(‖g₁‖ₚ, …, ‖gₙ‖ₚ)‖ₚ (the largest
/// absolute element for p = ∞). Every gradient is multiplied by min(1, maxNorm / (norm + 1e-6)), computed in the
/// gradients' dtype. Parameters without a gradient are ignored; with none at all the result is 0.
/// With `errorIfNonfinite`, a NaN or infinite norm throws instead of scaling.
@discardableResult
public func clipGradNorm(_ parameters: [Tensor], maxNorm: Double, normType: Double = 2,
                         errorIfNonfinite: Bool = false) throws -> Double {
    try OptimizerError.check(maxNorm >= 0, "clipGradNorm", "max norm", maxNorm, expected: ">= 0")
    try OptimizerError.check(normType > 0, "clipGradNorm", "norm type", normType, expected: "> 0 or infinity")
    let gradients = parameters.compactMap(\.grad)
    guard !gradients.isEmpty else { return 0 }
    return try withNoGrad {
        let total = try vectorNorm(Tensor.stack(gradients.map { try vectorNorm($0, normType) }), normType)
        let norm = try total.item()
        if errorIfNonfinite && !norm.isFinite {
            throw OptimizerError("clipGradNorm: the total norm of order \(normType) of the gradients is \(norm)")
        }
        let coefficient = try (maxNorm / (total + 1e-6)).clamped(max: 1).item()
        for gradient in gradients { try gradient.scaleInPlace(coefficient) }
        return norm
    }
}

/// ‖x‖ₚ over all elements: (Σ|xᵢ|ᵖ)^(1/p), or max |xᵢ| for p = ∞.
private func vectorNorm(_ x: Tensor, _ p: Double) throws -> Tensor {
    switch p {
    case .infinity: return try x.abs().max()
    case 1: return try x.abs().sum()
    case 2: return try x.square().sum().sqrt()
    default: return try x.abs().pow(p).sum().pow(1 / p)
    }
}
