import RESP

/// The replica side of replication: this node answering coordinators. It merges the writes
/// they send (or keeps them as hints for the owner it stands in for), answers their reads
/// and acknowledges. Its only state is its counters; it acts on the store, the hints and the
/// output the node lends it for each frame.
public struct Replica {
    typealias M = ReplicationMessages

    /// This node's id: a write whose hint names it is this node's own.
    let me: NodeID
    public internal(set) var stats = ReplicaStats()

    init(me: NodeID) { self.me = me }

    /// A batch of writes from a coordinator, read in place: a plain string write for this
    /// node merges straight from the frame's bytes (no per-write arrays); anything else is
    /// copied out and takes `applyWrite`. Items before a malformed one stay applied (each is
    /// a valid state to merge) and the frame is then refused.
    mutating func applyWrites(
        _ payload: [UInt8], now: Now, store: inout Store, hints: inout HintStore, output: inout NodeOutput
    ) throws(DecodeError) {
        var r = ByteReader(payload)
        let (sender, count) = try M.decodeBatchHeader(&r, minimumItemSize: 12)
        for _ in 0..<count {
            let requestID = try r.varint()
            let key = try r.lengthPrefixedRange()
            let object = try r.lengthPrefixedRange()
            let hint = try r.u64()
            let (basis, marker) = try M.decodeWriteFlags(&r)
            let forThisNode = hint == 0 || hint == me.rawValue
            // A checked write is compared with this copy before either path merges it.
            var status = M.Ack.Status.applied
            if forThisNode, let basis {
                status = payload.withUnsafeBytes {
                    Replica.checkedWriteStatus(
                        UnsafeRawBufferPointer(rebasing: $0[key]), basis: basis, now: now, store: &store, hints: hints)
                }
            }
            if forThisNode, !marker, let single = EncodedSingleWrite(payload, in: object) {
                let merged = payload.withUnsafeBytes { bytes in
                    store.mergeSingleWrite(UnsafeRawBufferPointer(rebasing: bytes[key]), single, in: bytes, now: now)
                }
                if merged {
                    stats.writesApplied += 1
                    if requestID != 0 {
                        output.peers.addAck(to: sender, M.Ack(requestID: requestID, status: status))
                    }
                    continue
                }
            }
            let write = M.Write(
                requestID: requestID, key: Array(payload[key]), object: Array(payload[object]),
                hintFor: hint == 0 ? nil : NodeID(hint), basis: basis, marker: marker)
            try applyWrite(write, from: sender, status: status, now: now, store: &store, hints: &hints, output: &output)
        }
        try r.expectEnd()
    }

    /// A write from a coordinator: merged into this replica's copy, or kept as a hint for
    /// the owner it stands in for; acknowledged when the coordinator asked for it.
    /// `status` is the answer to a checked write, decided before the merge (else `.applied`).
    mutating func applyWrite(
        _ write: M.Write, from sender: NodeID, status: M.Ack.Status, now: Now, store: inout Store,
        hints: inout HintStore, output: inout NodeOutput
    ) throws(DecodeError) {
        let object = try StoredObject(decoding: write.object)
        if let owner = write.hintFor, owner != me {
            hints.store(owner: owner, key: write.key, object: object, now: now.monotonic)
            stats.hintsStored += 1
        } else {
            store.mergeRemote(write.key, object, marker: write.marker, now: now)
            stats.writesApplied += 1
        }
        if write.requestID != 0 {
            output.peers.addAck(to: sender, M.Ack(requestID: write.requestID, status: status))
        }
    }

    /// A batch of reads from a coordinator, read in place: each key is compared with the
    /// coordinator's digest straight from the frame's bytes and the answer encoded straight
    /// into the output (a key array and a reply struct per read were most of a replica's
    /// cost per read). Reads before a malformed item are answered; the frame is then refused.
    mutating func answerReads(
        _ payload: [UInt8], now: Now, store: inout Store, hints: HintStore, output: inout NodeOutput
    ) throws(DecodeError) {
        var r = ByteReader(payload)
        let (sender, count) = try M.decodeBatchHeader(&r, minimumItemSize: 10)
        for _ in 0..<count {
            let requestID = try r.varint()
            let key = try r.lengthPrefixedRange()
            let basis = try r.u64()
            payload.withUnsafeBytes { bytes in
                let keyBytes = UnsafeRawBufferPointer(rebasing: bytes[key])
                if store.copyMatches(keyBytes, basis: basis, hints: hints) {
                    stats.readsAnsweredSame += 1
                    output.peers.addReadReply(
                        to: sender, requestID: requestID, same: true,
                        object: UnsafeRawBufferPointer(start: nil, count: 0))
                } else {
                    let object = store.copy(of: Array(keyBytes), withHintsFrom: hints, now: now)?.encoded ?? []
                    let marker = store.isEvictionMarker(keyBytes, hints: hints)
                    object.withUnsafeBytes {
                        output.peers.addReadReply(
                            to: sender, requestID: requestID, same: false, marker: marker, object: $0)
                    }
                }
            }
        }
        try r.expectEnd()
    }

    /// A replica's answer to a checked write, decided before it merges the write: matched,
    /// or its copy as it was, which is exactly what a pre-read would have returned.
    static func checkedWriteStatus(
        _ key: UnsafeRawBufferPointer, basis: UInt64, now: Now, store: inout Store, hints: HintStore
    ) -> M.Ack.Status {
        if store.copyMatches(key, basis: basis, hints: hints) { return .matched }
        return .differed(store.copy(of: Array(key), withHintsFrom: hints, now: now)?.encoded ?? [])
    }
}

/// Replica counters for HS.STATS.
public struct ReplicaStats: Sendable {
    /// Writes merged into this node's data.
    public var writesApplied = 0
    /// Writes kept as hints for an owner this node stood in for.
    public var hintsStored = 0
    /// Reads this replica answered `same` (its copy had the coordinator's digest).
    public var readsAnsweredSame = 0
}
