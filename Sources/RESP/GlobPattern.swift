/// Redis's glob-style matching (`stringmatchlen` in util.c), used by KEYS, SCAN MATCH and
/// the like.
///
/// - `*` matches any run of bytes (also none), `?` exactly one byte.
/// - `[abc]` one of the listed bytes, `[^abc]` any other, `[a-z]` a range (either order),
///   `\` inside brackets quotes the next byte. An unterminated `[` matches to the end of
///   the pattern as if closed there.
/// - `\x` matches `x` literally; a trailing lone `\` matches a backslash.
/// - With `caseInsensitive`, ASCII letters compare without case.
///
/// Work is bounded as in Redis: at most 1000 nested `*`s are explored (deeper patterns do
/// not match), and once the rest of a pattern after a `*` fails at every position, no outer
/// `*` retries longer matches. So `a*a*a*...b` costs O(pattern x string), not exponential.
///
/// Bytes compare unsigned; Redis compares `char`, which is signed on x86, so ranges that
/// span byte 0x7F/0x80 differ from Redis there (no realistic pattern does that).
public enum GlobPattern {
    /// How many `*` levels one match may nest, as Redis bounds it.
    public static let nestingMax = 1000

    public static func matches(
        _ pattern: UnsafeRawBufferPointer, _ string: UnsafeRawBufferPointer,
        caseInsensitive: Bool = false
    ) -> Bool {
        // Fast path for the most common pattern of all.
        if pattern.count == 1 && pattern[0] == UInt8(ascii: "*") { return true }
        var skipLongerMatches = false
        return match(pattern, 0, string, 0, caseInsensitive, &skipLongerMatches, 0)
    }

    public static func matches(_ pattern: [UInt8], _ string: [UInt8], caseInsensitive: Bool = false) -> Bool {
        pattern.withUnsafeBytes { p in
            string.withUnsafeBytes { s in matches(p, s, caseInsensitive: caseInsensitive) }
        }
    }

    public static func matches(_ pattern: String, _ string: String, caseInsensitive: Bool = false) -> Bool {
        matches(Array(pattern.utf8), Array(string.utf8), caseInsensitive: caseInsensitive)
    }

    // A port of stringmatchlen_impl: `p`/`s` are the positions of pattern[0]/string[0] there.
    private static func match(
        _ pattern: UnsafeRawBufferPointer, _ patternStart: Int,
        _ string: UnsafeRawBufferPointer, _ stringStart: Int,
        _ nocase: Bool, _ skipLongerMatches: inout Bool, _ nesting: Int
    ) -> Bool {
        if nesting > nestingMax { return false }
        let patternEnd = pattern.count
        let stringEnd = string.count
        // C reads the terminating NUL past the end; so do we.
        @inline(__always) func pat(_ i: Int) -> UInt8 { i < patternEnd ? pattern[i] : 0 }
        var p = patternStart
        var s = stringStart
        while p < patternEnd && s < stringEnd {
            switch pattern[p] {
            case UInt8(ascii: "*"):
                while p < patternEnd && pat(p + 1) == UInt8(ascii: "*") { p += 1 }
                if patternEnd - p == 1 { return true }
                while s < stringEnd {
                    if match(pattern, p + 1, string, s, nocase, &skipLongerMatches, nesting + 1) { return true }
                    if skipLongerMatches { return false }
                    s += 1
                }
                // The rest failed from every position: longer matches of outer stars cannot help.
                skipLongerMatches = true
                return false
            case UInt8(ascii: "?"):
                s += 1
            case UInt8(ascii: "["):
                guard matchClass(pattern, &p, string[s], nocase) else { return false }
                s += 1
            case UInt8(ascii: "\\"):
                if patternEnd - p >= 2 { p += 1 }
                guard same(pattern[p], string[s], nocase) else { return false }
                s += 1
            default:
                guard same(pattern[p], string[s], nocase) else { return false }
                s += 1
            }
            p += 1
            if s == stringEnd {
                while p < patternEnd && pattern[p] == UInt8(ascii: "*") { p += 1 }
                break
            }
        }
        return p == patternEnd && s == stringEnd
    }

    /// Matches `c` against the class opening at `p`; leaves `p` on its closing `]` (or on
    /// the last pattern byte when there is none), as the C code does.
    @inline(__always)
    private static func matchClass(
        _ pattern: UnsafeRawBufferPointer, _ p: inout Int, _ c: UInt8,
        _ nocase: Bool
    ) -> Bool {
        let end = pattern.count
        @inline(__always) func pat(_ i: Int) -> UInt8 { i < end ? pattern[i] : 0 }
        p += 1
        let negate = pat(p) == UInt8(ascii: "^")
        if negate { p += 1 }
        var matched = false
        while true {
            let remaining = end - p
            if pat(p) == UInt8(ascii: "\\") && remaining >= 2 {
                p += 1
                if pattern[p] == c { matched = true }
            } else if pat(p) == UInt8(ascii: "]") {
                break
            } else if remaining == 0 {
                p -= 1
                break
            } else if remaining >= 3 && pattern[p + 1] == UInt8(ascii: "-") {
                var low = pattern[p]
                var high = pattern[p + 2]
                var byte = c
                if low > high { swap(&low, &high) }
                if nocase {
                    low = lower(low)
                    high = lower(high)
                    byte = lower(byte)
                }
                p += 2
                if byte >= low && byte <= high { matched = true }
            } else if same(pattern[p], c, nocase) {
                matched = true
            }
            p += 1
        }
        return negate ? !matched : matched
    }

    @inline(__always)
    private static func same(_ a: UInt8, _ b: UInt8, _ nocase: Bool) -> Bool {
        nocase ? lower(a) == lower(b) : a == b
    }

    @inline(__always)
    static func lower(_ c: UInt8) -> UInt8 {
        c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z") ? c | 0x20 : c
    }
}
