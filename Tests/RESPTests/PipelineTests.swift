import Testing

@testable import RESP

@Test func parse_pipelinedBatch_parsesEveryRequestAndConsumedAddsUpToBatchLength() {
    var batch: [UInt8] = []
    var expected: [Parsed] = []
    for i in 0..<200 {
        batch += multibulk("SET", "key:\(i)", String(repeating: "x", count: i))
        expected.append(request("SET", "key:\(i)", String(repeating: "x", count: i)))
    }
    var consumed = 0
    let result = parseStream(batch, consumedTotal: &consumed)
    #expect(result == expected)
    #expect(consumed == batch.count)
}

@Test func parse_pipelinedBatchOfMixedInlineAndMultibulk_keepsOrder() {
    let batch = multibulk("PING") + bytes("ECHO hi\r\n") + bytes("*0\r\n") + bytes("\n") + multibulk("GET", "a")
    let expected: [Parsed] = [request("PING"), request("ECHO", "hi"), .request([]), .request([]), request("GET", "a")]
    #expect(parseStream(batch) == expected)
}

@Test func parse_pipelinedBatchSplitAtEveryByte_givesSameRequests() {
    let batch = multibulk("INCR", "c") + bytes("GET c\r\n") + multibulk("DEL", "c", "d")
    let expected = parseStream(batch)
    #expect(expected.count == 3)
    for cut in 1..<batch.count {
        #expect(parseStream(batch, readEnds: [cut]) == expected, "cut at \(cut)")
    }
}

@Test func parse_pipelineWithTrailingPartialRequest_parsesCompleteOnesThenNeedsMore() {
    let batch = multibulk("GET", "a") + multibulk("GET", "b") + bytes("*2\r\n$3\r\nGE")
    #expect(parseStream(batch) == [request("GET", "a"), request("GET", "b"), .needMore])
}

@Test func parse_pipelineWithErrorInMiddle_stopsAtTheError() {
    let batch = multibulk("GET", "a") + bytes("*1\r\n$abc\r\n") + multibulk("GET", "b")
    #expect(parseStream(batch) == [request("GET", "a"), .failure("invalid bulk length")])
}

@Test func parse_consumedOfEachRequest_isExactlyItsOwnLength() {
    let first = multibulk("SET", "k", "v")
    let second = bytes("GET k\r\n")
    var parser = RequestParser()
    var arguments = Arguments()
    let batch = first + second
    batch.withUnsafeBytes { buffer in
        #expect(parser.parse(buffer, into: &arguments) == .request(consumed: first.count))
        let rest = UnsafeRawBufferPointer(rebasing: buffer[first.count...])
        #expect(parser.parse(rest, into: &arguments) == .request(consumed: second.count))
    }
}
