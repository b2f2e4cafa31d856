import HearsayAuth
import Testing

@testable import HearsayCore

private let key = Array("correct horse battery staple".utf8)

private func sealed(
    _ payload: [UInt8], _ authenticator: FrameAuthenticator,
    type: MessageType = .ping
) -> [UInt8] {
    var out: [UInt8] = []
    FrameEncoder.append(type: type, payload: payload, authenticator: authenticator, to: &out)
    return out
}

@Test func frameAuthenticator_keyedFrame_roundTripsThroughTheDecoder() throws {
    let auth = FrameAuthenticator(clusterName: "hearsay", key: key)
    let bytes = sealed([1, 2, 3], auth)
    #expect(bytes.count == FrameHeader.size + 3 + FrameAuthenticator.keyedTagLength)
    #expect(bytes[5] == UInt8(FrameAuthenticator.keyedTagLength))
    var decoder = FrameDecoder(authenticator: auth)
    decoder.append(bytes + sealed([9], auth, type: .ack))
    #expect(try decoder.next() == Frame(type: .ping, payload: [1, 2, 3]))
    #expect(try decoder.next() == Frame(type: .ack, payload: [9]))
    #expect(try decoder.next() == nil)
}

@Test func frameAuthenticator_tagIsTruncatedHMACSHA256OverNameHeaderAndPayload() {
    // Pins the construction so a later change cannot silently split clusters of mixed versions.
    let auth = FrameAuthenticator(clusterName: "c", key: [0x0B])
    let bytes = sealed([0xAA], auth)
    let frame = bytes[..<(FrameHeader.size + 1)]
    let expected = FrameAuthenticator.hmac(key: [0x0B], namePrefix: [1, UInt8(ascii: "c")], frame: frame)
    #expect(Array(bytes[(FrameHeader.size + 1)...]) == Array(expected.prefix(16)))
    #expect(expected.count == 32)
}

@Test func frameAuthenticator_wrongKey_isRefused() {
    let bytes = sealed([1, 2, 3], FrameAuthenticator(clusterName: "hearsay", key: key))
    var decoder = FrameDecoder(authenticator: FrameAuthenticator(clusterName: "hearsay", key: Array("other".utf8)))
    decoder.append(bytes)
    #expect(throws: FrameError.authenticationFailed) { try decoder.next() }
}

@Test func frameAuthenticator_wrongClusterName_isRefused() {
    let bytes = sealed([1, 2, 3], FrameAuthenticator(clusterName: "blue", key: key))
    var decoder = FrameDecoder(authenticator: FrameAuthenticator(clusterName: "green", key: key))
    decoder.append(bytes)
    #expect(throws: FrameError.authenticationFailed) { try decoder.next() }
}

@Test func frameAuthenticator_emptyKeyStillSeparatesClustersByName() {
    let blue = FrameAuthenticator(clusterName: "blue", key: [])
    #expect(throws: FrameError.authenticationFailed) {
        try FrameAuthenticator(clusterName: "green", key: []).decodeSingle(sealed([7], blue))
    }
    #expect((try? blue.decodeSingle(sealed([7], blue))) == Frame(type: .ping, payload: [7]))
}

@Test func frameAuthenticator_keylessNameCheck_isAnEightByteHashThatCatchesEveryChangedByte() {
    let auth = FrameAuthenticator(clusterName: "blue", key: [])
    #expect(auth == FrameAuthenticator.nameCheck(clusterName: "blue"))
    let payload = (0..<200).map { UInt8(truncatingIfNeeded: $0 &* 7) }
    let bytes = sealed(payload, auth, type: .replicaWrite)
    #expect(bytes.count == FrameHeader.size + payload.count + FrameAuthenticator.nameCheckTagLength)
    #expect(bytes[5] == UInt8(FrameAuthenticator.nameCheckTagLength))
    #expect((try? auth.decodeSingle(bytes)) == Frame(type: .replicaWrite, payload: payload))
    // Any one byte of payload or tag changed (the header's own checks aside) is refused.
    for index in FrameHeader.size..<bytes.count {
        var changed = bytes
        changed[index] ^= 0x40
        #expect((try? auth.decodeSingle(changed)) == nil, "byte \(index) changed and still accepted")
    }
}

@Test func frameAuthenticator_anyTamperedByte_isRefused() {
    let auth = FrameAuthenticator(clusterName: "hearsay", key: key)
    let bytes = sealed([10, 20, 30, 40], auth, type: .pushPull)
    // Flip one bit at every offset from the type byte on: type, flags, payload and tag.
    // (Magic, version, tag length and payload length fail their own checks first.)
    var refused = 0
    for offset in [3, 4] + Array(FrameHeader.size..<bytes.count) {
        var tampered = bytes
        tampered[offset] ^= 0x01
        do {
            _ = try auth.decodeSingle(tampered)
        } catch {
            refused += 1
        }
    }
    #expect(refused == 2 + bytes.count - FrameHeader.size)
}

@Test func frameAuthenticator_tamperedPayload_failsAuthentication() {
    let auth = FrameAuthenticator(clusterName: "hearsay", key: key)
    var bytes = sealed([10, 20, 30], auth)
    bytes[FrameHeader.size + 1] = 21
    #expect(throws: FrameError.authenticationFailed) { try auth.decodeSingle(bytes) }
}

@Test func frameAuthenticator_unauthenticatedPeer_isRefusedByTagLength() {
    let bytes = sealed([1], .unauthenticated)
    let auth = FrameAuthenticator(clusterName: "hearsay", key: key)
    #expect(throws: FrameError.wrongTagLength(expected: 16, received: 0)) { try auth.decodeSingle(bytes) }
}

@Test func frameAuthenticator_decodeSingle_refusesTrailingAndMissingBytes() {
    let auth = FrameAuthenticator(clusterName: "hearsay", key: key)
    let bytes = sealed([1, 2], auth)
    #expect(throws: FrameError.self) { try auth.decodeSingle(bytes + [0]) }
    #expect(throws: FrameError.self) { try auth.decodeSingle(Array(bytes.dropLast())) }
    #expect((try? auth.decodeSingle(bytes))?.payload == [1, 2])
}

@Test func frameAuthenticator_precomputedHMAC_matchesOpenSSLsOneShotHMACOnRandomKeysAndFrames() {
    // Keys shorter than, equal to and longer than SHA-256's 64-byte block, empty included.
    var generator = SeededGenerator(seed: 41)
    for round in 0..<300 {
        let keyLength = [0, 1, 32, 63, 64, 65, 200][round % 7]
        let key = (0..<keyLength).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        let name = (0..<Int(generator.next() % 20)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        let frame = (0..<Int(generator.next() % 300)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        let prefix = [UInt8(name.count)] + name
        let reference = FrameAuthenticator.referenceHMAC(key: key, message: prefix + frame)
        let ours = FrameAuthenticator.hmac(key: key, namePrefix: prefix, frame: frame[...])
        #expect(ours == reference && ours.count == 32, "seed 41 round \(round)")
    }
}

/// RFC 4231's HMAC-SHA256 test cases 1, 2, 4, 6 and 7 (short, long and over-block keys).
@Test func frameAuthenticator_hmac_matchesRFC4231() {
    func hex(_ s: String) -> [UInt8] {
        var out: [UInt8] = []
        var chars = Array(s.utf8).makeIterator()
        while let a = chars.next(), let b = chars.next() {
            out.append(UInt8(String(decoding: [a, b], as: UTF8.self), radix: 16)!)
        }
        return out
    }
    let cases: [(key: [UInt8], data: [UInt8], mac: String)] = [
        (
            [UInt8](repeating: 0x0B, count: 20), Array("Hi There".utf8),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        ),
        (
            Array("Jefe".utf8), Array("what do ya want for nothing?".utf8),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        ),
        (
            hex("0102030405060708090a0b0c0d0e0f10111213141516171819"), [UInt8](repeating: 0xCD, count: 50),
            "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"
        ),
        (
            [UInt8](repeating: 0xAA, count: 131), Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        ),
        (
            [UInt8](repeating: 0xAA, count: 131),
            Array(
                ("This is a test using a larger than block-size key and a larger than block-size data."
                    + " The key needs to be hashed before being used by the HMAC algorithm.").utf8),
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"
        ),
    ]
    for (i, c) in cases.enumerated() {
        // The name prefix is the message's first bytes: split it anywhere, the MAC is the same.
        let split = min(3, c.data.count)
        let ours = FrameAuthenticator.hmac(key: c.key, namePrefix: Array(c.data[..<split]), frame: c.data[split...])
        #expect(ours == hex(c.mac), "RFC 4231 case \(i)")
    }
}
