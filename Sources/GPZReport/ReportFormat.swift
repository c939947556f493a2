import GPZScan
import Foundation

/// How the reports write numbers: a fixed number of significant digits, k/M/G counts, KiB/MiB sizes, and a dash
/// for a value that is missing or not finite (so no report ever shows `nan` or `inf`).
public enum ReportFormat {
    /// What a missing or undefined value reads as.
    public static let missing = "—"

    /// `value` to `digits` significant digits, trailing zeros kept (0.0039 → "0.003900"); scientific notation
    /// below 10⁻³ and from 10⁶ on ("1.234e-5"); ±∞ as "∞"/"−∞"; NaN and nil as a dash.
    public static func significant(_ value: Double?, digits: Int = 4) -> String {
        guard let value else { return missing }
        if value.isNaN { return missing }
        if value.isInfinite { return value > 0 ? "∞" : "−∞" }
        if value == 0 { return "0" }
        let magnitude = Swift.abs(value)
        if magnitude < 1e-3 || magnitude >= 1e6 {
            let text = String(format: "%.\(Swift.max(digits - 1, 0))e", value)
            return compactExponent(text)
        }
        let exponent = Int(floor(log10(magnitude)))
        var decimals = Swift.max(digits - 1 - exponent, 0)
        // Rounding can carry into the next decade (9.9996 → 10.000): one decimal fewer then.
        if Swift.abs((value * pow(10, Double(decimals))).rounded()) >= pow(10, Double(digits)) {
            decimals = Swift.max(decimals - 1, 0)
        }
        return String(format: "%.\(decimals)f", value)
    }

    /// `value` to at most `digits` significant digits without trailing zeros (0.0200 → "0.02"), for thresholds
    /// and settings rather than measurements.
    public static func compact(_ value: Double?, digits: Int = 4) -> String {
        trimmingZeros(significant(value, digits: digits))
    }

    /// A count with a k/M/G/T suffix and three significant digits (1_234_567 → "1.23 M"); below 1,000 as is.
    public static func count(_ value: Int?) -> String {
        guard let value else { return missing }
        return scaled(Double(value), base: 1_000, units: ["", " k", " M", " G", " T"], integerBelowBase: true)
    }

    /// A size in bytes with a binary unit (16_384 → "16.0 KiB"); below 1 KiB as "512 B".
    public static func bytes(_ value: Int?) -> String {
        guard let value else { return missing }
        return scaled(Double(value), base: 1_024, units: [" B", " KiB", " MiB", " GiB", " TiB"], integerBelowBase: true)
    }

    /// An accuracy or other fraction in [0, 1] as a percentage with two decimals (0.9123 → "91.23 %").
    public static func percent(_ fraction: Double?) -> String {
        guard let fraction, fraction.isFinite else { return missing }
        return String(format: "%.2f %%", fraction * 100)
    }

    /// Milliseconds with two decimals below 10 and one from 10 on (0.625 → "0.63", 110.62 → "110.6").
    public static func milliseconds(_ value: Double?) -> String {
        guard let value, value.isFinite else { return missing }
        return String(format: Swift.abs(value) < 10 ? "%.2f" : "%.1f", value)
    }

    /// A ratio with three significant digits and a multiplication sign (10.2 → "10.2×").
    public static func ratio(_ value: Double?) -> String {
        guard let value, value.isFinite else { return missing }
        return significant(value, digits: 3) + "×"
    }

    /// Seconds with a unit that suits them ("0.42 s", "3 min 05 s", "1 h 02 min").
    public static func duration(_ seconds: Double?) -> String {
        guard let seconds, seconds.isFinite, seconds >= 0 else { return missing }
        if seconds < 60 { return significant(seconds, digits: 3) + " s" }
        let whole = Int(seconds.rounded())
        if whole < 3_600 { return String(format: "%d min %02d s", whole / 60, whole % 60) }
        return String(format: "%d h %02d min", whole / 3_600, (whole % 3_600) / 60)
    }

    /// An integer with comma thousands separators (60000 → "60,000"), the same in every locale.
    public static func integer(_ value: Int?) -> String {
        guard let value else { return missing }
        let digits = String(value.magnitude)
        var grouped = ""
        for (i, digit) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        return (value < 0 ? "-" : "") + grouped
    }

    /// A tensor shape as "64×16×16".
    public static func shape(_ shape: [Int]) -> String {
        shape.isEmpty ? missing : shape.map(String.init).joined(separator: "×")
    }

    /// An axis tick: as short as `step` allows (ticks 0.005 apart read "0.010", "0.015"), scientific below 10⁻³
    /// and from 10⁶ on.
    public static func tick(_ value: Double, step: Double) -> String {
        guard value.isFinite else { return missing }
        if value == 0 { return "0" }
        let magnitude = Swift.abs(value)
        if magnitude < 1e-3 || magnitude >= 1e6 { return compactExponent(String(format: "%.0e", value)) }
        let decimals = step > 0 && step.isFinite ? Swift.min(Swift.max(0, -Int(floor(log10(step) + 1e-9))), 6) : 2
        return String(format: "%.\(decimals)f", value)
    }

    /// A log-axis tick at a power of ten or a 2/5 multiple of one: "0.001", "0.02", "1", "500", "1e+06".
    public static func logTick(_ value: Double) -> String {
        guard value.isFinite, value > 0 else { return missing }
        let exponent = Int(floor(log10(value) + 1e-9))
        if exponent < -3 || exponent >= 6 { return compactExponent(String(format: "%.0e", value)) }
        return String(format: "%.\(Swift.max(0, -exponent))f", value)
    }

    /// A count tick for a log axis of MACs or parameters: "1 k", "20 k", "1.5 M".
    public static func countTick(_ value: Double) -> String {
        guard value.isFinite else { return missing }
        let text = scaled(value, base: 1_000, units: ["", " k", " M", " G", " T"], integerBelowBase: true)
        guard let space = text.firstIndex(of: " ") else { return text }
        return trimmingZeros(String(text[..<space])) + text[space...]
    }

    /// "0.02000" → "0.02", "2.500e-5" → "2.5e-5", "120" → "120".
    private static func trimmingZeros(_ text: String) -> String {
        let exponent = text.firstIndex(of: "e")
        var mantissa = String(text[..<(exponent ?? text.endIndex)])
        guard mantissa.contains(".") else { return text }
        while mantissa.hasSuffix("0") { mantissa.removeLast() }
        if mantissa.hasSuffix(".") { mantissa.removeLast() }
        return mantissa + (exponent.map { String(text[$0...]) } ?? "")
    }

    private static func scaled(_ value: Double, base: Double, units: [String], integerBelowBase: Bool) -> String {
        guard value.isFinite else { return missing }
        var scaled = value
        var unit = 0
        while Swift.abs(scaled) >= base - 0.5 && unit < units.count - 1 {
            scaled /= base
            unit += 1
        }
        if unit == 0 && integerBelowBase { return String(Int(value.rounded())) + units[0] }
        return significant(scaled, digits: 3) + units[unit]
    }

    /// "1.234e-05" → "1.234e-5", "1e+06" → "1e6".
    private static func compactExponent(_ text: String) -> String {
        guard let e = text.firstIndex(of: "e") else { return text }
        let mantissa = text[..<e]
        var exponent = text[text.index(after: e)...]
        var sign = ""
        if exponent.first == "-" { sign = "-" }
        if exponent.first == "-" || exponent.first == "+" { exponent = exponent.dropFirst() }
        let digits = exponent.drop { $0 == "0" }
        return "\(mantissa)e\(sign)\(digits.isEmpty ? "0" : String(digits))"
    }
}
