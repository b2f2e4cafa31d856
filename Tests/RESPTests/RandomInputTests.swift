import Testing

@testable import RESP

/// Bytes that steer random input into the parser's interesting corners.
let protocolAlphabet: [UInt8] = Array("*$\r\n\r\n0123-\"' \\xa1".utf8) + [0, 0xFF]

@Test func parse_randomBytes_neverCrash_andResultDoesNotDependOnReadSplits() {
    var rng = SplitMix64(seed: 0x5EED_0001)
    let limits = RESPLimits(maxBulkLength: 64, maxArgumentCount: 8, maxInlineLength: 32)
    for round in 0..<3000 {
        let length = Int.random(in: 0...48, using: &rng)
        let input = (0..<length).map { _ in
            Bool.random(using: &rng)
                ? protocolAlphabet.randomElement(using: &rng)!
                : UInt8.random(in: 0...255, using: &rng)
        }
        let whole = parseStream(input, limits: limits)
        var cuts = (0..<Int.random(in: 1...6, using: &rng)).map { _ in Int.random(in: 0...max(0, length), using: &rng) }
        cuts.sort()
        let split = parseStream(input, readEnds: cuts, limits: limits)
        #expect(whole == split, "round \(round) input \(input) cuts \(cuts)")
    }
}

@Test func parse_randomValidRequests_roundTripThroughAnySplit() {
    var rng = SplitMix64(seed: 0x5EED_0002)
    for round in 0..<300 {
        var batch: [UInt8] = []
        var expected: [Parsed] = []
        for _ in 0..<Int.random(in: 1...5, using: &rng) {
            let args = (0..<Int.random(in: 1...6, using: &rng)).map { _ in
                (0..<Int.random(in: 0...40, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            }
            batch += multibulk(args)
            expected.append(.request(args))
        }
        let cuts = (0..<Int.random(in: 0...8, using: &rng)).map { _ in Int.random(in: 1...batch.count, using: &rng) }
        #expect(parseStream(batch, readEnds: cuts.sorted()) == expected, "round \(round)")
    }
}
