import Testing

@testable import RESP

/// Requests of every shape the parser knows, each with what it must parse into.
let splitCatalogue: [(String, [UInt8], [Parsed])] = [
    ("multibulk GET", multibulk("GET", "k"), [request("GET", "k")]),
    ("multibulk SET with empty value", multibulk("SET", "k", ""), [request("SET", "k", "")]),
    (
        "multibulk binary value", multibulk([bytes("SET"), bytes("k"), [0, 13, 10, 13, 10, 0]]),
        [.request([bytes("SET"), bytes("k"), [0, 13, 10, 13, 10, 0]])]
    ),
    (
        "multibulk multi-digit lengths",
        multibulk("MSET", String(repeating: "k", count: 12), String(repeating: "v", count: 100)),
        [request("MSET", String(repeating: "k", count: 12), String(repeating: "v", count: 100))]
    ),
    ("zero count", bytes("*0\r\n"), [.request([])]),
    ("null count", bytes("*-1\r\n"), [.request([])]),
    ("inline CRLF", bytes("SET k v\r\n"), [request("SET", "k", "v")]),
    ("inline LF only", bytes("GET k\n"), [request("GET", "k")]),
    ("inline quoted", bytes("SET \"a b\" 'c\\'d' \"\\x41\\n\"\r\n"), [request("SET", "a b", "c'd", "A\n")]),
    ("empty inline line", bytes("\r\n"), [.request([])]),
    ("bad bulk length", bytes("*1\r\n$-1\r\n"), [.failure("invalid bulk length")]),
    ("bad marker", bytes("*1\r\n:1\r\n"), [.failure("expected '$', got ':'")]),
    ("unbalanced quotes", bytes("GET \"k\r\n"), [.failure("unbalanced quotes in request")]),
]

@Test(arguments: splitCatalogue.indices)
func parse_requestSplitAtEveryByte_givesSameResultAsWhole(index: Int) {
    let (name, input, expected) = splitCatalogue[index]
    #expect(parseStream(input) == expected, "\(name) whole")
    for cut in 1..<input.count {
        #expect(parseStream(input, readEnds: [cut]) == expected, "\(name) cut at \(cut)")
    }
}

@Test(arguments: splitCatalogue.indices)
func parse_requestFedOneByteAtATime_givesSameResultAsWhole(index: Int) {
    let (name, input, expected) = splitCatalogue[index]
    #expect(parseStream(input, readEnds: Array(1..<input.count)) == expected, "\(name)")
}

@Test func parse_everyProperPrefixOfARequest_needsMore() {
    let input = multibulk("HSET", "h", "field", "value")
    var parser = RequestParser()
    var arguments = Arguments()
    for length in 0..<input.count {
        let outcome = Array(input[0..<length]).withUnsafeBytes { parser.parse($0, into: &arguments) }
        #expect(outcome == .needMore, "prefix \(length)")
        #expect(arguments.count == 0, "no arguments are exposed while incomplete")
    }
    let last = input.withUnsafeBytes { parser.parse($0, into: &arguments) }
    #expect(last == .request(consumed: input.count))
    #expect(arguments.count == 4)
}

@Test func parse_hugeBulkInManySmallReads_waitsCheaplyForTheWholePayload() {
    let payload = [UInt8](repeating: 0x61, count: 1 << 20)
    let input = multibulk([bytes("SET"), bytes("k"), payload])
    var parser = RequestParser()
    var arguments = Arguments()
    var calls = 0
    var outcome = RequestParser.Outcome.needMore
    var length = 0
    while length < input.count {
        length = min(input.count, length + 1500)
        outcome = input.withUnsafeBytes {
            parser.parse(UnsafeRawBufferPointer(rebasing: $0[0..<length]), into: &arguments)
        }
        calls += 1
        if length > 40 && length < input.count {
            // Once the payload header is read the parser knows the full size it needs.
            #expect(parser.needed == input.count)
        }
    }
    #expect(outcome == .request(consumed: input.count))
    #expect(arguments[2].count == payload.count)
    #expect(calls > 600)
}

@Test func parse_manyArgumentsInManyReads_resumesAfterArgumentsAlreadyRead() {
    let args = (0..<5000).map { bytes("v\($0)") }
    let input = multibulk(args)
    // A read every 7 bytes: thousands of resumptions, each continuing where the last stopped.
    let result = parseStream(input, readEnds: Array(stride(from: 7, to: input.count, by: 7)))
    #expect(result == [.request(args)])
}

@Test func parse_headerTrickledByteByByte_resumesSearchWhereItStopped() {
    // A client sending a long header one byte per read must not make each read rescan it.
    let input = bytes("*1\r\n$" + String(repeating: "9", count: 2000))
    var parser = RequestParser()
    var arguments = Arguments()
    for length in 5...input.count {
        let outcome = input.withUnsafeBytes {
            parser.parse(UnsafeRawBufferPointer(rebasing: $0[0..<length]), into: &arguments)
        }
        #expect(outcome == .needMore)
        #expect(parser.scanFrom == length, "the next search starts at the first unseen byte")
        #expect(parser.needed == length + 1)
    }
}

@Test func parse_sameIncompleteBufferTwice_returnsNeedMoreWithoutProgress() {
    let input = bytes("*2\r\n$3\r\nGET\r\n$10\r\nab")
    var parser = RequestParser()
    var arguments = Arguments()
    let first = input.withUnsafeBytes { parser.parse($0, into: &arguments) }
    let neededAfterFirst = parser.needed
    let second = input.withUnsafeBytes { parser.parse($0, into: &arguments) }
    #expect(first == .needMore)
    #expect(second == .needMore)
    #expect(neededAfterFirst == input.count - 2 + 10 + 2)
    #expect(parser.needed == neededAfterFirst)
}
