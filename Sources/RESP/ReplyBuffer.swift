/// Encodes replies in RESP2 or RESP3 into one reusable byte buffer.
///
/// All replies to the requests of one read are appended here and leave in one
/// write. The buffer keeps its capacity between batches (the server shrinks it
/// after an unusually large reply), so encoding allocates nothing in steady state.
public struct ReplyBuffer {
    public var bytes: [UInt8]
    /// 2 or 3, as negotiated by HELLO.
    public var protocolVersion: Int

    public init(capacity: Int = 16 * 1024, protocolVersion: Int = 2) {
        bytes = []
        bytes.reserveCapacity(capacity)
        self.protocolVersion = protocolVersion
    }

    public var isEmpty: Bool { bytes.isEmpty }
    public var count: Int { bytes.count }

    public mutating func removeAll() { bytes.removeAll(keepingCapacity: true) }

    // MARK: Building blocks

    @inlinable @inline(__always)
    mutating func crlf() {
        bytes.append(13)
        bytes.append(10)
    }

    @inlinable
    mutating func appendStatic(_ s: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    /// Appends the decimal digits of `value`.
    @inlinable
    public mutating func appendDecimal(_ value: Int64) {
        if value >= 0 && value < 10 {
            bytes.append(UInt8(truncatingIfNeeded: value) &+ 48)
            return
        }
        var magnitude = value.magnitude
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        // 20 digits is the most a UInt64 magnitude needs.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var i = 20
            while magnitude > 0 {
                i -= 1
                digits[i] = UInt8(truncatingIfNeeded: magnitude % 10) &+ 48
                magnitude /= 10
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[i..<20]))
        }
    }

    @inlinable
    mutating func header(_ marker: UInt8, _ n: Int) {
        bytes.append(marker)
        appendDecimal(Int64(n))
        crlf()
    }

    // MARK: Replies

    /// `+OK`
    @inlinable public mutating func ok() { appendStatic("+OK\r\n") }

    /// A simple string; `text` must not contain CR or LF.
    public mutating func simple(_ text: StaticString) {
        bytes.append(UInt8(ascii: "+"))
        appendStatic(text)
        crlf()
    }

    public mutating func simple(_ text: String) {
        bytes.append(UInt8(ascii: "+"))
        bytes.append(contentsOf: text.utf8.lazy.map { $0 == 13 || $0 == 10 ? 32 : $0 })
        crlf()
    }

    /// An error reply; `text` starts with the code ("ERR ...", "WRONGTYPE ...").
    public mutating func error(_ text: StaticString) {
        bytes.append(UInt8(ascii: "-"))
        appendStatic(text)
        crlf()
    }

    public mutating func error(_ text: String) {
        bytes.append(UInt8(ascii: "-"))
        bytes.append(contentsOf: text.utf8.lazy.map { $0 == 13 || $0 == 10 ? 32 : $0 })
        crlf()
    }

    @inlinable
    public mutating func integer(_ value: Int64) {
        bytes.append(UInt8(ascii: ":"))
        appendDecimal(value)
        crlf()
    }

    @inlinable
    public mutating func integer(_ value: Int) { integer(Int64(value)) }

    @inlinable
    public mutating func bulk(_ value: UnsafeRawBufferPointer) {
        header(UInt8(ascii: "$"), value.count)
        bytes.append(contentsOf: value)
        crlf()
    }

    @inlinable
    public mutating func bulk(_ value: [UInt8]) {
        value.withUnsafeBytes { bulk($0) }
    }

    public mutating func bulk(_ value: String) {
        var s = value
        s.withUTF8 { bulk(UnsafeRawBufferPointer($0)) }
    }

    /// A bulk string holding the decimal form of `value` (how Redis returns INCR'd strings).
    /// Writes the digits in place: no temporary array.
    public mutating func bulkDecimal(_ value: Int64) {
        header(UInt8(ascii: "$"), ReplyBuffer.decimalLength(value))
        appendDecimal(value)
        crlf()
    }

    /// How many bytes `appendDecimal(value)` writes.
    @inlinable
    static func decimalLength(_ value: Int64) -> Int {
        var magnitude = value.magnitude
        var digits = 1
        while magnitude >= 10 {
            magnitude /= 10
            digits += 1
        }
        return value < 0 ? digits + 1 : digits
    }

    /// The null bulk string: `$-1` in RESP2, `_` in RESP3.
    @inlinable
    public mutating func null() {
        if protocolVersion >= 3 { appendStatic("_\r\n") } else { appendStatic("$-1\r\n") }
    }

    /// The null array: `*-1` in RESP2, `_` in RESP3.
    public mutating func nullArray() {
        if protocolVersion >= 3 { appendStatic("_\r\n") } else { appendStatic("*-1\r\n") }
    }

    @inlinable
    public mutating func arrayHeader(_ count: Int) { header(UInt8(ascii: "*"), count) }

    /// A map of `count` pairs: `%` in RESP3, a flat array of 2*count in RESP2.
    public mutating func mapHeader(_ count: Int) {
        if protocolVersion >= 3 { header(UInt8(ascii: "%"), count) } else { header(UInt8(ascii: "*"), count * 2) }
    }

    /// A set: `~` in RESP3, an array in RESP2.
    public mutating func setHeader(_ count: Int) {
        if protocolVersion >= 3 { header(UInt8(ascii: "~"), count) } else { header(UInt8(ascii: "*"), count) }
    }

    /// A double: `,` in RESP3, a bulk string in RESP2 (as Redis does).
    public mutating func double(_ value: Double) {
        let text = RESPDouble.format(value)
        if protocolVersion >= 3 {
            bytes.append(UInt8(ascii: ","))
            bytes.append(contentsOf: text.utf8)
            crlf()
        } else {
            bulk(text)
        }
    }

    /// A boolean: `#t`/`#f` in RESP3, `:1`/`:0` in RESP2.
    public mutating func boolean(_ value: Bool) {
        if protocolVersion >= 3 { appendStatic(value ? "#t\r\n" : "#f\r\n") } else { integer(value ? 1 : 0) }
    }

    /// A verbatim string (`=` with a format) in RESP3, a bulk string in RESP2.
    /// `format` MUST be exactly three bytes ("txt", "mkd"), as RESP3 requires.
    public mutating func verbatim(_ text: String, format: StaticString = "txt") {
        precondition(format.utf8CodeUnitCount == 3, "verbatim format must be 3 bytes: \(format)")
        if protocolVersion >= 3 {
            var s = text
            header(UInt8(ascii: "="), s.utf8.count + format.utf8CodeUnitCount + 1)
            appendStatic(format)
            bytes.append(UInt8(ascii: ":"))
            s.withUTF8 { bytes.append(contentsOf: $0) }
            crlf()
        } else {
            bulk(text)
        }
    }

    /// Raw, already encoded RESP.
    public mutating func raw(_ encoded: UnsafeRawBufferPointer) { bytes.append(contentsOf: encoded) }
}

/// How Redis prints doubles (`d2string` in util.c): "nan", "inf"/"-inf", "0"/"-0", integral
/// values within +-2^62 as integers, anything else as `fpconv_dtoa` lays out the shortest
/// round-trip digits (plain up to 1e-7 and up to 7 trailing zeros, else `1.5e-7`, `1e+22`).
public enum RESPDouble {
    /// `LLONG_MAX / 2`, the range in which Redis's `double2ll` prints a double as an integer.
    static let integralMagnitudeMax = Double(Int64.max / 2)

    public static func format(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        if value == 0 { return value.sign == .minus ? "-0" : "0" }
        if value >= -integralMagnitudeMax && value <= integralMagnitudeMax, value == value.rounded(.towardZero) {
            return String(Int64(value))
        }
        let (digits, exponent) = shortestDigits(value.magnitude)
        return (value < 0 ? "-" : "") + layout(digits, exponent: exponent, negative: value < 0)
    }

    /// The shortest digits that round-trip (as Swift prints them) and the power of ten of the
    /// last one: `value == digits * 10^exponent`. `magnitude` is finite and positive.
    static func shortestDigits(_ magnitude: Double) -> (digits: [UInt8], exponent: Int) {
        var digits: [UInt8] = []
        var exponent = 0
        var afterPoint = 0
        var seenPoint = false
        var text = "\(magnitude)".utf8[...]
        if let e = text.firstIndex(of: UInt8(ascii: "e")) {
            exponent = Int(String(decoding: text[text.index(after: e)...], as: UTF8.self)) ?? 0
            text = text[..<e]
        }
        for byte in text {
            if byte == UInt8(ascii: ".") {
                seenPoint = true
            } else {
                digits.append(byte)
                if seenPoint { afterPoint += 1 }
            }
        }
        exponent -= afterPoint
        while digits.count > 1 && digits.first == UInt8(ascii: "0") { digits.removeFirst() }
        while digits.count > 1 && digits.last == UInt8(ascii: "0") {
            digits.removeLast()
            exponent += 1
        }
        return (digits, exponent)
    }

    /// `emit_digits` from Redis's fpconv_dtoa.c.
    static func layout(_ digits: [UInt8], exponent k: Int, negative: Bool) -> String {
        var count = digits.count
        var exp = abs(k + count - 1)
        var out: [UInt8] = []
        if k >= 0 && exp < count + 7 {
            out = digits + [UInt8](repeating: UInt8(ascii: "0"), count: k)
        } else if k < 0 && (k > -7 || exp < 4) {
            let offset = count - abs(k)
            if offset <= 0 {
                out = Array("0.".utf8) + [UInt8](repeating: UInt8(ascii: "0"), count: -offset) + digits
            } else {
                out = Array(digits[..<offset]) + [UInt8(ascii: ".")] + Array(digits[offset...])
            }
        } else {
            count = min(count, 18 - (negative ? 1 : 0))
            out = [digits[0]]
            if count > 1 { out += [UInt8(ascii: ".")] + Array(digits[1..<count]) }
            out += Array((k + count - 1 < 0 ? "e-" : "e+").utf8)
            var hundreds = 0
            if exp > 99 {
                hundreds = exp / 100
                out.append(UInt8(hundreds) + 48)
                exp -= hundreds * 100
            }
            if exp > 9 {
                out.append(UInt8(exp / 10) + 48)
                exp %= 10
            } else if hundreds > 0 {
                out.append(48)
            }
            out.append(UInt8(exp) + 48)
        }
        return String(decoding: out, as: UTF8.self)
    }
}
