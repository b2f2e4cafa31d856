import Testing

@testable import HearsayCore

/// The outbox splits a peer's messages into frames of about `frameBytesTarget`, keeping
/// their order, so a busy loop iteration never builds a frame past the peers' limit.
struct PeerOutboxTests {
    typealias M = ReplicationMessages
    static let sender = NodeID(1)
    static let peer = NodeID(2)

    static func decode<T>(
        _ effects: [NodeEffect], _ type: MessageType, _ item: (inout ByteReader) throws(DecodeError) -> T
    ) -> [T] {
        var all: [T] = []
        for case .send(let sent, let payload, _, _) in effects where sent == type {
            #expect(payload.count <= PeerOutbox.frameBytesTarget + 64 * 1024)
            guard let (from, items) = try? M.decodeBatch(payload, minimumItemSize: 1, item) else {
                Issue.record("a frame did not decode")
                continue
            }
            #expect(from == sender)
            all += items
        }
        return all
    }

    @Test func manyLargeWrites_leaveInSeveralBoundedFramesInOrder() {
        var outbox = PeerOutbox()
        let value = [UInt8](repeating: 7, count: 40_000)
        for i in 0..<100 {
            outbox.addWrite(
                to: Self.peer, M.Write(requestID: UInt64(i + 1), key: Array("k\(i)".utf8), object: value, hintFor: nil))
        }
        var effects: [NodeEffect] = []
        outbox.flush(sender: Self.sender, address: { _ in "127.0.0.1:1" }, into: &effects)
        #expect(effects.count >= 4, "4 MB of writes in frames of about 1 MiB")
        let writes = Self.decode(effects, .replicaWrite, M.decodeWrite)
        #expect(writes.map(\.requestID) == (1...100).map(UInt64.init))
        #expect(outbox.isEmpty)
    }

    @Test func manyReadReplies_leaveInSeveralBoundedFramesInOrder() {
        var outbox = PeerOutbox()
        let object = [UInt8](repeating: 9, count: 30_000)
        for i in 0..<100 {
            object.withUnsafeBytes {
                outbox.addReadReply(to: Self.peer, requestID: UInt64(i + 1), same: false, object: $0)
            }
        }
        var effects: [NodeEffect] = []
        outbox.flush(sender: Self.sender, address: { _ in "127.0.0.1:1" }, into: &effects)
        #expect(effects.count >= 3)
        #expect(
            Self.decode(effects, .replicaReadReply, M.decodeReadReply).map(\.requestID) == (1...100).map(UInt64.init))
    }

    @Test func aMessageOverTheFrameLimit_isDroppedAlone_andCounted() {
        var outbox = PeerOutbox()
        let huge = [UInt8](repeating: 1, count: PeerOutbox.maximumMessageBytes + 1)
        let small = [UInt8](repeating: 2, count: 10)
        // Oversized first in a batch (the batch must not be left empty), then in the middle.
        let first = outbox.addWriteKept(Self.peer, 1, huge)
        #expect(!first && outbox.isEmpty)
        let kept = [
            outbox.addWriteKept(Self.peer, 2, small), outbox.addWriteKept(Self.peer, 3, huge),
            outbox.addWriteKept(Self.peer, 4, small),
        ]
        #expect(kept == [true, false, true])
        #expect(outbox.tooLarge == 2)
        var effects: [NodeEffect] = []
        outbox.flush(sender: Self.sender, address: { _ in "127.0.0.1:1" }, into: &effects)
        #expect(Self.decode(effects, .replicaWrite, M.decodeWrite).map(\.requestID) == [2, 4])
        // A read reply holding an oversized copy is dropped the same way.
        let reply = huge.withUnsafeBytes { outbox.addReadReply(to: Self.peer, requestID: 5, same: false, object: $0) }
        #expect(!reply && outbox.tooLarge == 3 && outbox.isEmpty)
    }
}

extension PeerOutbox {
    /// Queues a write of `object` under key "k"; whether it was kept.
    mutating func addWriteKept(_ peer: NodeID, _ requestID: UInt64, _ object: [UInt8]) -> Bool {
        Array("k".utf8).withUnsafeBytes { key in
            object.withUnsafeBytes { addWrite(to: peer, requestID: requestID, key: key, object: $0, hintFor: nil) }
        }
    }
}
