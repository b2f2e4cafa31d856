/// Reading and printing floats the way Redis's INCRBYFLOAT does.
enum FloatText {
    /// A float as Redis accepts one: no spaces, no empty string, at most 5120 bytes... and finite.
    static func parse(_ bytes: UnsafeRawBufferPointer) -> Double? {
        guard bytes.count > 0, bytes.count <= 5120 else { return nil }
        for b in bytes where b == 32 || b == 9 || b == 10 || b == 13 || b == 0 { return nil }
        guard let value = Double(String(decoding: bytes, as: UTF8.self)), !value.isNaN else { return nil }
        return value
    }

    /// Shortest text that reads back as `value`, in plain (not exponent) notation like Redis's "%.17Lg"
    /// trimmed of trailing zeros, for the magnitudes INCRBYFLOAT produces.
    static func format(_ value: Double) -> String {
        if value == value.rounded(.towardZero), abs(value) < 1e17 { return String(Int64(value)) }
        let text = "\(value)"
        guard let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) else { return text }
        // Expand d.ddde±x to plain notation.
        let mantissa = text[..<e]
        guard let exponent = Int(text[text.index(after: e)...]) else { return text }
        let negative = mantissa.hasPrefix("-")
        let digitsPart = negative ? mantissa.dropFirst() : mantissa[...]
        let parts = digitsPart.split(separator: ".", omittingEmptySubsequences: false)
        let intDigits = String(parts[0])
        let fracDigits = parts.count > 1 ? String(parts[1]) : ""
        var digits = intDigits + fracDigits
        var point = intDigits.count + exponent
        if point <= 0 {
            digits = String(repeating: "0", count: -point + 1) + digits
            point = 1
        } else if point > digits.count {
            digits += String(repeating: "0", count: point - digits.count)
        }
        var result = String(digits.prefix(point))
        let fraction = digits.dropFirst(point).replacingTrailingZeros()
        if !fraction.isEmpty { result += "." + fraction }
        return (negative ? "-" : "") + result
    }
}

extension Substring {
    fileprivate func replacingTrailingZeros() -> String {
        var s = String(self)
        while s.hasSuffix("0") { s.removeLast() }
        return s
    }
}
