import GPZTensor

/// Concatenates the features with a dropped-out copy along the feature axis:
///
///     Z′ = [Z, dropout_p(Z)],  dropout_p zeroing each value with probability p and scaling the rest by 1/(1 − p)
///
/// so a map [N, C, H, W] becomes [N, 2C, H, W] and tokens or vectors double their last axis. The dropout is
/// always active (it is the defence's randomisation, not a training device). The cloud half takes the first
/// half, Z itself, so accuracy is unchanged; what the defence changes is what the attacker has to decode from.
public final class DropoutConcat: FeatureEnhancement {
    public let probability: Double

    public var name: String { "dropout-concat" }

    public init(probability: Double = 0.5) throws {
        try AttackError.check(probability >= 0 && probability < 1,
                              "DropoutConcat: probability \(probability) must lie in [0, 1)")
        self.probability = probability
    }

    public func enhancedShape(for shape: [Int]) throws -> [Int] {
        try AttackError.check((1...3).contains(shape.count), "DropoutConcat: per-sample shape \(shape) must have rank 1–3")
        var enhanced = shape
        let axis = shape.count == 2 ? 1 : 0
        enhanced[axis] *= 2
        return enhanced
    }

    public func apply(_ features: Tensor) throws -> Tensor {
        let axis = try featureAxis(of: features)
        return try Tensor.cat([features, features.dropout(p: probability, training: true)], dim: axis)
    }

    public func cloudInput(_ enhanced: Tensor) throws -> Tensor {
        let axis = try featureAxis(of: enhanced)
        try AttackError.check(enhanced.size(axis) % 2 == 0,
                              "DropoutConcat: features \(enhanced.shape) have an odd feature axis")
        return try enhanced.slice(dim: axis, start: 0, end: enhanced.size(axis) / 2)
    }
}
