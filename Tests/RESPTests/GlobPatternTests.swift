import Testing

@testable import RESP

/// (pattern, string, expected). The first group is the KEYS documentation's examples,
/// the rest are stringmatchlen's corner cases.
let globCases: [(String, String, Bool)] = [
    ("h?llo", "hello", true), ("h?llo", "hallo", true), ("h?llo", "hxllo", true), ("h?llo", "hllo", false),
    ("h*llo", "hllo", true), ("h*llo", "heeeello", true), ("h*llo", "hellox", false),
    ("h[ae]llo", "hello", true), ("h[ae]llo", "hallo", true), ("h[ae]llo", "hillo", false),
    ("h[^e]llo", "hallo", true), ("h[^e]llo", "hbllo", true), ("h[^e]llo", "hello", false),
    ("h[a-b]llo", "hallo", true), ("h[a-b]llo", "hbllo", true), ("h[a-b]llo", "hcllo", false),
    ("foo*", "foo_a", true), ("foo*", "key_x", false), ("*", "", true), ("*", "anything", true),
    ("", "", true), ("", "a", false), ("a", "", false), ("?", "", false),
    ("a*", "a", true), ("a**", "a", true), ("*b", "ab", true), ("**b", "b", true), ("a*b*c", "aXbYc", true),
    ("key:1??", "key:123", true), ("key:1??", "key:12", false), ("key:*", "key:", true),
    ("[b-a]", "a", true), ("[z-a]x", "mx", true),
    ("\\*", "*", true), ("\\*", "a", false), ("a\\?b", "a?b", true), ("a\\?b", "axb", false),
    ("\\", "\\", true), ("[\\]]", "]", true), ("[\\-]", "-", true), ("[\\-]", "a", false),
    ("[abc", "a", true), ("[abc", "d", false), ("[^", "a", true), ("[", "a", false),
    ("[a-]", "b", false), ("[]", "a", false), ("[]]", "]", false),
    ("*[0-9]", "abc7", true), ("*[0-9]", "abc", false), ("user:*:name", "user:42:name", true),
]

@Test(arguments: globCases.indices)
func globPattern_matches_followsStringmatchlen(index: Int) {
    let (pattern, string, expected) = globCases[index]
    let result = GlobPattern.matches(pattern, string)
    #expect(result == expected, "\(pattern.debugDescription) ~ \(string.debugDescription)")
}

@Test func globPattern_caseInsensitive_foldsAsciiLettersAndRanges() {
    #expect(GlobPattern.matches("HELLO", "hello", caseInsensitive: true))
    #expect(!GlobPattern.matches("HELLO", "hello"))
    #expect(GlobPattern.matches("H[A-Z]LLO", "hello", caseInsensitive: true))
    #expect(GlobPattern.matches("h[E]llo", "HELLO", caseInsensitive: true))
    #expect(!GlobPattern.matches("h[E]llo", "hello"))
}

@Test func globPattern_matchesRawBytes() {
    #expect(GlobPattern.matches([0xFF, UInt8(ascii: "*")], [0xFF, 0, 1]))
    #expect(GlobPattern.matches([UInt8(ascii: "?")], [0]))
    #expect(!GlobPattern.matches([0xFE], [0xFF]))
}

@Test func globPattern_longNestedStars_failFastWithoutMatching() {
    // keyspace.tcl "Regression for pattern matching long nested loops".
    let key = String(repeating: "a", count: 40)
    #expect(!GlobPattern.matches("a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", key))
}

@Test func globPattern_veryLongNestedStars_hitTheNestingLimitLikeRedis() {
    // keyspace.tcl "Regression for pattern matching very long nested loops": KEYS returns nothing.
    let key = String(repeating: "a", count: 50000)
    let pattern = String(repeating: "*?", count: 50000)
    #expect(!GlobPattern.matches(pattern, key))
}

@Test func globPattern_starsWithinNestingLimit_stillMatch() {
    let pattern = String(repeating: "a*", count: 500) + "b"
    let key = String(repeating: "a", count: 600) + "b"
    #expect(GlobPattern.matches(pattern, key))
    #expect(!GlobPattern.matches(pattern, String(repeating: "a", count: 600)))
}
