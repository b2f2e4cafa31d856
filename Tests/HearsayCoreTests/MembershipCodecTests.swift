import Testing

@testable import HearsayCore

struct MembershipCodecTests {
    static let sender = Member(id: NodeID(0xABCD), address: "10.0.0.1:17379", incarnation: 300, status: .alive)
    static let suspect = MemberUpdate(
        Member(id: NodeID(5), address: "h:1", incarnation: 2, status: .suspect), accuser: NodeID(6))

    static let messages: [MembershipMessage] = [
        MembershipMessage(sender: sender, body: .ping(sequence: 1, target: NodeID(5)), gossip: [suspect]),
        MembershipMessage(sender: sender, body: .ack(sequence: 1 << 40)),
        MembershipMessage(sender: sender, body: .pingRequest(sequence: 7, target: NodeID(9), targetAddress: "x:2")),
        MembershipMessage(sender: sender, body: .nack(sequence: 7)),
        MembershipMessage(sender: sender, body: .pushPull(isJoin: true, isReply: false, members: [suspect])),
        MembershipMessage(sender: Member(id: NodeID(1), address: "", incarnation: 0, status: .left), body: .leave),
    ]

    @Test(arguments: messages)
    func encodeThenDecode_anyMessage_shouldRoundTrip(message: MembershipMessage) throws {
        #expect(try MembershipCodec.decode(MembershipCodec.encode(message)) == message)
    }

    @Test func decode_everyTruncation_shouldThrowNotTrap() {
        let bytes = MembershipCodec.encode(Self.messages[0])
        for length in 0..<bytes.count {
            #expect(throws: DecodeError.self) { try MembershipCodec.decode(Array(bytes[0..<length])) }
        }
    }

    @Test func decode_unknownTypeOrStatusOrTrailingBytes_shouldThrow() {
        var bytes = MembershipCodec.encode(Self.messages[1])
        bytes[1] = 200
        #expect(throws: DecodeError.malformed("message type 200")) { try MembershipCodec.decode(bytes) }
        bytes = MembershipCodec.encode(Self.messages[1])
        bytes[2 + 8 + 2] = 9  // status byte after id (8) and a 2-byte incarnation varint
        #expect(throws: DecodeError.self) { try MembershipCodec.decode(bytes) }
        #expect(throws: DecodeError.self) { try MembershipCodec.decode(MembershipCodec.encode(Self.messages[1]) + [0]) }
        #expect(throws: DecodeError.unsupportedVersion(2)) { try MembershipCodec.decode([2, 1]) }
    }

    @Test func decode_randomGarbage_shouldNeverTrap() {
        var rng = SeededGenerator(seed: 99)
        var rejected = 0
        for _ in 0..<2_000 {
            var bytes = (0..<Int.random(in: 0..<80, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if !bytes.isEmpty && Bool.random(using: &rng) { bytes[0] = MembershipCodec.version }
            if (try? MembershipCodec.decode(bytes)) == nil { rejected += 1 }
        }
        #expect(rejected > 1_900)
    }
}

struct MembershipSupportTests {
    @Test func suspicionTimeout_withConfirmations_shouldFallFromMaximumToMinimum() {
        var s = Suspicion(
            incarnation: 0, accuser: NodeID(1), startedAt: .zero, minimumNanoseconds: 1_000,
            maximumNanoseconds: 4_000, expectedConfirmations: 3)
        #expect(s.timeoutNanoseconds == 4_000)
        let first = s.confirm(by: NodeID(2))
        let again = s.confirm(by: NodeID(2))
        #expect(first && !again)
        #expect(s.timeoutNanoseconds == 2_500)
        let third = s.confirm(by: NodeID(3))
        let fourth = s.confirm(by: NodeID(4))
        #expect(third && fourth)
        #expect(s.timeoutNanoseconds == 1_000)
        let beyondExpected = s.confirm(by: NodeID(5))
        #expect(!beyondExpected)
    }

    @Test func settings_formulas_shouldMatchDocumentation() {
        let s = MembershipSettings.lan
        #expect(s.retransmitLimit(reachableMembers: 9) == 4)
        #expect(s.retransmitLimit(reachableMembers: 10) == 8)
        #expect(s.retransmitLimit(reachableMembers: 1000) == 16)
        #expect(s.pushPullIntervalMilliseconds(reachableMembers: 32) == 30_000)
        #expect(s.pushPullIntervalMilliseconds(reachableMembers: 1000) == 180_000)
        // 2 * log2(8) * 1 s = 6 s.
        let nanos = s.suspicionMinimumNanoseconds(reachableMembers: 7)
        #expect(abs(nanos - 6_000_000_000) < 1_000)
    }

    @Test func disseminationQueue_take_shouldPreferFewestTransmitsAndDropAtLimit() {
        var q = DisseminationQueue()
        for i in 1...3 {
            q.enqueue(MemberUpdate(Member(id: NodeID(UInt64(i)), address: "", incarnation: 0, status: .alive)))
        }
        var out: [MemberUpdate] = []
        q.take(upTo: 2, retransmitLimit: 2, into: &out)
        #expect(out.map(\.member.id.rawValue) == [3, 2])
        out.removeAll()
        q.take(upTo: 2, retransmitLimit: 2, into: &out)
        #expect(out.first?.member.id == NodeID(1))
        out.removeAll()
        for _ in 0..<4 { q.take(upTo: 3, retransmitLimit: 2, into: &out) }
        #expect(out.count == 2)  // each of the 3 updates is sent exactly twice in all
        #expect(q.isEmpty)
    }
}
