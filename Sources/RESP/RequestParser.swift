/// Parses client requests: RESP multibulk (`*2\r\n$3\r\nGET\r\n$1\r\nk\r\n`) and
/// inline commands (`GET k\r\n`, as telnet sends), incrementally and pipelined.
///
/// The caller keeps the unconsumed bytes and calls `parse` again when more arrive;
/// a request may be split at any byte. Arguments point into the caller's buffer.
///
/// Contract (MUST): after `.needMore`, the next call passes a buffer that starts at
/// the same request start and holds at least the same bytes, possibly more at the end
/// (it may have moved in memory). After `.request` the caller drops `consumed` bytes
/// and the next call starts at the next request. After `.failure` the parser is ready
/// for a fresh stream, but the connection is to be closed anyway.
///
/// The rules and error texts are those of Redis's `processMultibulkBuffer` and
/// `processInlineBuffer` (networking.c), with two deliberate differences that make the
/// outcome independent of how the bytes were split into reads:
/// - A line (inline command, `*<n>`, `$<n>`) longer than `maxInlineLength` bytes before
///   its terminator is refused even when it arrives whole. Redis refuses it only when it
///   has buffered that many bytes without seeing the terminator, which depends on timing.
/// - Line ends are found with memchr semantics: a NUL byte does not hide a later CR or LF
///   (Redis uses strchr, which stops at NUL and then waits for up to 64 KiB).
///
/// Like Redis, the two bytes after `\r` in a header line and after a bulk payload are
/// skipped without checking that they are `\n` / `\r\n`.
///
/// Work: every byte of a request is examined once however it is split into reads; a call
/// that cannot make progress (fewer bytes than the request is known to need) is O(1).
public struct RequestParser {
    public enum Outcome: Equatable {
        /// One request parsed; `consumed` bytes of the buffer belong to it.
        /// A request with zero arguments (an empty inline line, `*0`, `*-1`) is to be skipped.
        case request(consumed: Int)
        /// The buffer holds only part of a request; call again with more bytes.
        case needMore
        /// The bytes are not a valid request; reply with the error and close.
        case failure(ProtocolError)
    }

    /// Where a partly received request stopped.
    enum Phase {
        /// No request in progress.
        case idle
        /// Looking for the `\n` that ends an inline command.
        case inline
        /// Looking for the `\r` that ends `*<count>`.
        case countLine
        /// Looking for the `\r` that ends `$<length>` starting at `position`.
        case bulkHeader
        /// Waiting for `bulkLength + 2` bytes starting at `position`.
        case bulkData
    }

    public var limits: RESPLimits

    var phase: Phase = .idle
    /// Offset of the line or payload being read (relative to the request start).
    var position = 0
    /// Offset from which to continue searching for a line terminator.
    var scanFrom = 0
    /// Bulk arguments still to read in the current multibulk request.
    var remaining = 0
    var bulkLength = 0
    /// Fewer bytes than this cannot let the current request progress.
    var needed = 1
    /// Spans of the arguments already read while the request waits for more bytes.
    /// Swapped with `Arguments.spans`, so no copy and no allocation once warm.
    var partialSpans: [Int] = []
    /// Decoded inline arguments that contained quotes (they differ from the input bytes).
    var scratch: InlineScratch?

    public init(limits: RESPLimits = .standard) {
        self.limits = limits
        partialSpans.reserveCapacity(64)
    }

    /// Forgets any partly parsed request, e.g. when a connection is reused for a new stream.
    public mutating func reset() {
        phase = .idle
        position = 0
        scanFrom = 0
        remaining = 0
        bulkLength = 0
        needed = 1
        partialSpans.removeAll(keepingCapacity: true)
    }

    /// Parses the request at the start of `buffer` into `arguments`.
    ///
    /// On `.request`, `arguments` holds the request's arguments. They point into `buffer`,
    /// or, for an inline command with quotes, into storage owned by this parser; either
    /// way they are valid until the next call to `parse` or until `buffer` changes.
    public mutating func parse(_ buffer: UnsafeRawBufferPointer, into arguments: inout Arguments) -> Outcome {
        if buffer.count < needed { return .needMore }
        guard let base = buffer.baseAddress else { return .needMore }
        arguments.reset(base: base)
        let bytes = UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: buffer.count)
        let outcome: Outcome
        switch phase {
        case .idle:
            if bytes[0] == asterisk, let consumed = parseCompleteMultibulk(bytes, into: &arguments) {
                needed = 1
                return .request(consumed: consumed)
            }
            if bytes[0] == asterisk {
                arguments.reset(base: base)
                phase = .countLine
                scanFrom = 1
                outcome = parseMultibulk(bytes, into: &arguments)
            } else {
                phase = .inline
                scanFrom = 0
                outcome = parseInline(bytes, into: &arguments)
            }
        case .inline:
            outcome = parseInline(bytes, into: &arguments)
        case .countLine, .bulkHeader, .bulkData:
            arguments.adoptSpans(&partialSpans)
            outcome = parseMultibulk(bytes, into: &arguments)
        }
        switch outcome {
        case .needMore:
            if phase != .inline {
                // Keep the spans read so far; the next call continues after them.
                arguments.surrenderSpans(to: &partialSpans)
            }
            arguments.reset(base: nil)
        case .request:
            reset()
        case .failure:
            reset()
            arguments.reset(base: nil)
        }
        return outcome
    }

    // MARK: Multibulk

    /// The fast path: a whole, ordinary multibulk request already in `bytes`, read in one
    /// pass with no parser state. Returns nil for anything else (incomplete, unusual or
    /// malformed), and the general parser below then decides, so results never differ.
    @inline(__always)
    private func parseCompleteMultibulk(_ bytes: UnsafeBufferPointer<UInt8>, into arguments: inout Arguments)
        -> Int?
    {
        let n = bytes.count
        var i = 1
        guard let argc = Self.smallNumber(bytes, &i, limit: limits.maxArgumentCount), argc > 0 else { return nil }
        arguments.reset(base: UnsafeRawPointer(bytes.baseAddress))
        var remaining = argc
        while remaining > 0 {
            guard i < n, bytes[i] == dollar else { return nil }
            i += 1
            guard let length = Self.smallNumber(bytes, &i, limit: limits.maxBulkLength) else { return nil }
            let end = i + length + 2
            guard end <= n else { return nil }
            arguments.append(start: i, length: length)
            i = end
            remaining -= 1
        }
        return i
    }

    /// Reads decimal digits at `i` up to CRLF (no sign, no leading zero except "0", at most
    /// 15 digits, at most `limit`) and moves `i` past the CRLF; nil if the text is anything else.
    @inline(__always)
    private static func smallNumber(_ bytes: UnsafeBufferPointer<UInt8>, _ i: inout Int, limit: Int) -> Int? {
        let n = bytes.count
        let start = i
        var value = 0
        while i < n {
            let d = bytes[i] &- 48
            if d > 9 { break }
            value = value &* 10 &+ Int(d)
            i += 1
        }
        let digits = i - start
        guard digits > 0, digits <= 15, digits == 1 || bytes[start] != 48, value <= limit,
            i + 1 < n, bytes[i] == 13, bytes[i + 1] == 10
        else { return nil }
        i += 2
        return value
    }

    @inline(__always)
    private mutating func waitForLineEnd(_ bytes: UnsafeBufferPointer<UInt8>) -> Outcome {
        scanFrom = bytes.count
        needed = bytes.count + 1
        return .needMore
    }

    private mutating func parseMultibulk(_ bytes: UnsafeBufferPointer<UInt8>, into arguments: inout Arguments)
        -> Outcome
    {
        if phase == .countLine {
            guard let cr = Self.find(carriageReturn, in: bytes, from: scanFrom) else {
                if bytes.count > limits.maxInlineLength { return failure("too big mbulk count string") }
                return waitForLineEnd(bytes)
            }
            if cr > limits.maxInlineLength { return failure("too big mbulk count string") }
            scanFrom = cr
            guard cr + 2 <= bytes.count else {
                needed = cr + 2
                return .needMore
            }
            let digits = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[1..<cr])
            guard let count = Arguments.parseInt64(digits), count <= limits.maxArgumentCount else {
                return failure("invalid multibulk length")
            }
            // Redis skips a request whose count is zero or negative.
            if count <= 0 { return .request(consumed: cr + 2) }
            remaining = Int(count)
            position = cr + 2
            scanFrom = position
            phase = .bulkHeader
        }
        while remaining > 0 {
            if phase == .bulkHeader {
                if let problem = readBulkHeader(bytes) { return problem }
            }
            let end = position + bulkLength + 2
            guard end <= bytes.count else {
                needed = end
                return .needMore
            }
            arguments.append(start: position, length: bulkLength)
            position = end
            scanFrom = end
            remaining -= 1
            phase = .bulkHeader
        }
        return .request(consumed: position)
    }

    /// Reads `$<length>\r\n` at `position`; returns an outcome only when it cannot.
    private mutating func readBulkHeader(_ bytes: UnsafeBufferPointer<UInt8>) -> Outcome? {
        guard let cr = Self.find(carriageReturn, in: bytes, from: scanFrom) else {
            if bytes.count - position > limits.maxInlineLength { return failure("too big bulk count string") }
            return waitForLineEnd(bytes)
        }
        if cr - position > limits.maxInlineLength { return failure("too big bulk count string") }
        scanFrom = cr
        guard cr + 2 <= bytes.count else {
            needed = cr + 2
            return .needMore
        }
        let marker = bytes[position]
        guard marker == dollar else {
            return failure("expected '$', got '\(Self.printable(marker))'")
        }
        let digits = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[(position + 1)..<cr])
        guard let length = Arguments.parseInt64(digits), length >= 0, length <= limits.maxBulkLength else {
            return failure("invalid bulk length")
        }
        bulkLength = Int(length)
        position = cr + 2
        phase = .bulkData
        return nil
    }

    // MARK: Inline

    private mutating func parseInline(_ bytes: UnsafeBufferPointer<UInt8>, into arguments: inout Arguments)
        -> Outcome
    {
        guard let newline = Self.find(lineFeed, in: bytes, from: scanFrom) else {
            if bytes.count > limits.maxInlineLength { return failure("too big inline request") }
            return waitForLineEnd(bytes)
        }
        // The bytes before "\n" (a "\r" among them) are what Redis counts against the limit.
        if newline > limits.maxInlineLength { return failure("too big inline request") }
        var end = newline
        if end > 0 && bytes[end - 1] == carriageReturn { end -= 1 }
        // sdssplitargs sees a C string: a NUL ends the line.
        if let nul = Self.find(0, in: UnsafeBufferPointer(rebasing: bytes[0..<end]), from: 0) { end = nul }
        let line = UnsafeBufferPointer(rebasing: bytes[0..<end])
        var quoted = false
        for byte in line where byte == doubleQuote || byte == singleQuote {
            quoted = true
            break
        }
        if quoted {
            if !splitQuoted(line, into: &arguments) { return failure("unbalanced quotes in request") }
        } else {
            InlineSplitter.splitPlain(line, into: &arguments)
        }
        return .request(consumed: newline + 1)
    }

    /// Splits a line with quotes into decoded copies held by `scratch`.
    private mutating func splitQuoted(_ line: UnsafeBufferPointer<UInt8>, into arguments: inout Arguments) -> Bool {
        if !isKnownUniquelyReferenced(&scratch) || scratch!.capacity < line.count {
            scratch = InlineScratch(capacity: max(line.count, 256))
        }
        let storage = scratch!
        arguments.reset(base: UnsafeRawPointer(storage.pointer))
        let output = UnsafeMutableBufferPointer(start: storage.pointer, count: storage.capacity)
        return InlineSplitter.splitQuoted(line, output: output, into: &arguments)
    }

    // MARK: Helpers

    private func failure(_ reason: String) -> Outcome {
        .failure(ProtocolError(reason))
    }

    /// The offending byte as Redis's `%c` shows it; CR and LF become spaces as Redis's
    /// error replies do, so the reason fits on one line.
    static func printable(_ byte: UInt8) -> Character {
        if byte == carriageReturn || byte == lineFeed { return " " }
        return Character(Unicode.Scalar(byte))
    }

    @inline(__always)
    static func find(_ target: UInt8, in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var i = start
        let n = bytes.count
        while i < n {
            if bytes[i] == target { return i }
            i &+= 1
        }
        return nil
    }
}

/// Storage for inline arguments decoded from quotes; freed with the parser.
final class InlineScratch {
    let pointer: UnsafeMutablePointer<UInt8>
    let capacity: Int

    init(capacity: Int) {
        precondition(capacity > 0, "scratch capacity \(capacity)")
        pointer = .allocate(capacity: capacity)
        self.capacity = capacity
    }

    deinit { pointer.deallocate() }
}

let asterisk = UInt8(ascii: "*")
let dollar = UInt8(ascii: "$")
let carriageReturn: UInt8 = 13
let lineFeed: UInt8 = 10
let doubleQuote = UInt8(ascii: "\"")
let singleQuote = UInt8(ascii: "'")
let backslash = UInt8(ascii: "\\")
