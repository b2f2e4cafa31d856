import Testing

@testable import RESP

/// Malformed requests and the exact reason Redis gives (after "ERR Protocol error: ").
let malformedCatalogue: [(String, String)] = [
    ("*abc\r\n", "invalid multibulk length"),
    ("*\r\n", "invalid multibulk length"),
    ("*01\r\n", "invalid multibulk length"),
    ("*+1\r\n", "invalid multibulk length"),
    ("* 1\r\n", "invalid multibulk length"),
    ("*1 \r\n", "invalid multibulk length"),
    ("*-0\r\n", "invalid multibulk length"),
    ("*1.0\r\n", "invalid multibulk length"),
    ("*99999999999999999999\r\n", "invalid multibulk length"),
    ("*123456789012345678901\r\n", "invalid multibulk length"),
    ("*1048577\r\n", "invalid multibulk length"),
    ("*1\r\n$\r\n", "invalid bulk length"),
    ("*1\r\n$-1\r\n", "invalid bulk length"),
    ("*1\r\n$-0\r\n", "invalid bulk length"),
    ("*1\r\n$01\r\n", "invalid bulk length"),
    ("*1\r\n$3x\r\n", "invalid bulk length"),
    ("*1\r\n$536870913\r\n", "invalid bulk length"),
    ("*1\r\nGET\r\n", "expected '$', got 'G'"),
    ("*2\r\n$3\r\nGET\r\n*1\r\n", "expected '$', got '*'"),
    ("*1\r\n:5\r\n", "expected '$', got ':'"),
    ("*1\r\n\r\n", "expected '$', got ' '"),
    ("*1\r\n\n\r\n", "expected '$', got ' '"),
    ("GET \"key\r\n", "unbalanced quotes in request"),
    ("GET 'key\r\n", "unbalanced quotes in request"),
    ("GET \"key\"suffix\r\n", "unbalanced quotes in request"),
]

@Test(arguments: malformedCatalogue.indices)
func parse_malformedRequest_failsWithRedisReason(index: Int) {
    let (text, reason) = malformedCatalogue[index]
    let (outcome, args) = parseOnce(bytes(text))
    #expect(outcome == .failure(ProtocolError(reason)), "\(text.debugDescription)")
    #expect(args.isEmpty, "no arguments survive a failure")
}

@Test(arguments: malformedCatalogue.indices)
func parse_malformedRequestSplitAtEveryByte_failsTheSameWay(index: Int) {
    let (text, reason) = malformedCatalogue[index]
    let input = bytes(text)
    for cut in 1..<input.count {
        #expect(parseStream(input, readEnds: [cut]) == [.failure(reason)], "\(text.debugDescription) cut \(cut)")
    }
}

@Test func protocolError_message_isTheFullRedisErrorLine() {
    #expect(ProtocolError("invalid bulk length").message == "ERR Protocol error: invalid bulk length")
}

@Test func parse_headerWithoutItsTerminatorYet_waitsRatherThanFailing() {
    // Redis judges a header only once its CR and one more byte have arrived.
    for text in ["*1\r\nX", "*1\r\nGET", "*abc", "*1\r\n$abc", "*1\r\n$-1\r", "GET \"unclosed"] {
        let (outcome, _) = parseOnce(bytes(text))
        #expect(outcome == .needMore, "\(text.debugDescription)")
    }
}
