import Testing

@testable import HearsayCore

/// The replication messages' codec (format 2: basis digests on writes and reads, match
/// status on acks and read replies): round trips, truncations and unknown flags.
struct ReplicationMessagesTests {
    typealias M = ReplicationMessages
    static let sender = NodeID(0xC0FFEE)

    static func roundTrip<T: Equatable>(
        _ items: [T], minimumItemSize: Int, _ encode: (T, inout ByteWriter) -> Void,
        _ decode: (inout ByteReader) throws(DecodeError) -> T
    ) -> (bytes: [UInt8], decoded: [T]?) {
        let bytes = M.encodeBatch(sender: sender, items, encode)
        let decoded = try? M.decodeBatch(bytes, minimumItemSize: minimumItemSize, decode)
        #expect(decoded?.sender == sender)
        return (bytes, decoded?.items)
    }

    /// Every proper prefix of a valid batch is refused.
    static func expectTruncationsRefused<T>(
        _ bytes: [UInt8], minimumItemSize: Int, _ decode: (inout ByteReader) throws(DecodeError) -> T
    ) {
        for length in 0..<bytes.count {
            let prefix = Array(bytes.prefix(length))
            #expect(
                (try? M.decodeBatch(prefix, minimumItemSize: minimumItemSize, decode)) == nil,
                "a \(length)-byte prefix of \(bytes.count) decoded")
        }
    }

    @Test func writes_roundTripWithAndWithoutABasisAndMarker() {
        let writes = [
            M.Write(requestID: 1, key: Array("a".utf8), object: [1, 2, 3], hintFor: nil),
            M.Write(requestID: 300, key: Array("b".utf8), object: [], hintFor: NodeID(7), basis: nil),
            M.Write(requestID: 2, key: Array("c".utf8), object: [9], hintFor: nil, basis: 0),
            M.Write(requestID: 3, key: [], object: [4, 5], hintFor: nil, basis: .max),
            M.Write(requestID: 0, key: Array("e".utf8), object: [6], hintFor: nil, marker: true),
            M.Write(requestID: 4, key: Array("f".utf8), object: [6], hintFor: nil, basis: 9, marker: true),
        ]
        let (bytes, decoded) = Self.roundTrip(writes, minimumItemSize: 12, M.encode, M.decodeWrite)
        #expect(decoded == writes)
        Self.expectTruncationsRefused(bytes, minimumItemSize: 12, M.decodeWrite)
    }

    @Test func acks_roundTripEveryStatus() {
        let acks = [
            M.Ack(requestID: 1), M.Ack(requestID: 2, status: .matched),
            M.Ack(requestID: 1 << 40, status: .differed([1, 2, 3])), M.Ack(requestID: 4, status: .differed([])),
        ]
        let (bytes, decoded) = Self.roundTrip(acks, minimumItemSize: 2, M.encode, M.decodeAck)
        #expect(decoded == acks)
        Self.expectTruncationsRefused(bytes, minimumItemSize: 2, M.decodeAck)
    }

    @Test func readsAndReplies_roundTrip() {
        let reads = [M.Read(requestID: 1, key: Array("k".utf8), basis: 42), M.Read(requestID: 2, key: [], basis: 0)]
        let (readBytes, decodedReads) = Self.roundTrip(reads, minimumItemSize: 10, M.encode, M.decodeRead)
        #expect(decodedReads == reads)
        Self.expectTruncationsRefused(readBytes, minimumItemSize: 10, M.decodeRead)
        let replies = [
            M.ReadReply(requestID: 1, object: [7, 7], same: false), M.ReadReply(requestID: 2, object: [], same: true),
            M.ReadReply(requestID: 3, object: []), M.ReadReply(requestID: 4, object: [1], marker: true),
        ]
        let (replyBytes, decodedReplies) = Self.roundTrip(replies, minimumItemSize: 2, M.encode, M.decodeReadReply)
        #expect(decodedReplies == replies)
        Self.expectTruncationsRefused(replyBytes, minimumItemSize: 2, M.decodeReadReply)
    }

    @Test func unknownFlags_areRefused() {
        // Each message with a flag byte no format-3 sender writes (4 for writes, 3 otherwise).
        var write = ByteWriter(capacity: 16)
        write.varint(1)
        write.lengthPrefixed([UInt8]("k".utf8))
        write.lengthPrefixed([UInt8]([1]))
        write.u64(0)
        write.u8(4)
        var ack = ByteWriter(capacity: 4)
        ack.varint(1)
        ack.u8(3)
        var reply = ByteWriter(capacity: 4)
        reply.varint(1)
        reply.u8(3)
        for (item, decode) in [
            (write.bytes, { (r: inout ByteReader) throws(DecodeError) in _ = try M.decodeWrite(&r) }),
            (ack.bytes, { (r: inout ByteReader) throws(DecodeError) in _ = try M.decodeAck(&r) }),
            (reply.bytes, { (r: inout ByteReader) throws(DecodeError) in _ = try M.decodeReadReply(&r) }),
        ] {
            var batch = ByteWriter(capacity: 32)
            batch.u8(M.version)
            batch.u64(Self.sender.rawValue)
            batch.varint(1)
            batch.append(item)
            #expect((try? M.decodeBatch(batch.bytes, minimumItemSize: 2, decode)) == nil)
        }
    }

    @Test func olderFormatBatches_areRefused() {
        let bytes = M.encodeBatch(sender: Self.sender, [M.Ack(requestID: 1)], M.encode)
        for version: UInt8 in [1, 2] {
            var old = bytes
            old[0] = version
            #expect((try? M.decodeBatch(old, minimumItemSize: 2, M.decodeAck)) == nil)
        }
    }

    /// The outbox encodes reads in place exactly as the message codec does.
    @Test func outboxReads_decodeAsTheMessagesQueued() {
        var outbox = PeerOutbox()
        let peer = NodeID(9)
        let reads = (1...50).map { M.Read(requestID: UInt64($0), key: Array("key\($0)".utf8), basis: UInt64($0) * 77) }
        for read in reads {
            read.key.withUnsafeBytes { outbox.addRead(to: peer, requestID: read.requestID, key: $0, basis: read.basis) }
        }
        var effects: [NodeEffect] = []
        outbox.flush(sender: Self.sender, address: { _ in "127.0.0.1:1" }, into: &effects)
        #expect(outbox.isEmpty)
        guard effects.count == 1, case .send(let type, let payload, _, _) = effects[0] else {
            Issue.record("expected one frame, got \(effects)")
            return
        }
        #expect(type == .replicaRead)
        #expect((try? M.decodeBatch(payload, minimumItemSize: 10, M.decodeRead))?.items == reads)
    }
}

/// A replica answers a batch of reads straight from the frame's bytes: `same` where its
/// copy has the coordinator's digest, its copy otherwise; a truncated batch answers the
/// reads before the cut and is refused.
@Suite struct ReplicaReadAnswerTests {
    typealias M = ReplicationMessages
    static let coordinator = NodeID(0xC0)

    static func replies(_ harness: inout CommandHarness) -> [M.ReadReply] {
        var effects: [NodeEffect] = []
        harness.node.output.peers.flush(sender: NodeID(0xA1), address: { _ in "10.0.0.2:1" }, into: &effects)
        var all: [M.ReadReply] = []
        for case .send(.replicaReadReply, let payload, _, _) in effects {
            all += (try? M.decodeBatch(payload, minimumItemSize: 2, M.decodeReadReply))?.items ?? []
        }
        return all
    }

    @Test func reads_answerSameOrTheCopy() throws {
        var h = CommandHarness.clustered()
        h.run("SET", "here", "v1")
        let digest = Array("here".utf8).withUnsafeBytes { h.node.store.basisDigest(KeyRef($0)) }
        #expect(digest != 0)
        let reads = [
            M.Read(requestID: 1, key: Array("here".utf8), basis: digest),
            M.Read(requestID: 2, key: Array("here".utf8), basis: digest &+ 1),
            M.Read(requestID: 3, key: Array("absent".utf8), basis: 0),
            M.Read(requestID: 4, key: Array("absent".utf8), basis: digest),
        ]
        let payload = M.encodeBatch(sender: Self.coordinator, reads, M.encode)
        try h.node.answerReplicaReads(payload, now: h.now)
        let replies = Self.replies(&h)
        #expect(replies.map(\.requestID) == [1, 2, 3, 4])
        #expect(replies.map(\.same) == [true, false, true, false])
        let copy = try StoredObject(decoding: replies[1].object)
        #expect(copy.register.map(\.value) == [Array("v1".utf8)])
        #expect(replies[3].object.isEmpty, "no copy here: an empty object")
        #expect(h.node.replica.stats.readsAnsweredSame == 2)
    }

    @Test func aTruncatedBatch_answersTheReadsBeforeTheCut_andIsRefused() {
        var h = CommandHarness.clustered()
        let reads = (1...3).map { M.Read(requestID: UInt64($0), key: Array("k\($0)".utf8), basis: 0) }
        let payload = M.encodeBatch(sender: Self.coordinator, reads, M.encode)
        #expect(throws: DecodeError.self) { try h.node.answerReplicaReads(Array(payload.dropLast(3)), now: h.now) }
        #expect(Self.replies(&h).map(\.requestID) == [1, 2])
    }
}

extension Node {
    /// The replica answering a batch of reads, as a frame from a coordinator makes it.
    mutating func answerReplicaReads(_ payload: [UInt8], now: Now) throws(DecodeError) {
        try replica.answerReads(payload, now: now, store: &store, hints: hints, output: &output)
    }
}

/// A node that has not learned its cluster (it has seeds and no join has completed) refuses
/// writes rather than acknowledge them on a placement that is not the cluster's.
@Test func aNodeThatHasNotJoined_refusesWritesButAnswersReads() {
    var h = CommandHarness()
    var settings = ClusterSettings(nodeID: NodeID(7), address: "10.0.0.7:1")
    settings.seeds = ["10.0.0.1:1", "10.0.0.2:1"]
    h.node.joinCluster(settings)
    #expect(h.run("SET", "k", "v") == "-NOQUORUM this node has not learned its cluster yet\r\n")
    #expect(h.run("INCR", "n") == "-NOQUORUM this node has not learned its cluster yet\r\n")
    #expect(h.run("GET", "k").hasPrefix("-NOQUORUM 1 of 2"))
}
