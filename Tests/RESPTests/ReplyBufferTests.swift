import Testing

@testable import RESP

private func encode(_ version: Int, _ build: (inout ReplyBuffer) -> Void) -> String {
    var reply = ReplyBuffer(capacity: 64, protocolVersion: version)
    build(&reply)
    return String(decoding: reply.bytes, as: UTF8.self)
}

@Test func replyBuffer_integerEdgeValues_encodeExactly() {
    #expect(encode(2) { $0.integer(0) } == ":0\r\n")
    #expect(encode(2) { $0.integer(9) } == ":9\r\n")
    #expect(encode(2) { $0.integer(10) } == ":10\r\n")
    #expect(encode(2) { $0.integer(-1) } == ":-1\r\n")
    #expect(encode(2) { $0.integer(Int64.max) } == ":9223372036854775807\r\n")
    #expect(encode(3) { $0.integer(Int64.min) } == ":-9223372036854775808\r\n")
}

@Test func replyBuffer_bulkDecimal_encodesDigitsAsBulkString() {
    #expect(encode(2) { $0.bulkDecimal(0) } == "$1\r\n0\r\n")
    #expect(encode(2) { $0.bulkDecimal(-42) } == "$3\r\n-42\r\n")
    #expect(encode(2) { $0.bulkDecimal(Int64.min) } == "$20\r\n-9223372036854775808\r\n")
    #expect(encode(2) { $0.bulkDecimal(Int64.max) } == "$19\r\n9223372036854775807\r\n")
}

@Test func replyBuffer_null_isDollarMinusOneInResp2AndUnderscoreInResp3() {
    #expect(encode(2) { $0.null() } == "$-1\r\n")
    #expect(encode(3) { $0.null() } == "_\r\n")
    #expect(encode(2) { $0.nullArray() } == "*-1\r\n")
    #expect(encode(3) { $0.nullArray() } == "_\r\n")
}

@Test func replyBuffer_map_isPercentInResp3AndFlatArrayInResp2() {
    let build: (inout ReplyBuffer) -> Void = {
        $0.mapHeader(1)
        $0.bulk("f")
        $0.integer(1)
    }
    #expect(encode(3, build) == "%1\r\n$1\r\nf\r\n:1\r\n")
    #expect(encode(2, build) == "*2\r\n$1\r\nf\r\n:1\r\n")
}

@Test func replyBuffer_set_isTildeInResp3AndArrayInResp2() {
    #expect(encode(3) { $0.setHeader(2) } == "~2\r\n")
    #expect(encode(2) { $0.setHeader(2) } == "*2\r\n")
    #expect(encode(2) { $0.arrayHeader(0) } == "*0\r\n")
}

@Test func replyBuffer_double_isCommaInResp3AndBulkInResp2() {
    #expect(encode(3) { $0.double(1.5) } == ",1.5\r\n")
    #expect(encode(2) { $0.double(1.5) } == "$3\r\n1.5\r\n")
    #expect(encode(3) { $0.double(3) } == ",3\r\n")
    #expect(encode(3) { $0.double(.infinity) } == ",inf\r\n")
    #expect(encode(3) { $0.double(-.infinity) } == ",-inf\r\n")
    #expect(encode(3) { $0.double(.nan) } == ",nan\r\n")
    #expect(encode(2) { $0.double(-0.0) } == "$2\r\n-0\r\n")
}

@Test func respDouble_format_printsIntegralValuesUpTo2Pow62AsIntegers() {
    #expect(RESPDouble.format(1e17) == "100000000000000000")
    #expect(RESPDouble.format(4_611_686_018_427_387_904) == "4611686018427387904")
    #expect(RESPDouble.format(-12) == "-12")
    #expect(RESPDouble.format(0.1) == "0.1")
    #expect(RESPDouble.format(1e19) == "1e+19", "beyond 2^62 fpconv lays it out, with at most 7 added zeros")
}

@Test func respDouble_format_laysOutNonIntegersLikeFpconv() {
    #expect(RESPDouble.format(3.14) == "3.14")
    #expect(RESPDouble.format(-2.5) == "-2.5")
    #expect(RESPDouble.format(0.0001) == "0.0001")
    #expect(RESPDouble.format(1.5e-7) == "1.5e-7")
    #expect(RESPDouble.format(1e-7) == "1e-7")
    #expect(RESPDouble.format(1.25e-300) == "1.25e-300")
    #expect(RESPDouble.format(1e22) == "1e+22")
    #expect(RESPDouble.format(-1.5e100) == "-1.5e+100")
    #expect(RESPDouble.format(123456.789) == "123456.789")
    #expect(RESPDouble.format(4_611_686_018_427_389_952) == "4611686018427390000")
}

@Test func replyBuffer_boolean_isHashInResp3AndIntegerInResp2() {
    #expect(encode(3) { $0.boolean(true) } == "#t\r\n")
    #expect(encode(3) { $0.boolean(false) } == "#f\r\n")
    #expect(encode(2) { $0.boolean(true) } == ":1\r\n")
    #expect(encode(2) { $0.boolean(false) } == ":0\r\n")
}

@Test func replyBuffer_verbatim_countsFormatAndColonInLength() {
    #expect(encode(3) { $0.verbatim("hi") } == "=6\r\ntxt:hi\r\n")
    #expect(encode(3) { $0.verbatim("# x", format: "mkd") } == "=7\r\nmkd:# x\r\n")
    #expect(encode(2) { $0.verbatim("hi") } == "$2\r\nhi\r\n")
}

@Test func replyBuffer_simpleAndErrorStrings_replaceLineBreaksWithSpaces() {
    #expect(encode(2) { $0.ok() } == "+OK\r\n")
    #expect(encode(2) { $0.simple("PONG") } == "+PONG\r\n")
    #expect(encode(2) { $0.simple("a\r\nb" as String) } == "+a  b\r\n")
    #expect(encode(2) { $0.error("ERR bad\nthing" as String) } == "-ERR bad thing\r\n")
    #expect(encode(2) { $0.error("WRONGTYPE x") } == "-WRONGTYPE x\r\n")
}

@Test func replyBuffer_bulk_encodesBinaryAndEmptyValues() {
    var reply = ReplyBuffer()
    reply.bulk([0, 13, 10, 255])
    reply.bulk([UInt8]())
    #expect(reply.bytes == bytes("$4\r\n") + [0, 13, 10, 255] + bytes("\r\n$0\r\n\r\n"))
}

@Test func replyBuffer_removeAll_keepsCapacity() {
    var reply = ReplyBuffer(capacity: 1024)
    reply.bulk(String(repeating: "x", count: 900))
    let capacity = reply.capacity
    reply.removeAll()
    #expect(reply.isEmpty)
    #expect(reply.capacity == capacity)
}
