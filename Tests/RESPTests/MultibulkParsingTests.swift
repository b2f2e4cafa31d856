import Testing

@testable import RESP

@Test func parse_multibulkGet_yieldsCommandAndKey() {
    let input = multibulk("GET", "key")
    let (outcome, args) = parseOnce(input)
    #expect(outcome == .request(consumed: input.count))
    #expect(args == [bytes("GET"), bytes("key")])
}

@Test func parse_multibulkWithEmptyAndBinaryBulks_keepsBytesExactly() {
    let payload: [UInt8] = [0, 13, 10, 255, 42, 13, 10]
    let input = multibulk([bytes("SET"), [], payload])
    let (outcome, args) = parseOnce(input)
    #expect(outcome == .request(consumed: input.count))
    #expect(args == [bytes("SET"), [], payload])
}

@Test func parse_zeroOrNegativeCount_isAnEmptyRequestToSkip() {
    for text in ["*0\r\n", "*-1\r\n", "*-5\r\n"] {
        let (outcome, args) = parseOnce(bytes(text))
        #expect(outcome == .request(consumed: text.utf8.count), "\(text)")
        #expect(args.isEmpty)
    }
}

@Test func parse_argumentsPointIntoCallerBuffer_relativeToItsBase() {
    let input = multibulk("ECHO", "hello")
    var parser = RequestParser()
    var arguments = Arguments()
    input.withUnsafeBytes { buffer in
        _ = parser.parse(buffer, into: &arguments)
        let base = buffer.baseAddress!
        #expect(arguments[1].baseAddress == base + 18)
        #expect(arguments[1].count == 5)
    }
}

@Test func parse_emptyBuffer_needsMore() {
    var parser = RequestParser()
    var arguments = Arguments()
    let outcome = parser.parse(UnsafeRawBufferPointer(start: nil, count: 0), into: &arguments)
    #expect(outcome == .needMore)
    #expect(arguments.count == 0)
}

@Test func parse_trailerBytesAreNotChecked_likeRedis() {
    // Redis skips the two bytes after a header's CR and after a payload without looking.
    let (outcome, args) = parseOnce(bytes("*1\rX$3\r\nfooYZ"))
    #expect(outcome == .request(consumed: 13))
    #expect(args == [bytes("foo")])
}

@Test func parse_afterFailure_parserStartsFreshOnNextStream() {
    var parser = RequestParser()
    var arguments = Arguments()
    let bad = bytes("*1\r\n$x\r\n")
    let good = multibulk("PING")
    let first = bad.withUnsafeBytes { parser.parse($0, into: &arguments) }
    let second = good.withUnsafeBytes { parser.parse($0, into: &arguments) }
    #expect(first == .failure(ProtocolError("invalid bulk length")))
    #expect(second == .request(consumed: good.count))
    #expect(arguments.count == 1)
}

@Test func parse_resetMidRequest_forgetsPartialArguments() {
    var parser = RequestParser()
    var arguments = Arguments()
    let partial = bytes("*2\r\n$3\r\nGET\r\n")
    let full = multibulk("PING")
    #expect(partial.withUnsafeBytes { parser.parse($0, into: &arguments) } == .needMore)
    parser.reset()
    #expect(full.withUnsafeBytes { parser.parse($0, into: &arguments) } == .request(consumed: full.count))
    #expect(arguments.count == 1)
    #expect(arguments.string(0) == "PING")
}
