/// IEEE 754 binary16 ("half", the protocol's FP16) to and from `Float`, by bit manipulation: `Float16` is not
/// available on every platform Swift builds for, and the conversion must be exact and branch on nothing but bits.
public enum Half {
    /// Whether `bits` is a finite half (its exponent is not all ones).
    @inline(__always)
    public static func isFinite(_ bits: UInt16) -> Bool { bits & 0x7C00 != 0x7C00 }

    /// The exact `Float` value of a finite half (every half is a float: 11 significant bits, exponents −24…15).
    /// Infinities and NaNs map to the float infinities and a quiet NaN.
    public static func float(_ bits: UInt16) -> Float {
        let negative = bits & 0x8000 != 0
        let exponent = Int((bits >> 10) & 0x1F)
        let mantissa = Int(bits & 0x3FF)
        let magnitude: Float
        switch exponent {
        case 0: magnitude = Float(mantissa) * 0x1p-24
        case 31: magnitude = mantissa == 0 ? .infinity : .nan
        default: magnitude = Float(1024 + mantissa) * Float(sign: .plus, exponent: exponent - 25, significand: 1)
        }
        return negative ? -magnitude : magnitude
    }

    /// `value` rounded to the nearest half, ties to even (IEEE 754's default, as NumPy's `astype(float16)`):
    /// magnitudes from 65520 up become infinity, below 2⁻²⁵ zero; NaN stays NaN.
    /// (A port of NumPy's `npy_floatbits_to_halfbits`.)
    public static func bits(_ value: Float) -> UInt16 {
        let f = value.bitPattern
        let sign = UInt16((f & 0x8000_0000) >> 16)
        let exponent = f & 0x7F80_0000
        if exponent >= 0x4780_0000 {  // overflow, infinity or NaN
            let significand = f & 0x007F_FFFF
            if exponent == 0x7F80_0000 && significand != 0 {
                let nan = UInt16(0x7C00 + (significand >> 13))
                return sign | (nan == 0x7C00 ? 0x7E00 : nan)
            }
            return sign | 0x7C00
        }
        if exponent <= 0x3800_0000 {  // a half subnormal, or zero
            if exponent < 0x3300_0000 { return sign }
            let shift = 113 - (exponent >> 23)
            var significand = (0x0080_0000 + (f & 0x007F_FFFF)) >> shift
            // Round to nearest even: add half an ulp unless the dropped bits are exactly a tie and the kept last bit
            // is even (the bits the shift dropped from `f` count too).
            if (significand & 0x3FFF) != 0x1000 || (f & 0x7FF) != 0 {
                significand += 0x1000
            }
            return sign | UInt16(significand >> 13)
        }
        let halfExponent = UInt16((exponent - 0x3800_0000) >> 13)
        var significand = f & 0x007F_FFFF
        if (significand & 0x3FFF) != 0x1000 {
            significand += 0x1000
        }
        // A carry out of the significand increments the exponent (to infinity at the top), which is correct.
        return sign | (UInt16(significand >> 13) &+ halfExponent)
    }

    /// The largest finite half, 65504.
    public static let greatestFiniteMagnitude: Float = 65504
}
