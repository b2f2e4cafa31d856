/// The float type Redis's INCRBYFLOAT computes in: C `long double`, which is the x87
/// 80-bit extended format on x86-64. Elsewhere Hearsay falls back to Double (and may
/// then print more digits than Redis for sums like 0.1 + 0.2).
#if arch(x86_64) && !os(Windows)
    typealias RedisLongDouble = Float80
#else
    typealias RedisLongDouble = Double
#endif

/// Reading and printing floats the way Redis's INCRBYFLOAT does (`string2ld`, `ld2string`).
enum FloatText {
    /// A float as Redis accepts one: no spaces, no empty string, at most 5120 bytes, not NaN.
    /// Infinity is returned: the caller refuses an infinite result.
    static func parse(_ bytes: UnsafeRawBufferPointer) -> RedisLongDouble? {
        guard bytes.count > 0, bytes.count < 5120 else { return nil }
        for b in bytes where b == 32 || b == 9 || b == 10 || b == 11 || b == 12 || b == 13 || b == 0 { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        guard let value = RedisLongDouble(text), !value.isNaN else { return nil }
        // strtold's ERANGE: a finite text that overflows to infinity or underflows to zero.
        if value.isInfinite {
            let word = text.lowercased().drop { $0 == "+" || $0 == "-" }
            guard word == "inf" || word == "infinity" else { return nil }
        } else if value == 0 && hasNonzeroMantissa(text) {
            return nil
        }
        return value
    }

    /// Whether the digits before the exponent of a decimal or hex float are not all zero.
    private static func hasNonzeroMantissa(_ text: String) -> Bool {
        var body = Substring(text.lowercased()).drop { $0 == "+" || $0 == "-" }
        let hex = body.hasPrefix("0x")
        if hex { body = body.dropFirst(2) }
        for c in body {
            if c == (hex ? "p" : "e") { break }
            if c != "0" && c != "." { return true }
        }
        return false
    }

    /// Redis's human-friendly `ld2string`: `printf("%.17Lf")`, then trailing zeros and a
    /// trailing point removed, and "-0" written "0". The conversion is exact (as glibc's),
    /// rounding the 17th decimal half to even. `value` must be finite.
    static func format(_ value: RedisLongDouble) -> String {
        precondition(value.isFinite, "formatting \(value)")
        let negative = value.sign == .minus
        let magnitude = value.magnitude
        var integerDigits = "0"
        var fraction: UInt64 = 0  // the 17 decimals, as an integer below 10^17
        if magnitude >= 1e-18 {  // smaller magnitudes round to zero decimals
            let significandBits = RedisLongDouble.significandBitCount
            let m = UInt64(magnitude.significandBitPattern) | (1 << UInt64(significandBits))
            let e = Int(magnitude.exponent) - significandBits  // magnitude == m * 2^e
            if e >= 0 {
                integerDigits = BigDecimal.digits(of: m, shiftedLeftBy: e)
            } else {
                let s = -e
                let integerPart: UInt64 = s < 64 ? m >> UInt64(s) : 0
                let fractionBits = UInt128(m) - (UInt128(integerPart) << UInt128(s))
                let scaled = fractionBits * 100_000_000_000_000_000
                var q = UInt64(scaled >> UInt128(s))
                let remainder = scaled - (UInt128(q) << UInt128(s))
                let half = UInt128(1) << UInt128(s - 1)
                if remainder > half || (remainder == half && q & 1 == 1) { q += 1 }
                var whole = integerPart
                if q == 100_000_000_000_000_000 {
                    q = 0
                    whole += 1
                }
                integerDigits = String(whole)
                fraction = q
            }
        }
        var text = negative ? "-" + integerDigits : integerDigits
        if fraction != 0 {
            var decimals = String(fraction)
            decimals = String(repeating: "0", count: 17 - decimals.count) + decimals
            while decimals.last == "0" { decimals.removeLast() }
            text += "." + decimals
        }
        return text == "-0" ? "0" : text
    }
}

/// Decimal digits of m * 2^shift for the integers past 2^63 that a long double can hold.
enum BigDecimal {
    static func digits(of m: UInt64, shiftedLeftBy shift: Int) -> String {
        // Little-endian base-2^32 limbs of m << shift.
        var limbs = [UInt32](repeating: 0, count: shift / 32)
        let bitShift = UInt64(shift % 32)
        let wide = (UInt128(m) << UInt128(bitShift))
        var rest = wide
        while rest != 0 {
            limbs.append(UInt32(truncatingIfNeeded: rest))
            rest >>= 32
        }
        // Repeated division by 10^9 yields nine digits at a time, least significant first.
        var chunks: [UInt32] = []
        while !limbs.isEmpty {
            var remainder: UInt64 = 0
            for i in stride(from: limbs.count - 1, through: 0, by: -1) {
                let current = (remainder << 32) | UInt64(limbs[i])
                limbs[i] = UInt32(current / 1_000_000_000)
                remainder = current % 1_000_000_000
            }
            chunks.append(UInt32(remainder))
            while limbs.last == 0 { limbs.removeLast() }
        }
        guard let top = chunks.last else { return "0" }
        var text = String(top)
        for chunk in chunks.dropLast().reversed() {
            let part = String(chunk)
            text += String(repeating: "0", count: 9 - part.count) + part
        }
        return text
    }
}
