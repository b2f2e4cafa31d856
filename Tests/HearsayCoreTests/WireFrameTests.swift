import Testing

@testable import HearsayCore

private func frameBytes(_ type: MessageType, flags: FrameFlags = [], payload: [UInt8]) -> [UInt8] {
    var out: [UInt8] = []
    FrameEncoder.append(type: type, flags: flags, payload: payload, to: &out)
    return out
}

private func decodeAll(_ decoder: inout FrameDecoder) throws(FrameError) -> [Frame] {
    var frames: [Frame] = []
    while let frame = try decoder.next() { frames.append(frame) }
    return frames
}

private func header(
    magic: (UInt8, UInt8) = FrameHeader.magic, version: UInt8 = 1, type: UInt8 = 1,
    flags: UInt8 = 0, tagLength: UInt8 = 0, length: UInt32 = 0
) -> [UInt8] {
    [magic.0, magic.1, version, type, flags, tagLength] + withUnsafeBytes(of: length.littleEndian) { Array($0) }
}

@Test func frameEncoder_writesTheDocumentedLayout() {
    let bytes = frameBytes(.replicaWrite, flags: .expectsReply, payload: [0xAA, 0xBB, 0xCC])
    #expect(bytes == [0x48, 0x53, 1, 6, 1, 0, 3, 0, 0, 0, 0xAA, 0xBB, 0xCC])
}

@Test func frameDecoder_roundTripsEveryTypeAndFlagCombination() throws {
    for raw in UInt8(1)...MessageType.highestKnown {
        for flags in [FrameFlags(), .expectsReply, .continued, .known] {
            let payload = (0..<Int(raw) * 7).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            var decoder = FrameDecoder()
            decoder.append(frameBytes(MessageType(rawValue: raw), flags: flags, payload: payload))
            let frames = try decodeAll(&decoder)
            #expect(frames == [Frame(type: MessageType(rawValue: raw), flags: flags, payload: payload)])
            #expect(decoder.bufferedBytes == 0)
            try decoder.finish()
        }
    }
}

@Test func frameDecoder_emptyPayload_roundTrips() throws {
    var decoder = FrameDecoder()
    decoder.append(frameBytes(.ping, payload: []))
    #expect(try decoder.next() == Frame(type: .ping, payload: []))
    #expect(try decoder.next() == nil)
}

@Test func frameDecoder_splitAtEveryByte_yieldsTheSameFrames() throws {
    let stream = frameBytes(.ack, payload: Array(1...20)) + frameBytes(.hello, payload: [9, 8, 7])
    let expected = [Frame(type: .ack, payload: Array(1...20)), Frame(type: .hello, payload: [9, 8, 7])]
    for split in 0...stream.count {
        var decoder = FrameDecoder()
        decoder.append(Array(stream[..<split]))
        var frames = try decodeAll(&decoder)
        decoder.append(Array(stream[split...]))
        frames += try decodeAll(&decoder)
        #expect(frames == expected, "split at \(split)")
        try decoder.finish()
    }
}

@Test func frameDecoder_oneByteAtATime_yieldsEveryFrame() throws {
    var stream: [UInt8] = []
    var expected: [Frame] = []
    for i in 0..<10 {
        let payload = [UInt8](repeating: UInt8(i), count: i * 3)
        stream += frameBytes(.objectBatch, payload: payload)
        expected.append(Frame(type: .objectBatch, payload: payload))
    }
    var decoder = FrameDecoder()
    var frames: [Frame] = []
    for byte in stream {
        decoder.append([byte])
        frames += try decodeAll(&decoder)
    }
    #expect(frames == expected)
}

@Test func frameDecoder_pipelinedFramesInOneRead_allDecode() throws {
    var stream: [UInt8] = []
    for i in 0..<100 { stream += frameBytes(.replicaRead, payload: [UInt8(i)]) }
    var decoder = FrameDecoder()
    decoder.append(stream)
    let frames = try decodeAll(&decoder)
    #expect(frames.count == 100)
    #expect(frames.map { $0.payload[0] } == (0..<100).map { UInt8($0) })
}

@Test func frameDecoder_refusesEveryKindOfMalformedHeader() {
    let cases: [([UInt8], FrameError)] = [
        (header(magic: (0x2A, 0x31)), .badMagic(0x2A, 0x31)),  // a RESP client: "*1"
        (header(magic: (0x48, 0x00)), .badMagic(0x48, 0x00)),
        (header(version: 0), .unsupportedVersion(0)),
        (header(version: 2), .unsupportedVersion(2)),
        (header(type: 0), .unknownMessageType(0)),
        (header(type: MessageType.highestKnown + 1), .unknownMessageType(MessageType.highestKnown + 1)),
        (header(type: 255), .unknownMessageType(255)),
        (header(flags: 0x80), .reservedFlags(0x80)),
        (header(tagLength: 32), .wrongTagLength(expected: 0, received: 32)),
        (header(length: UInt32(16 << 20) + 1), .frameTooLarge(payloadLength: (16 << 20) + 1, maximum: 16 << 20)),
        (header(length: UInt32.max), .frameTooLarge(payloadLength: Int(UInt32.max), maximum: 16 << 20)),
    ]
    for (bytes, expected) in cases {
        var decoder = FrameDecoder()
        decoder.append(bytes)
        #expect(throws: expected) { try decoder.next() }
        // A failed decoder stays failed: the connection must be dropped.
        decoder.append(frameBytes(.ping, payload: []))
        #expect(throws: expected) { try decoder.next() }
    }
}

@Test func frameDecoder_refusesBadHeaderBeforeItIsComplete() {
    var decoder = FrameDecoder()
    decoder.append([0x48, 0x53, 9])
    #expect(throws: FrameError.unsupportedVersion(9)) { try decoder.next() }
}

@Test func frameDecoder_configurableMaximum_refusesLargerPayload() throws {
    var decoder = FrameDecoder(maximumPayloadBytes: 4)
    decoder.append(frameBytes(.ping, payload: [1, 2, 3, 4]))
    #expect(try decoder.next()?.payload == [1, 2, 3, 4])
    decoder.append(frameBytes(.ping, payload: [1, 2, 3, 4, 5]))
    #expect(throws: FrameError.frameTooLarge(payloadLength: 5, maximum: 4)) { try decoder.next() }
}

@Test func frameDecoder_streamEndingInsideAFrame_isTruncated() throws {
    let bytes = frameBytes(.nack, payload: [1, 2, 3])
    for cut in 1..<bytes.count {
        var decoder = FrameDecoder()
        decoder.append(Array(bytes[..<cut]))
        #expect(try decoder.next() == nil)
        #expect(throws: FrameError.truncated(bufferedBytes: cut)) { try decoder.finish() }
    }
}

@Test func frameDecoder_tagOfTheWrongLength_isRefused() {
    // A peer that authenticates with a 16-byte tag talking to an unauthenticated node.
    var bytes = header(type: MessageType.ping.rawValue, tagLength: 16, length: 2) + [1, 2]
    bytes += [UInt8](repeating: 0xEE, count: 16)
    var decoder = FrameDecoder()
    decoder.append(bytes)
    #expect(throws: FrameError.wrongTagLength(expected: 0, received: 16)) { try decoder.next() }
}

@Test func frameDecoder_randomBytes_neverCrashAndAlwaysEndInAnErrorOrNeedMore() {
    var generator = SeededGenerator(seed: 2024)
    for _ in 0..<2000 {
        let count = Int(generator.next() % 64)
        var bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        // Half the inputs start with a valid magic and version so the later checks are reached.
        if generator.next() % 2 == 0 && count >= 3 {
            bytes[0] = 0x48
            bytes[1] = 0x53
            bytes[2] = 1
        }
        var decoder = FrameDecoder(maximumPayloadBytes: 32)
        decoder.append(bytes)
        var outcome = "need more"
        do {
            while try decoder.next() != nil {}
        } catch {
            outcome = "refused"
        }
        #expect(outcome == "refused" || decoder.bufferedBytes < FrameHeader.size + 32 + 1)
    }
}

@Test func messageType_registryNumbersArePinned() {
    // ONLY APPEND: these numbers are the protocol. Changing one breaks mixed-version clusters.
    #expect(MessageType.ping.rawValue == 1)
    #expect(MessageType.pushPull.rawValue == 5)
    #expect(MessageType.replicaWrite.rawValue == 6)
    #expect(MessageType.merkleRequest.rawValue == 12)
    #expect(MessageType.hello.rawValue == 16)
    #expect(MessageType.leave.rawValue == 17)
    #expect(MessageType.forwardReply.rawValue == 19)
    #expect(MessageType.highestKnown == 19)
    #expect(!MessageType(rawValue: 0).isKnown)
    #expect(MessageType.hello.description == "hello")
}
