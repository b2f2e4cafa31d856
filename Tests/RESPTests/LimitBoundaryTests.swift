import Testing

@testable import RESP

let small = RESPLimits(maxBulkLength: 5, maxArgumentCount: 3, maxInlineLength: 16)

@Test func parse_argumentCountAtLimit_isAccepted_andOnePastFails() {
    #expect(parseStream(multibulk("a", "b", "c"), limits: small) == [request("a", "b", "c")])
    #expect(parseStream(multibulk("a", "b", "c", "d"), limits: small) == [.failure("invalid multibulk length")])
}

@Test func parse_bulkLengthAtLimit_isAccepted_andOnePastFails() {
    #expect(parseStream(multibulk("12345"), limits: small) == [request("12345")])
    #expect(parseStream(multibulk("123456"), limits: small) == [.failure("invalid bulk length")])
}

@Test func parse_inlineLineAtLimit_isAccepted_andOnePastFails() {
    let atLimit = String(repeating: "a", count: 15) + "\r"  // 16 bytes before "\n"
    #expect(parseStream(bytes(atLimit + "\n"), limits: small) == [request(String(repeating: "a", count: 15))])
    let pastLimit = String(repeating: "a", count: 16) + "\r\n"
    #expect(parseStream(bytes(pastLimit), limits: small) == [.failure("too big inline request")])
}

@Test func parse_inlineWithoutNewline_waitsUpToLimitThenFails() {
    #expect(parseOnce(bytes(String(repeating: "a", count: 16)), limits: small).0 == .needMore)
    let past = parseOnce(bytes(String(repeating: "a", count: 17)), limits: small).0
    #expect(past == .failure(ProtocolError("too big inline request")))
}

@Test func parse_countLineWithoutCR_waitsUpToLimitThenFails() {
    #expect(parseOnce(bytes("*" + String(repeating: "1", count: 15)), limits: small).0 == .needMore)
    let past = parseOnce(bytes("*" + String(repeating: "1", count: 16)), limits: small).0
    #expect(past == .failure(ProtocolError("too big mbulk count string")))
    // A long count line that arrives whole is refused the same way, whatever the reads.
    let whole = parseOnce(bytes("*" + String(repeating: "1", count: 16) + "\r\n"), limits: small).0
    #expect(whole == .failure(ProtocolError("too big mbulk count string")))
}

@Test func parse_bulkHeaderWithoutCR_waitsUpToLimitThenFails() {
    let prefix = "*1\r\n"
    #expect(parseOnce(bytes(prefix + "$" + String(repeating: "1", count: 15)), limits: small).0 == .needMore)
    let past = parseOnce(bytes(prefix + "$" + String(repeating: "1", count: 16)), limits: small).0
    #expect(past == .failure(ProtocolError("too big bulk count string")))
    // The length cap applies before the '$' is checked, as in Redis.
    let noDollar = parseOnce(bytes(prefix + String(repeating: "X", count: 17)), limits: small).0
    #expect(noDollar == .failure(ProtocolError("too big bulk count string")))
}

@Test func parse_standardLimits_countLineOf64KiBWaits_andOneMoreByteFails() {
    let waiting = bytes("*" + String(repeating: "1", count: 64 * 1024 - 1))
    #expect(parseOnce(waiting).0 == .needMore)
    #expect(parseOnce(waiting + bytes("1")).0 == .failure(ProtocolError("too big mbulk count string")))
}

@Test func parse_standardLimits_bulkHeaderOf64KiBWaits_andOneMoreByteFails() {
    let waiting = bytes("*2\r\n$4\r\nECHO\r\n$" + String(repeating: "1", count: 64 * 1024 - 1))
    #expect(parseOnce(waiting).0 == .needMore)
    #expect(parseOnce(waiting + bytes("1")).0 == .failure(ProtocolError("too big bulk count string")))
    let junk = bytes("*1\r\n" + String(repeating: "X", count: 70000))
    #expect(parseOnce(junk).0 == .failure(ProtocolError("too big bulk count string")))
}

@Test func parse_standardLimits_inlineOf64KiBWaits_andOneMoreByteFails() {
    let waiting = bytes(String(repeating: "a", count: 64 * 1024))
    #expect(parseOnce(waiting).0 == .needMore)
    #expect(parseOnce(waiting + bytes("a")).0 == .failure(ProtocolError("too big inline request")))
}

@Test func parse_standardLimits_largestCountAndBulkLengthAreAccepted() {
    #expect(parseOnce(bytes("*1048576\r\n")).0 == .needMore)
    #expect(parseOnce(bytes("*1048577\r\n")).0 == .failure(ProtocolError("invalid multibulk length")))
    #expect(parseOnce(bytes("*1\r\n$536870912\r\n")).0 == .needMore)
    #expect(parseOnce(bytes("*1\r\n$536870913\r\n")).0 == .failure(ProtocolError("invalid bulk length")))
}
