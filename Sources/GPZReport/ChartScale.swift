import GPZScan
import Foundation

/// Maps a data interval onto a pixel interval, linearly or logarithmically, and picks readable ticks.
struct ChartScale: Equatable, Sendable {
    enum Kind: Equatable, Sendable {
        case linear
        /// Base 10; only positive values can be shown.
        case log
    }

    let kind: Kind
    /// The data interval (positive for `.log`) and the pixel interval it maps onto (`end` may be below `start`,
    /// as for a y axis whose pixels grow downwards).
    let lower: Double
    let upper: Double
    let start: Double
    let end: Double

    init(_ kind: Kind, domain: ClosedRange<Double>, pixels: (start: Double, end: Double)) {
        self.kind = kind
        lower = domain.lowerBound
        upper = domain.upperBound
        start = pixels.start
        end = pixels.end
    }

    /// The pixel of `value`; nil for a value the scale cannot show (not finite, or ≤ 0 on a log scale).
    func pixel(_ value: Double) -> Double? {
        guard let t = fraction(value) else { return nil }
        return start + t * (end - start)
    }

    /// Whether `value` lies inside the domain (within rounding).
    func contains(_ value: Double) -> Bool {
        guard let t = fraction(value) else { return false }
        return t >= -1e-9 && t <= 1 + 1e-9
    }

    private func fraction(_ value: Double) -> Double? {
        guard value.isFinite else { return nil }
        switch kind {
        case .linear:
            return upper == lower ? 0.5 : (value - lower) / (upper - lower)
        case .log:
            guard value > 0, lower > 0, upper > 0 else { return nil }
            return upper == lower ? 0.5 : (log10(value) - log10(lower)) / (log10(upper) - log10(lower))
        }
    }

    /// Tick values inside the domain: multiples of a 1/2/5 step (linear, about `target` of them), or powers of
    /// ten (log), with 2 and 5 multiples added when the domain spans less than three decades.
    func ticks(target: Int = 6) -> [Double] {
        switch kind {
        case .linear:
            let step = linearStep(target: target)
            guard step > 0, step.isFinite else { return [lower] }
            var ticks: [Double] = []
            var k = (lower / step - 1e-9).rounded(.up)
            while k * step <= upper + step * 1e-9 {
                ticks.append(k * step == 0 ? 0 : k * step)
                k += 1
            }
            return ticks
        case .log:
            let low = Int(floor(log10(lower) + 1e-9)), high = Int(ceil(log10(upper) - 1e-9))
            let multiples: [Double] = high - low < 3 ? [1, 2, 5] : [1]
            var ticks: [Double] = []
            for exponent in low...Swift.max(low, high) {
                for multiple in multiples {
                    let value = multiple * pow(10, Double(exponent))
                    if contains(value) { ticks.append(value) }
                }
            }
            return ticks
        }
    }

    /// The step between linear ticks when about `target` of them are wanted.
    func linearStep(target: Int = 6) -> Double {
        Self.niceStep((upper - lower) / Double(Swift.max(target, 1)))
    }

    /// The smallest of 1, 2, 5 × 10^k that is at least `rough`.
    static func niceStep(_ rough: Double) -> Double {
        guard rough > 0, rough.isFinite else { return 0 }
        let power = pow(10, floor(log10(rough)))
        for multiple in [1.0, 2, 5, 10] where multiple * power >= rough * (1 - 1e-9) {
            return multiple * power
        }
        return 10 * power
    }

    /// A domain that holds every finite value (positive ones for `.log`), widened to round numbers: multiples of
    /// the tick step (linear, from 0 when `includeZero`) or whole decades (log). Nil when no value can be shown.
    static func domain(of values: [Double], kind: Kind, includeZero: Bool = false) -> ClosedRange<Double>? {
        let usable = values.filter { $0.isFinite && (kind == .linear || $0 > 0) }
        guard var low = usable.min(), var high = usable.max() else { return nil }
        switch kind {
        case .linear:
            if includeZero { low = Swift.min(low, 0); high = Swift.max(high, 0) }
            if low == high {
                let pad = low == 0 ? 1 : Swift.abs(low) * 0.1
                low -= pad
                high += pad
            }
            let step = niceStep((high - low) / 5)
            var lower = floor(low / step + 1e-9) * step, upper = ceil(high / step - 1e-9) * step
            // Room for a marker at an extreme value: it would sit on the frame otherwise.
            if upper - high < 0.02 * (upper - lower), high != 0 { upper += step }
            if low - lower < 0.02 * (upper - lower), low != 0 { lower -= step }
            return lower...upper
        case .log:
            let lowExponent = floor(log10(low) + 1e-9)
            var highExponent = ceil(log10(high) - 1e-9)
            if highExponent <= lowExponent { highExponent = lowExponent + 1 }
            return pow(10, lowExponent)...pow(10, highExponent)
        }
    }
}
