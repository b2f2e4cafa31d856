/// Encodes replies in RESP2 or RESP3 into one reusable byte buffer.
///
/// All replies to the requests of one read are appended here and leave in one
/// write. The buffer keeps its capacity between batches (the server shrinks it
/// after an unusually large reply), so encoding allocates nothing in steady state.
/// Storage is raw memory rather than `[UInt8]`: Array's generic append path cost
/// more than the encoding itself (callgrind), and copy-on-write keeps value semantics.
public struct ReplyBuffer {
    @usableFromInline var storage: ReplyStorage
    /// 2 or 3, as negotiated by HELLO.
    public var protocolVersion: Int

    public init(capacity: Int = 16 * 1024, protocolVersion: Int = 2) {
        storage = ReplyStorage(capacity: max(64, capacity))
        self.protocolVersion = protocolVersion
    }

    /// A copy of the encoded bytes (for tests and tools; the server uses `withUnsafeBytes`).
    public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }
    @inlinable public var isEmpty: Bool { storage.count == 0 }
    @inlinable public var count: Int { storage.count }
    public var capacity: Int { storage.capacity }

    /// The byte at `index`, or nil past the end (a coordinator peeks at a reply's type).
    @inlinable
    public func byte(at index: Int) -> UInt8? {
        index >= 0 && index < storage.count ? storage.base.load(fromByteOffset: index, as: UInt8.self) : nil
    }

    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: storage.base, count: storage.count))
    }

    public mutating func removeAll() {
        makeUnique()
        storage.count = 0
    }

    /// Removes and returns the bytes from `start` on (a reply that must wait its turn).
    public mutating func cut(from start: Int) -> [UInt8] {
        precondition(start >= 0 && start <= storage.count, "cut from \(start) of \(storage.count)")
        let tail = Array(UnsafeRawBufferPointer(start: storage.base + start, count: storage.count - start))
        makeUnique()
        storage.count = start
        return tail
    }

    /// Drops storage that grew past `limit` bytes for one large reply, back to `capacity`.
    public mutating func shrink(ifLargerThan limit: Int, to capacity: Int = 16 * 1024) {
        if storage.capacity > limit && storage.count <= capacity { storage = storage.copy(capacity: capacity) }
    }

    @inlinable @inline(__always)
    mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy(capacity: storage.capacity) }
    }

    /// Room for `n` more bytes; returns where they go.
    @inlinable @inline(__always)
    mutating func reserve(_ n: Int) -> UnsafeMutableRawPointer {
        makeUnique()
        if storage.count + n > storage.capacity { storage.grow(toFit: storage.count + n) }
        return storage.base + storage.count
    }

    @inlinable @inline(__always)
    mutating func append(_ source: UnsafeRawPointer?, _ n: Int) {
        guard n > 0, let source else { return }
        reserve(n).copyMemory(from: source, byteCount: n)
        storage.count += n
    }

    @inlinable @inline(__always)
    mutating func append(byte: UInt8) {
        reserve(1).storeBytes(of: byte, as: UInt8.self)
        storage.count += 1
    }

    @inlinable
    mutating func append(contentsOf value: UnsafeRawBufferPointer) { append(value.baseAddress, value.count) }

    @inlinable
    mutating func append(contentsOf value: UnsafeBufferPointer<UInt8>) {
        append(UnsafeRawPointer(value.baseAddress), value.count)
    }

    mutating func append<S: Sequence>(contentsOf seq: S) where S.Element == UInt8 {
        for b in seq { append(byte: b) }
    }

    // MARK: Building blocks

    @inlinable @inline(__always)
    mutating func crlf() {
        append(byte: 13)
        append(byte: 10)
    }

    @inlinable
    mutating func appendStatic(_ s: StaticString) {
        append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    /// Writes the decimal digits of `value` at `p` (room for 20 bytes needed); returns how many.
    @inlinable @inline(__always)
    static func writeDecimal(_ value: Int64, at p: UnsafeMutableRawPointer) -> Int {
        if value >= 0 && value < 10 {
            p.storeBytes(of: UInt8(truncatingIfNeeded: value) &+ 48, as: UInt8.self)
            return 1
        }
        var magnitude = value.magnitude
        var length = value < 0 ? 1 : 0
        var probe = magnitude
        while probe > 0 {
            length += 1
            probe /= 10
        }
        if value < 0 { p.storeBytes(of: UInt8(ascii: "-"), as: UInt8.self) }
        var i = length
        while magnitude > 0 {
            i -= 1
            p.storeBytes(of: UInt8(truncatingIfNeeded: magnitude % 10) &+ 48, toByteOffset: i, as: UInt8.self)
            magnitude /= 10
        }
        return length
    }

    /// Appends the decimal digits of `value`.
    @inlinable
    public mutating func appendDecimal(_ value: Int64) {
        let p = reserve(20)
        storage.count += ReplyBuffer.writeDecimal(value, at: p)
    }

    /// Appends `marker`, the decimal `n` and CRLF in one step.
    @inlinable @inline(__always)
    mutating func header(_ marker: UInt8, _ n: Int) {
        let p = reserve(24)
        p.storeBytes(of: marker, as: UInt8.self)
        let digits = ReplyBuffer.writeDecimal(Int64(n), at: p + 1)
        p.storeBytes(of: 0x0A0D, toByteOffset: 1 + digits, as: UInt16.self)
        storage.count += digits + 3
    }

    // MARK: Replies

    /// `+OK`
    @inlinable public mutating func ok() { appendStatic("+OK\r\n") }

    /// A simple string; `text` must not contain CR or LF.
    public mutating func simple(_ text: StaticString) {
        append(byte: UInt8(ascii: "+"))
        appendStatic(text)
        crlf()
    }

    public mutating func simple(_ text: String) {
        append(byte: UInt8(ascii: "+"))
        append(contentsOf: text.utf8.lazy.map { $0 == 13 || $0 == 10 ? 32 : $0 })
        crlf()
    }

    /// An error reply; `text` starts with the code ("ERR ...", "WRONGTYPE ...").
    public mutating func error(_ text: StaticString) {
        append(byte: UInt8(ascii: "-"))
        appendStatic(text)
        crlf()
    }

    public mutating func error(_ text: String) {
        append(byte: UInt8(ascii: "-"))
        append(contentsOf: text.utf8.lazy.map { $0 == 13 || $0 == 10 ? 32 : $0 })
        crlf()
    }

    @inlinable
    public mutating func integer(_ value: Int64) {
        header(UInt8(ascii: ":"), Int(value))
    }

    @inlinable
    public mutating func integer(_ value: Int) { integer(Int64(value)) }

    /// `$<n>\r\n<bytes>\r\n`, reserved and written in one step (the GET hot path).
    @inlinable
    public mutating func bulk(_ value: UnsafeRawBufferPointer) {
        let n = value.count
        let p = reserve(n + 26)
        p.storeBytes(of: UInt8(ascii: "$"), as: UInt8.self)
        var at = 1 + ReplyBuffer.writeDecimal(Int64(n), at: p + 1)
        p.storeBytes(of: 0x0A0D, toByteOffset: at, as: UInt16.self)
        at += 2
        if n > 0, let source = value.baseAddress { (p + at).copyMemory(from: source, byteCount: n) }
        at += n
        p.storeBytes(of: 0x0A0D, toByteOffset: at, as: UInt16.self)
        storage.count += at + 2
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
            append(byte: UInt8(ascii: ","))
            append(contentsOf: text.utf8)
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
            append(byte: UInt8(ascii: ":"))
            s.withUTF8 { append(contentsOf: $0) }
            crlf()
        } else {
            bulk(text)
        }
    }

    /// Raw, already encoded RESP.
    public mutating func raw(_ encoded: UnsafeRawBufferPointer) { append(contentsOf: encoded) }
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

/// The raw memory behind a ReplyBuffer.
public final class ReplyStorage {
    @usableFromInline var base: UnsafeMutableRawPointer
    @usableFromInline var count = 0
    @usableFromInline var capacity: Int

    @usableFromInline init(capacity: Int) {
        base = .allocate(byteCount: capacity, alignment: 16)
        self.capacity = capacity
    }

    deinit { base.deallocate() }

    @usableFromInline func copy(capacity newCapacity: Int) -> ReplyStorage {
        let fresh = ReplyStorage(capacity: max(newCapacity, count))
        fresh.base.copyMemory(from: base, byteCount: count)
        fresh.count = count
        return fresh
    }

    @usableFromInline func grow(toFit needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let fresh = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        fresh.copyMemory(from: base, byteCount: count)
        base.deallocate()
        base = fresh
        capacity = newCapacity
    }
}
