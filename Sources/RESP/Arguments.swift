/// The arguments of one parsed request, as byte ranges into the buffer it was
/// parsed from. Nothing is copied: an argument is valid only while that buffer
/// is alive and unchanged, that is, while the request is being executed.
/// (Inline commands with quotes are the exception: their decoded arguments live in
/// the parser, and stay valid until its next `parse` call.)
///
/// The offset storage is reused from request to request, so parsing allocates
/// nothing once it has grown to the widest request seen.
public struct Arguments {
    @usableFromInline var base: UnsafeRawPointer?
    /// start, length pairs relative to `base`.
    @usableFromInline var spans: [Int]
    public private(set) var count: Int

    public init() {
        base = nil
        spans = []
        spans.reserveCapacity(64)
        count = 0
    }

    /// Builds arguments that own nothing but point at `storage`; for tests and
    /// for requests assembled by the core itself. `storage` must outlive use.
    public init(base: UnsafeRawPointer?, spans: [Int]) {
        self.base = base
        self.spans = spans
        self.count = spans.count / 2
    }

    @inlinable
    public subscript(index: Int) -> UnsafeRawBufferPointer {
        precondition(index >= 0 && index < count, "argument \(index) of \(count)")
        let start = spans[index &* 2]
        let length = spans[index &* 2 &+ 1]
        return UnsafeRawBufferPointer(start: base.map { $0 + start }, count: length)
    }

    // MARK: Used by the parser.

    /// Forgets the arguments. Only `count` changes: the spans past `2 * count` are stale
    /// and overwritten by `append`, because emptying the array cost a generic
    /// replaceSubrange call per request (callgrind).
    public mutating func reset(base: UnsafeRawPointer?) {
        self.base = base
        count = 0
    }

    public mutating func append(start: Int, length: Int) {
        precondition(start >= 0 && length >= 0, "span start \(start) length \(length)")
        let i = count &* 2
        if i &+ 1 < spans.count {
            spans[i] = start
            spans[i &+ 1] = length
        } else {
            spans.append(start)
            spans.append(length)
        }
        count &+= 1
    }

    /// Takes the spans in `stash` (arguments read before the request was split), leaving
    /// `stash` with this value's old, empty storage. Swapping moves no bytes and keeps both
    /// capacities, so a request split across reads allocates nothing.
    mutating func adoptSpans(_ stash: inout [Int]) {
        precondition(count == 0, "adopting spans into \(count) arguments")
        spans.removeAll(keepingCapacity: true)
        swap(&spans, &stash)
        count = spans.count / 2
    }

    /// Moves the spans into `stash` for a later `adoptSpans`, leaving no arguments.
    mutating func surrenderSpans(to stash: inout [Int]) {
        if spans.count > count * 2 { spans.removeSubrange((count * 2)...) }
        stash.removeAll(keepingCapacity: true)
        swap(&spans, &stash)
        count = 0
    }

    // MARK: Conveniences for command implementations.

    /// Whether any argument from `index` on begins with `byte`: a few loads an argument, no
    /// bounds checks beyond the count.
    @inlinable
    public func anyArgument(from index: Int, beginsWith byte: UInt8) -> Bool {
        guard let base else { return false }
        var i = index
        while i < count {
            if spans[i &* 2 &+ 1] > 0 && base.load(fromByteOffset: spans[i &* 2], as: UInt8.self) == byte {
                return true
            }
            i &+= 1
        }
        return false
    }

    /// A copy of argument `index` as bytes (allocates; not for hot paths).
    public func bytes(_ index: Int) -> [UInt8] { Array(self[index]) }

    /// Argument `index` decoded as UTF-8, with invalid sequences repaired.
    public func string(_ index: Int) -> String { String(decoding: self[index], as: UTF8.self) }

    /// True if argument `index` equals `word` ignoring ASCII case. `word` must be uppercase ASCII.
    @inlinable
    public func matches(_ index: Int, _ word: StaticString) -> Bool {
        let arg = self[index]
        guard arg.count == word.utf8CodeUnitCount else { return false }
        let w = word.utf8Start
        for i in 0..<arg.count {
            var c = arg[i]
            if c >= 0x61 && c <= 0x7A { c &-= 0x20 }
            if c != w[i] { return false }
        }
        return true
    }

    /// Argument `index` as a Redis integer: optional '-', decimal digits, no spaces,
    /// no leading '+', within Int64. Nil when it is not one.
    @inlinable
    public func int64(_ index: Int) -> Int64? { Arguments.parseInt64(self[index]) }

    @inlinable
    public static func parseInt64(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        let n = bytes.count
        guard n > 0, n <= 20 else { return nil }
        var i = 0
        var negative = false
        if bytes[0] == UInt8(ascii: "-") {
            negative = true
            i = 1
            guard n > 1 else { return nil }
        }
        // Redis rejects leading zeros ("01") except the number 0 itself.
        if bytes[i] == UInt8(ascii: "0") && n - i > 1 { return nil }
        var value: Int64 = 0
        while i < n {
            let d = bytes[i] &- UInt8(ascii: "0")
            guard d <= 9 else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            guard !o1 else { return nil }
            let (s, o2) = negative ? m.subtractingReportingOverflow(Int64(d)) : m.addingReportingOverflow(Int64(d))
            guard !o2 else { return nil }
            value = s
            i += 1
        }
        if negative && value == 0 && n > 1 && bytes[1] == UInt8(ascii: "0") { return nil }  // "-0"
        return value
    }

    /// Argument `index` as a double as Redis reads one (`strtod` on the whole argument):
    /// no blanks, not NaN. "inf"/"-inf" are returned; callers that forbid them check.
    public func double(_ index: Int) -> Double? {
        let arg = self[index]
        guard arg.count > 0, arg.count <= 300 else { return nil }
        for byte in arg where InlineSplitter.isBlank(byte) || byte == 0 { return nil }
        guard let value = Double(string(index)), !value.isNaN else { return nil }
        return value
    }
}
