import Testing

@testable import RESP

/// (line without its CRLF, expected arguments) per sdssplitargs.
let inlineCases: [(String, [String])] = [
    ("PING", ["PING"]),
    ("  SET   k    v  ", ["SET", "k", "v"]),
    ("SET\tk\tv", ["SET", "k", "v"]),
    ("a\u{0B}b", ["a\u{0B}b"]),
    ("\u{0B}\u{0C}a", ["a"]),
    ("a\rb", ["a", "b"]),
    ("SET \"hello world\" x", ["SET", "hello world", "x"]),
    ("SET 'hello world' x", ["SET", "hello world", "x"]),
    ("ECHO \"\"", ["ECHO", ""]),
    ("ECHO ''", ["ECHO", ""]),
    ("ECHO \"a\\nb\\rc\\td\\be\\af\"", ["ECHO", "a\nb\rc\td\u{08}e\u{07}f"]),
    ("ECHO \"\\\\ \\\" \\q\"", ["ECHO", "\\ \" q"]),
    ("ECHO \"\\x41\\x6a\\x7A\"", ["ECHO", "Ajz"]),
    ("ECHO \"\\xZZ\"", ["ECHO", "xZZ"]),
    ("ECHO \"\\x4\"", ["ECHO", "x4"]),
    ("ECHO 'it\\'s'", ["ECHO", "it's"]),
    ("ECHO 'a\\nb'", ["ECHO", "a\\nb"]),
    ("ECHO 'say \"hi\"'", ["ECHO", "say \"hi\""]),
    ("ECHO \"it's\"", ["ECHO", "it's"]),
    ("ECHO pre\"fix and\"", ["ECHO", "prefix and"]),
    ("ECHO \"a\"\u{0B}b", ["ECHO", "a", "b"]),
    ("ECHO \"a\"", ["ECHO", "a"]),
]

@Test(arguments: inlineCases.indices)
func parse_inlineLine_splitsLikeSdssplitargs(index: Int) {
    let (line, expected) = inlineCases[index]
    let input = bytes(line + "\r\n")
    let (outcome, args) = parseOnce(input)
    #expect(outcome == .request(consumed: input.count), "\(line)")
    #expect(args == expected.map { bytes($0) }, "\(line)")
}

@Test func parse_inlineHexEscape_decodesHighBytes() {
    let input = bytes("SET k \"\\xff\\x00\\x80\"\n")
    let (outcome, args) = parseOnce(input)
    #expect(outcome == .request(consumed: input.count))
    #expect(args == [bytes("SET"), bytes("k"), [0xFF, 0x00, 0x80]])
}

@Test func parse_inlineUnbalancedQuotes_fail() {
    let lines = ["GET \"k", "GET 'k", "GET \"k\"x", "GET 'k'x", "GET \"k\\\"", "GET \"\\", "GET 'a\\'"]
    for line in lines {
        let (outcome, _) = parseOnce(bytes(line + "\r\n"))
        #expect(outcome == .failure(ProtocolError("unbalanced quotes in request")), "\(line)")
    }
}

@Test func parse_inlineWithNul_stopsTheLineThereLikeACString() {
    let input: [UInt8] = bytes("GET a") + [0] + bytes(" b\r\n")
    let (outcome, args) = parseOnce(input)
    #expect(outcome == .request(consumed: input.count))
    #expect(args == [bytes("GET"), bytes("a")])
}

@Test func parse_inlineOnlyBlanks_isAnEmptyRequest() {
    let (outcome, args) = parseOnce(bytes("   \t \r\n"))
    #expect(outcome == .request(consumed: 7))
    #expect(args.isEmpty)
}

@Test func parse_inlineCarriageReturnOnlyStrippedBeforeNewline() {
    let (outcome, args) = parseOnce(bytes("GET k\r\r\n"))
    #expect(outcome == .request(consumed: 8))
    #expect(args == [bytes("GET"), bytes("k")])
}

@Test func parse_inlineQuotedArgumentsStayValidUntilNextParse() {
    var parser = RequestParser()
    var arguments = Arguments()
    let first = bytes("SET \"a b\" c\r\n")
    let outcome = first.withUnsafeBytes { parser.parse($0, into: &arguments) }
    #expect(outcome == .request(consumed: first.count))
    #expect(arguments.string(1) == "a b")
    #expect(arguments.string(2) == "c")
}

@Test func parse_copiedParser_doesNotShareDecodedInlineArguments() {
    var parser = RequestParser()
    var arguments = Arguments()
    _ = bytes("ECHO \"one\"\n").withUnsafeBytes { parser.parse($0, into: &arguments) }
    var copy = parser
    var otherArguments = Arguments()
    _ = bytes("ECHO \"two\"\n").withUnsafeBytes { copy.parse($0, into: &otherArguments) }
    #expect(arguments.string(1) == "one")
    #expect(otherArguments.string(1) == "two")
}
