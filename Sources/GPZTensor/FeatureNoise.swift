import GPZConfig

/// The defender's noise level at the split (`attack.noise`, and the edge's): σ relative to each feature's spread.
/// 0 (the default, left out of the configuration's JSON and so of every hash) sends Z as it is.
public struct NoiseLevel: DefaultedSetting, ExpressibleByFloatLiteral, CustomStringConvertible {
    public var sigma: Double

    public init(_ sigma: Double) { self.sigma = sigma }
    public init(floatLiteral value: Double) { sigma = value }

    public static var settingDefault: NoiseLevel { NoiseLevel(0) }

    public init(from decoder: any Decoder) throws {
        sigma = try decoder.singleValueContainer().decode(Double.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(sigma)
    }

    public var description: String { "\(sigma)" }

    /// Names `field` when σ is not a finite number in [0, 100].
    public func validate(_ field: String) throws {
        if !(sigma.isFinite && sigma >= 0 && sigma <= 100) {
            throw ConfigError(field: field, "\(sigma): expected σ in [0, 100], a multiple of each feature's spread")
        }
    }
}

/// Additive Gaussian noise on what the edge sends, relative to each feature's spread on the defender's data:
///
///     Z̃ = Z + σ · s ⊙ ε,   ε ~ N(0, I),   s_j = std of feature j of Z over the defender's training images
///
/// One definition for every place Z is sent or attacked. Relative to s, the noise is scale-invariant: scaling
/// the layer's output by c scales s, and so Z̃, by c (`FeatureNoiseTests`). The draws come from the global
/// generator, so callers seed them (`Runtime.manualSeed`) per role: the attacker's training draws and the draws on
/// the evaluated images come from different seeds and are never shared.
public struct FeatureNoise {
    public let sigma: Double
    /// s: one spread per feature, in the per-sample shape of Z.
    public let spread: Tensor

    public init(sigma: Double, spread: Tensor) throws {
        try NoiseLevel(sigma).validate("noise")
        self.sigma = sigma
        self.spread = spread
    }

    /// Z [N, …] with the noise added (Z itself at σ = 0).
    public func apply(_ features: Tensor) throws -> Tensor {
        guard sigma > 0 else { return features }
        try checkShape(features)
        return try adding(try Tensor.randn(features.shape), to: features)
    }

    /// Names both shapes when Z's per-sample shape is not the spread's.
    private func checkShape(_ features: Tensor) throws {
        guard Array(features.shape.dropFirst()) == spread.shape else {
            throw TensorError(op: "feature_noise", message: "features \(features.shape) do not match the spread's "
                              + "per-sample shape \(spread.shape)")
        }
    }

    /// Z + σ · s ⊙ ε for unit draws ε of Z's shape, on Z's device.
    private func adding(_ draws: Tensor, to features: Tensor) throws -> Tensor {
        let device = try features.device
        return try features + (try draws.to(device)) * (try spread.to(device)) * sigma
    }

    /// Z [N, …] with noise drawn per sample from `sampleSeeds[i]`: a sample gets the same draw in whatever batch it
    /// travels, so the edge (`gpz edge --noise`) and a scan's accounting (`accuracy_as_sent`) send the same noisy
    /// Z for the same image (`accountingSeed`). Leaves the global generator reseeded.
    public func apply(_ features: Tensor, sampleSeeds: [UInt64]) throws -> Tensor {
        guard sigma > 0 else { return features }
        guard features.rank >= 1, sampleSeeds.count == features.size(0) else {
            throw TensorError(op: "feature_noise", message: "\(sampleSeeds.count) seeds for features \(features.shape)")
        }
        try checkShape(features)
        let draws = try sampleSeeds.map { seed in
            try Runtime.manualSeed(seed)
            return try Tensor.randn(spread.shape)
        }
        return try adding(try Tensor.stack(draws), to: features)
    }

    /// The seed of the noise on image `index` of the evaluated set for an attack or edge seeded with `seed`.
    public static func accountingSeed(_ seed: UInt64, image index: Int) -> UInt64 {
        (seed &+ 0xACC0_0000) &* 1_000_037 &+ UInt64(index)
    }

    /// Accumulates per-feature sums and sums of squares (in float64) over batches of features.
    public struct SpreadAccumulator {
        private var count = 0
        private var sum: Tensor?
        private var squares: Tensor?

        public init() {}

        public mutating func add(_ features: Tensor) throws {
            let values = try features.detached().to(.float64)
            sum = try sum.map { try $0 + values.sum(dims: [0]) } ?? values.sum(dims: [0])
            squares = try squares.map { try $0 + values.square().sum(dims: [0]) } ?? values.square().sum(dims: [0])
            count += features.size(0)
        }

        /// The standard deviation of each feature (population), as float32 in the per-sample shape.
        public func spread() throws -> Tensor {
            guard let sum, let squares, count > 1 else {
                throw TensorError(op: "feature_noise", message: "the spread needs at least 2 samples, got \(count)")
            }
            let mean = try sum / Double(count)
            let variance = try (squares / Double(count) - mean.square()).clamped(min: 0)
            return try variance.sqrt().to(.float32)
        }
    }
}
