/// Replication messages gathered during one loop iteration, per peer, so that everything a
/// coordinator sends one peer leaves in one frame per message type, or in frames of about
/// `frameBytesTarget` when there is more (a busy iteration must not build a frame past the
/// peers' 16 MiB limit, which would be dropped whole).
struct PeerOutbox {
    static let frameBytesTarget = 1 << 20
    /// The largest message one batch may carry: a frame's payload limit less room for the
    /// batch header. A larger one would make the whole frame, and every message batched with
    /// it, be dropped; it is dropped alone instead and counted in `tooLarge`.
    static let maximumMessageBytes = FrameDecoder.defaultMaximumPayloadBytes - 64 * 1024

    /// Replica writes and reads, encoded as they are queued (most of a coordinator's traffic).
    var writes = EncodedBatches()
    var reads = EncodedBatches()
    /// Acknowledgements and read replies, encoded as they are queued too (a replica's traffic).
    var acks = EncodedBatches()
    var readReplies = EncodedBatches()
    var forwards = PeerMap<[ReplicationMessages.Forward]>()
    var forwardReplies = PeerMap<[ReplicationMessages.ForwardReply]>()

    var isEmpty: Bool {
        writes.isEmpty && acks.isEmpty && reads.isEmpty && readReplies.isEmpty && forwards.isEmpty
            && forwardReplies.isEmpty
    }

    /// Messages dropped for being over `maximumMessageBytes` (HS.STATS).
    var tooLarge: Int { writes.tooLarge + reads.tooLarge + acks.tooLarge + readReplies.tooLarge }

    /// Encodes every batch as one frame per (peer, type), peers in id order, and empties the box.
    mutating func flush(sender: NodeID, address: (NodeID) -> String?, into effects: inout [NodeEffect]) {
        typealias M = ReplicationMessages
        func emit<T>(_ box: inout PeerMap<[T]>, _ type: MessageType, _ encode: (T, inout ByteWriter) -> Void) {
            for peer in box.keys {
                guard let items = box[peer], let to = address(peer) else { continue }
                var batch = PeerBatch()
                for (i, item) in items.enumerated() {
                    encode(item, &batch.items)
                    batch.count += 1
                    if batch.items.count >= PeerOutbox.frameBytesTarget || i == items.count - 1 {
                        effects.append(
                            .send(type: type, payload: batch.payload(sender: sender), to: to, channel: .stream))
                        batch = PeerBatch()
                    }
                }
            }
            box.removeAll(keepingCapacity: true)
        }
        emit(&forwards, .forwardRequest, M.encode)
        writes.flush(.replicaWrite, sender: sender, address: address, into: &effects)
        reads.flush(.replicaRead, sender: sender, address: address, into: &effects)
        acks.flush(.replicaWriteAck, sender: sender, address: address, into: &effects)
        readReplies.flush(.replicaReadReply, sender: sender, address: address, into: &effects)
        emit(&forwardReplies, .forwardReply, M.encode)
    }
}

/// Coordinator counters for HS.STATS.
public struct ReplicationStats: Sendable {
    public var coordinated = 0
    public var forwarded = 0
    public var quorumFailures = 0
    public var forwardTimeouts = 0
    public var readRepairs = 0
    /// Checked writes made again on the merge because an owner's copy differed.
    public var checkedWritesRepeated = 0
    /// Reads that asked the owners they had not asked, their first R - 1 being slow to answer.
    public var readsRetried = 0
    public var hintsStored = 0
    public var malformedMessages = 0
    /// Coordinator latencies in microseconds (a bounded ring of the most recent samples).
    var latencies: [Int64] = []
    var latencyCursor = 0
    static let latencySamples = 4096

    mutating func recordLatency(_ microseconds: Int64) {
        if latencies.count < ReplicationStats.latencySamples {
            latencies.append(microseconds)
        } else {
            latencies[latencyCursor] = microseconds
            latencyCursor = (latencyCursor + 1) % ReplicationStats.latencySamples
        }
    }

    /// p50, p99 and max of the recorded latencies in microseconds.
    public var latencyPercentiles: (p50: Int64, p99: Int64, max: Int64) {
        guard !latencies.isEmpty else { return (0, 0, 0) }
        let sorted = latencies.sorted()
        return (sorted[sorted.count / 2], sorted[min(sorted.count - 1, sorted.count * 99 / 100)], sorted.last!)
    }
}

/// One peer's messages of one type in their batch encoding, without the batch header: each
/// item is written once (replica writes straight from the key's bytes and the encoded
/// object, with no per-write arrays).
struct PeerBatch {
    var count = 0
    var items = ByteWriter(capacity: 256)

    mutating func append(
        requestID: UInt64, key: UnsafeRawBufferPointer, object: UnsafeRawBufferPointer, hintFor: NodeID?,
        basis: UInt64?, marker: Bool
    ) {
        ReplicationMessages.encodeWrite(
            requestID: requestID, key: key, object: object, hintFor: hintFor, basis: basis, marker: marker,
            into: &items)
        count += 1
    }

    /// Drops the message written from byte `start` on (the last one).
    mutating func removeLastMessage(from start: Int) {
        items.truncate(to: start)
        count -= 1
    }

    /// The frame payload: the batch header, then the items (as `encodeBatch` would write them).
    func payload(sender: NodeID) -> [UInt8] {
        var w = ByteWriter(capacity: 20 + items.count)
        w.u8(ReplicationMessages.version)
        w.u64(sender.rawValue)
        w.varint(UInt64(count))
        w.append(items)
        return w.takeBytes()
    }
}

/// One message type's batches, per peer, encoded as messages are queued; a batch that
/// reaches `PeerOutbox.frameBytesTarget` is set aside as full and the next one starts.
struct EncodedBatches {
    var open = PeerMap<PeerBatch>()
    /// Batches that reached the target, in the order they filled.
    var full: [(NodeID, PeerBatch)] = []

    /// Messages dropped for being over `PeerOutbox.maximumMessageBytes`.
    private(set) var tooLarge = 0

    var isEmpty: Bool { open.isEmpty && full.isEmpty }

    /// Encodes one message into `peer`'s open batch; false (and nothing queued) when the
    /// message alone is over `PeerOutbox.maximumMessageBytes`.
    @discardableResult
    mutating func append(to peer: NodeID, _ encode: (inout PeerBatch) -> Void) -> Bool {
        let (start, end) = open.update(peer, default: PeerBatch()) { batch in
            let start = batch.items.count
            encode(&batch)
            return (start, batch.items.count)
        }
        if end - start > PeerOutbox.maximumMessageBytes {
            tooLarge += 1
            if start == 0 {
                open.removeValue(forKey: peer)
            } else {
                open[peer, default: PeerBatch()].removeLastMessage(from: start)
            }
            return false
        }
        if end >= PeerOutbox.frameBytesTarget {
            full.append((peer, open.removeValue(forKey: peer)!))
        }
        return true
    }

    /// One frame per batch: the full ones first, then the open ones in peer id order.
    mutating func flush(
        _ type: MessageType, sender: NodeID, address: (NodeID) -> String?, into effects: inout [NodeEffect]
    ) {
        for (peer, batch) in full {
            guard let to = address(peer) else { continue }
            effects.append(.send(type: type, payload: batch.payload(sender: sender), to: to, channel: .stream))
        }
        full.removeAll(keepingCapacity: true)
        for peer in open.keys {
            guard let batch = open[peer], let to = address(peer) else { continue }
            effects.append(.send(type: type, payload: batch.payload(sender: sender), to: to, channel: .stream))
        }
        open.removeAll(keepingCapacity: true)
    }
}

extension PeerOutbox {
    @discardableResult
    mutating func addWrite(
        to peer: NodeID, requestID: UInt64, key: UnsafeRawBufferPointer, object: UnsafeRawBufferPointer,
        hintFor: NodeID?, basis: UInt64? = nil, marker: Bool = false
    ) -> Bool {
        writes.append(to: peer) {
            $0.append(requestID: requestID, key: key, object: object, hintFor: hintFor, basis: basis, marker: marker)
        }
    }

    mutating func addWrite(to peer: NodeID, _ write: ReplicationMessages.Write) {
        write.key.withUnsafeBytes { key in
            write.object.withUnsafeBytes { object in
                addWrite(
                    to: peer, requestID: write.requestID, key: key, object: object, hintFor: write.hintFor,
                    basis: write.basis, marker: write.marker)
            }
        }
    }

    /// An acknowledgement of write `requestID` for `peer`.
    @discardableResult
    mutating func addAck(to peer: NodeID, _ ack: ReplicationMessages.Ack) -> Bool {
        acks.append(to: peer) { batch in
            ReplicationMessages.encode(ack, into: &batch.items)
            batch.count += 1
        }
    }

    /// A replica's answer to read `requestID` for `peer`: `same`, or its copy encoded.
    @discardableResult
    mutating func addReadReply(
        to peer: NodeID, requestID: UInt64, same: Bool, marker: Bool = false, object: UnsafeRawBufferPointer
    ) -> Bool {
        readReplies.append(to: peer) { batch in
            ReplicationMessages.encodeReadReply(
                requestID: requestID, same: same, marker: marker, object: object, into: &batch.items)
            batch.count += 1
        }
    }

    /// A read of `key` for `peer`.
    @discardableResult
    mutating func addRead(to peer: NodeID, requestID: UInt64, key: UnsafeRawBufferPointer, basis: UInt64) -> Bool {
        reads.append(to: peer) { batch in
            ReplicationMessages.encodeRead(requestID: requestID, key: key, basis: basis, into: &batch.items)
            batch.count += 1
        }
    }
}
