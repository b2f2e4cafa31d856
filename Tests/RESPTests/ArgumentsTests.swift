import Testing

@testable import RESP

private func parseInt(_ s: String) -> Int64? {
    Array(s.utf8).withUnsafeBytes { Arguments.parseInt64($0) }
}

@Test func parseInt64_acceptsWhatRedisString2llAccepts() {
    #expect(parseInt("0") == 0)
    #expect(parseInt("7") == 7)
    #expect(parseInt("-7") == -7)
    #expect(parseInt("1234567890") == 1_234_567_890)
    #expect(parseInt("9223372036854775807") == Int64.max)
    #expect(parseInt("-9223372036854775808") == Int64.min)
}

@Test func parseInt64_rejectsWhatRedisString2llRejects() {
    let rejected = [
        "", "-", "-0", "00", "01", "-01", "+1", " 1", "1 ", "1a", "0x10", "1.0", "1e3",
        "9223372036854775808", "-9223372036854775809", "99999999999999999999",
        "000000000000000000001", "\u{0}",
    ]
    for text in rejected {
        #expect(parseInt(text) == nil, "\(text.debugDescription)")
    }
}

@Test func arguments_matches_comparesIgnoringAsciiCaseOnly() {
    let words: [[UInt8]] = [bytes("get"), bytes("GeT"), bytes("GETX"), bytes("GE"), [0xC7, 0x45, 0x54]]
    var spans: [Int] = []
    var storage: [UInt8] = []
    for word in words {
        spans += [storage.count, word.count]
        storage += word
    }
    storage.withUnsafeBytes { buffer in
        let args = Arguments(base: buffer.baseAddress, spans: spans)
        #expect(args.matches(0, "GET"))
        #expect(args.matches(1, "GET"))
        #expect(!args.matches(2, "GET"))
        #expect(!args.matches(3, "GET"))
        #expect(!args.matches(4, "GET"), "0xC7 is not 'g' + 0x80")
    }
}

@Test func arguments_int64AndDouble_readParsedArguments() {
    let input = multibulk("INCRBY", "k", "-15", "2.5", "inf", "nan", " 1", "abc")
    var parser = RequestParser()
    var arguments = Arguments()
    input.withUnsafeBytes { buffer in
        #expect(parser.parse(buffer, into: &arguments) == .request(consumed: input.count))
        #expect(arguments.int64(2) == -15)
        #expect(arguments.int64(3) == nil)
        #expect(arguments.double(3) == 2.5)
        #expect(arguments.double(4) == .infinity)
        #expect(arguments.double(5) == nil, "NaN is not a number Redis accepts")
        #expect(arguments.double(6) == nil, "leading blank")
        #expect(arguments.double(7) == nil)
        #expect(arguments.string(0) == "INCRBY")
        #expect(arguments.bytes(1) == bytes("k"))
    }
}

@Test func arguments_emptyArgument_isAnEmptyBuffer() {
    let input = multibulk("SET", "k", "")
    let (_, args) = parseOnce(input)
    #expect(args[2].isEmpty)
}

@Test func arguments_steadyState_reusesSpanStorageWithoutReallocating() {
    var parser = RequestParser()
    var arguments = Arguments()
    let request = multibulk("MSET", "a", "1", "b", "2")
    let split = Array(request[0..<20])
    func storageAddress(_ args: Arguments) -> UnsafeRawPointer? {
        args.spans.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
    }
    // Warm up: whole requests and split ones, so both span arrays reach their capacity.
    for _ in 0..<3 {
        _ = split.withUnsafeBytes { parser.parse($0, into: &arguments) }
        _ = request.withUnsafeBytes { parser.parse($0, into: &arguments) }
    }
    let addresses = Set([
        storageAddress(arguments),
        parser.partialSpans.withUnsafeBufferPointer {
            UnsafeRawPointer($0.baseAddress)
        },
    ])
    for _ in 0..<1000 {
        _ = split.withUnsafeBytes { parser.parse($0, into: &arguments) }
        let outcome = request.withUnsafeBytes { parser.parse($0, into: &arguments) }
        #expect(outcome == .request(consumed: request.count))
        #expect(addresses.contains(storageAddress(arguments)), "span storage was reallocated")
    }
}
