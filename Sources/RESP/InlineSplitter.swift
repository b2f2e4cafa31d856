/// Splits an inline command line into arguments the way Redis's `sdssplitargs` does.
///
/// - Blanks between arguments are C `isspace` bytes (space, \t, \n, \v, \f, \r), but an
///   unquoted argument ends only at space, \t, \n or \r (so "a\vb" is one argument).
/// - Inside double quotes: `\xHH`, `\n`, `\r`, `\t`, `\b`, `\a` and `\<any>` (that byte).
/// - Inside single quotes: only `\'` is an escape.
/// - A quote may open in the middle of an argument (`a"b c"` is `ab c`); a closing quote
///   must be followed by a blank or the end of the line, else the quotes are unbalanced.
/// - Empty quoted arguments (`""`) are kept, as Redis 7 keeps them.
///
/// The line must not contain NUL (the caller cuts it there, as C strings end there).
enum InlineSplitter {
    /// A line without quotes: every argument is a run of the input itself.
    static func splitPlain(_ line: UnsafeBufferPointer<UInt8>, into arguments: inout Arguments) {
        let n = line.count
        var p = 0
        while true {
            while p < n && isBlank(line[p]) { p += 1 }
            if p >= n { return }
            let start = p
            while p < n && !endsUnquoted(line[p]) { p += 1 }
            arguments.append(start: start, length: p - start)
        }
    }

    /// A line with quotes: decoded arguments are written to `output`, which has room for at
    /// least `line.count` bytes (decoding never lengthens). Spans are relative to `output`.
    /// Returns false when the quotes are unbalanced.
    static func splitQuoted(
        _ line: UnsafeBufferPointer<UInt8>, output: UnsafeMutableBufferPointer<UInt8>,
        into arguments: inout Arguments
    ) -> Bool {
        precondition(output.count >= line.count, "scratch \(output.count) < line \(line.count)")
        // Mirrors C's `*p`: reading past the end yields the terminating NUL.
        @inline(__always) func at(_ i: Int) -> UInt8 { i < line.count ? line[i] : 0 }
        var p = 0
        var out = 0
        while true {
            while at(p) != 0 && isBlank(at(p)) { p += 1 }
            if at(p) == 0 { return true }
            let start = out
            var inDouble = false
            var inSingle = false
            var done = false
            while !done {
                let c = at(p)
                if inDouble {
                    if c == backslash && at(p + 1) == UInt8(ascii: "x"),
                        let high = hexValue(at(p + 2)), let low = hexValue(at(p + 3))
                    {
                        output[out] = high &* 16 &+ low
                        out += 1
                        p += 3
                    } else if c == backslash && at(p + 1) != 0 {
                        p += 1
                        output[out] = unescape(at(p))
                        out += 1
                    } else if c == doubleQuote {
                        if at(p + 1) != 0 && !isBlank(at(p + 1)) { return false }
                        done = true
                    } else if c == 0 {
                        return false
                    } else {
                        output[out] = c
                        out += 1
                    }
                } else if inSingle {
                    if c == backslash && at(p + 1) == singleQuote {
                        p += 1
                        output[out] = singleQuote
                        out += 1
                    } else if c == singleQuote {
                        if at(p + 1) != 0 && !isBlank(at(p + 1)) { return false }
                        done = true
                    } else if c == 0 {
                        return false
                    } else {
                        output[out] = c
                        out += 1
                    }
                } else if c == 0 || endsUnquoted(c) {
                    done = true
                } else if c == doubleQuote {
                    inDouble = true
                } else if c == singleQuote {
                    inSingle = true
                } else {
                    output[out] = c
                    out += 1
                }
                if at(p) != 0 { p += 1 }
            }
            arguments.append(start: start, length: out - start)
        }
    }

    /// C `isspace` in the "C" locale.
    @inline(__always)
    static func isBlank(_ c: UInt8) -> Bool { c == 32 || (c >= 9 && c <= 13) }

    /// The bytes that end an unquoted argument in sdssplitargs.
    @inline(__always)
    static func endsUnquoted(_ c: UInt8) -> Bool { c == 32 || c == 10 || c == 13 || c == 9 }

    @inline(__always)
    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    @inline(__always)
    static func unescape(_ c: UInt8) -> UInt8 {
        switch c {
        case UInt8(ascii: "n"): return 10
        case UInt8(ascii: "r"): return 13
        case UInt8(ascii: "t"): return 9
        case UInt8(ascii: "b"): return 8
        case UInt8(ascii: "a"): return 7
        default: return c
        }
    }
}
