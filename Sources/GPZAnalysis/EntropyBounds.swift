import Foundation

/// Maximum-entropy upper bounds on the differential entropy of a split's features, in nats (method §2.2), and
/// the lower bound on H(X|Z) they imply up to a constant that is not estimated.
///
/// - Global: the Gaussian has the largest entropy for a given covariance, h(Z) ≤ ½ ln((2πe)^d det Σ), and the
///   determinant–trace (AM–GM) inequality det Σ ≤ (tr Σ/d)^d gives h(Z) ≤ (d/2) ln(2πe σ²), σ² = tr Σ/d.
/// - Class-conditional: given E‖Z − μ_c‖² = R_c², the isotropic Gaussian with per-dimension variance R_c²/d is
///   the maximiser, h(Z | Y = c) ≤ (d/2) ln(2πe R_c²/d); averaged, h(Z|Y) ≤ Σ_c π_c (d/2) ln(2πe R_c²/d).
/// - Mixture: h(Z) ≤ h(Z|Y) + H(Y) ≤ H(Y) + Σ_c π_c (d/2) ln(2πe R_c²/d), with H(Y) = −Σ_c π_c ln π_c from the
///   class frequencies of the analysed set.
/// - Privacy: H(X|Z) ≥ H(X) − κ − h(Z) ≥ H(X) − κ − min(global, mixture). H(X) − κ (κ a discretisation
///   constant the paper does not define) is **not estimated**: `hxzLowerMinusConstant` is the bound without it,
///   −min(global, mixture), meaningful only in differences between splits of one model and data set.
///
/// A variance of zero (all features equal, or a class whose samples coincide, e.g. a single sample) makes the
/// bound −∞: a point mass has no differential entropy. Such bounds are kept as −∞ (JSON "-inf").
/// Every bound is also given per dimension (divided by d).
public struct EntropyBounds: Codable, Equatable, Sendable {
    /// The global bound (d/2) ln(2πe σ²).
    public let global: Double
    /// (d/2) ln(2πe R_c²/d) per class; nil for a class without samples.
    public let classConditional: [Double?]
    /// Σ_c π_c (d/2) ln(2πe R_c²/d), the bound on h(Z|Y).
    public let classAverage: Double
    /// H(Y) in nats.
    public let labelEntropy: Double
    /// H(Y) + Σ_c π_c (d/2) ln(2πe R_c²/d), the class-mixture bound on h(Z).
    public let classMixture: Double
    /// −min(global, classMixture): the lower bound on H(X|Z) minus the unestimated constant H(X) − κ.
    public let hxzLowerMinusConstant: Double
    public let globalPerDimension: Double
    public let classAveragePerDimension: Double
    public let classMixturePerDimension: Double
    public let hxzLowerMinusConstantPerDimension: Double
    /// States what `hxzLowerMinusConstant` leaves out.
    public let constantNote: String

    public static let unestimatedConstantNote =
        "H(X|Z) >= H(X) - kappa - h(Z); the constant H(X) - kappa is not estimated, "
        + "so hxz_lower_minus_const = -min(h_global, h_class_mixture) only compares splits"

    enum CodingKeys: String, CodingKey {
        case global = "h_global"
        case classConditional = "h_class_conditional"
        case classAverage = "h_class"
        case labelEntropy = "h_y"
        case classMixture = "h_class_mixture"
        case hxzLowerMinusConstant = "hxz_lower_minus_const"
        case globalPerDimension = "h_global_per_dim"
        case classAveragePerDimension = "h_class_per_dim"
        case classMixturePerDimension = "h_class_mixture_per_dim"
        case hxzLowerMinusConstantPerDimension = "hxz_lower_minus_const_per_dim"
        case constantNote = "hxz_constant"
    }

    /// The entropy, in nats, of a d-dimensional isotropic Gaussian with per-dimension variance `variance`:
    /// (d/2) ln(2πe·variance), −∞ for zero variance.
    public static func isotropicGaussianEntropy(dimension d: Int, variance: Double) -> Double {
        variance > 0 ? Double(d) / 2 * Foundation.log(2 * Double.pi * M_E * variance) : -.infinity
    }

    /// H(Y) = −Σ_c π_c ln π_c over the classes with π_c > 0.
    public static func labelEntropy(priors: [Double]) -> Double {
        -priors.filter { $0 > 0 }.reduce(0) { $0 + $1 * Foundation.log($1) }
    }

    /// The bounds for features of dimension `d` with per-dimension variance σ², class radii R_c² (nil for absent
    /// classes) and class frequencies π_c.
    public init(dimension d: Int, sigma2: Double, classRadii: [Double?], classPriors: [Double]) {
        global = Self.isotropicGaussianEntropy(dimension: d, variance: sigma2)
        classConditional = classRadii.map { $0.map { Self.isotropicGaussianEntropy(dimension: d, variance: $0 / Double(d)) } }
        classAverage = zip(classPriors, classConditional).reduce(0) { sum, pair in
            guard pair.0 > 0, let bound = pair.1 else { return sum }
            return sum + pair.0 * bound
        }
        labelEntropy = Self.labelEntropy(priors: classPriors)
        classMixture = labelEntropy + classAverage
        hxzLowerMinusConstant = -Swift.min(global, classMixture)
        let perDimension = 1 / Double(d)
        globalPerDimension = global * perDimension
        classAveragePerDimension = classAverage * perDimension
        classMixturePerDimension = classMixture * perDimension
        hxzLowerMinusConstantPerDimension = hxzLowerMinusConstant * perDimension
        constantNote = Self.unestimatedConstantNote
    }

    /// The bounds of one split's statistics.
    public init(_ statistics: SplitStatistics) {
        self.init(dimension: statistics.dimension, sigma2: statistics.sigma2, classRadii: statistics.classRadii,
                  classPriors: statistics.classPriors)
    }
}
