import RESP

/// The replica side of replication, and how coordinated requests complete.
extension Node {
    typealias M = ReplicationMessages

    mutating func handleReplicationFrame(_ frame: Frame, now: Now) throws(DecodeError) {
        switch frame.type {
        case .replicaWrite:
            try applyReplicaWrites(frame.payload, now: now)
        case .replicaWriteAck:
            let (sender, acks) = try M.decodeBatch(frame.payload, minimumItemSize: 2, M.decodeAck)
            for ack in acks {
                if ack.status != .applied {
                    checkedWriteAnswered(ack.requestID, ack.status, now: now)
                } else {
                    acknowledged(ack.requestID, by: sender, now: now)
                }
            }
        case .replicaRead:
            try answerReplicaReads(frame.payload, now: now)
        case .replicaReadReply:
            let (sender, replies) = try M.decodeBatch(frame.payload, minimumItemSize: 2, M.decodeReadReply)
            for reply in replies {
                let copy: ReadCopy =
                    reply.same ? .same : .object(reply.object.isEmpty ? nil : try StoredObject(decoding: reply.object))
                readAnswered(reply.requestID, by: sender, copy, now: now)
            }
        case .forwardRequest:
            let (sender, forwards) = try M.decodeBatch(frame.payload, minimumItemSize: 7, M.decodeForward)
            for forward in forwards { runForwarded(forward, from: sender, now: now) }
        case .forwardReply:
            let (_, replies) = try M.decodeBatch(frame.payload, minimumItemSize: 2, M.decodeForwardReply)
            for reply in replies {
                guard let pending = cluster.pending[reply.requestID], case .forwarded = pending.kind else { continue }
                finish(reply.requestID, reply.reply, now: now)
            }
        default:
            throw .malformed("not a replication frame: \(frame.type)")
        }
    }

    // MARK: Replica side

    /// A batch of writes from a coordinator, read in place: a plain string write for this
    /// node merges straight from the frame's bytes (no per-write arrays); anything else is
    /// copied out and takes `applyReplicaWrite`. Items before a malformed one stay applied
    /// (each is a valid state to merge) and the frame is then refused.
    mutating func applyReplicaWrites(_ payload: [UInt8], now: Now) throws(DecodeError) {
        var r = ByteReader(payload)
        let (sender, count) = try M.decodeBatchHeader(&r, minimumItemSize: 12)
        let me = cluster.settings.nodeID.rawValue
        for _ in 0..<count {
            let requestID = try r.varint()
            let key = try r.lengthPrefixedRange()
            let object = try r.lengthPrefixedRange()
            let hint = try r.u64()
            let basis = try M.decodeBasis(&r)
            let forThisNode = hint == 0 || hint == me
            // A checked write is compared with this copy before either path merges it.
            var status = M.Ack.Status.applied
            if forThisNode, let basis {
                status = payload.withUnsafeBytes {
                    checkedWriteStatus(UnsafeRawBufferPointer(rebasing: $0[key]), basis: basis, now: now)
                }
            }
            if forThisNode, let single = EncodedSingleWrite(payload, in: object) {
                let merged = payload.withUnsafeBytes { bytes in
                    mergeSingleWrite(UnsafeRawBufferPointer(rebasing: bytes[key]), single, in: bytes, now: now)
                }
                if merged {
                    cluster.replication.replicaWritesApplied += 1
                    if requestID != 0 {
                        output.peers.addAck(to: sender, M.Ack(requestID: requestID, status: status))
                    }
                    continue
                }
            }
            let write = M.Write(
                requestID: requestID, key: Array(payload[key]), object: Array(payload[object]),
                hintFor: hint == 0 ? nil : NodeID(hint), basis: basis)
            try applyReplicaWrite(write, from: sender, status: status, now: now)
        }
        try r.expectEnd()
    }

    /// A batch of reads from a coordinator, read in place: each key is compared with the
    /// coordinator's digest straight from the frame's bytes and the answer encoded straight
    /// into the outbox (a key array and a reply struct per read were most of a replica's
    /// cost per read). Reads before a malformed item are answered; the frame is then refused.
    mutating func answerReplicaReads(_ payload: [UInt8], now: Now) throws(DecodeError) {
        var r = ByteReader(payload)
        let (sender, count) = try M.decodeBatchHeader(&r, minimumItemSize: 10)
        for _ in 0..<count {
            let requestID = try r.varint()
            let key = try r.lengthPrefixedRange()
            let basis = try r.u64()
            payload.withUnsafeBytes { bytes in
                let keyBytes = UnsafeRawBufferPointer(rebasing: bytes[key])
                if copyMatches(keyBytes, basis: basis) {
                    cluster.replication.readsAnsweredSame += 1
                    output.peers.addReadReply(
                        to: sender, requestID: requestID, same: true,
                        object: UnsafeRawBufferPointer(start: nil, count: 0))
                } else {
                    let object = localCopy(Array(keyBytes), now: now)?.encoded ?? []
                    object.withUnsafeBytes {
                        output.peers.addReadReply(to: sender, requestID: requestID, same: false, object: $0)
                    }
                }
            }
        }
        try r.expectEnd()
    }

    /// A write from a coordinator: merged into this replica's copy, or kept as a hint for
    /// the owner it stands in for; acknowledged when the coordinator asked for it.
    /// `status` is the answer to a checked write, decided before the merge (else `.applied`).
    mutating func applyReplicaWrite(
        _ write: M.Write, from sender: NodeID, status: M.Ack.Status, now: Now
    ) throws(DecodeError) {
        let object = try StoredObject(decoding: write.object)
        if let owner = write.hintFor, owner != cluster.settings.nodeID {
            cluster.hints.store(owner: owner, key: write.key, object: object, now: now.monotonic)
            cluster.replication.hintsStored += 1
        } else {
            mergeRemote(write.key, object, now: now)
            cluster.replication.replicaWritesApplied += 1
        }
        if write.requestID != 0 {
            output.peers.addAck(to: sender, M.Ack(requestID: write.requestID, status: status))
        }
    }

    /// Joins `remote` into this node's copy of `key` (a CRDT merge: order and repeats do not matter).
    mutating func mergeRemote(_ key: [UInt8], _ remote: StoredObject, now: Now) {
        key.withUnsafeBytes { raw in
            let ref = KeyRef(raw)
            let entry = store.keyspace.entry(ref, now: now)
            var local = entry.map(CompactObject.materialize) ?? StoredObject()
            let before = local
            local.merge(remote)
            guard entry == nil || local != before else { return }
            store.lastDot = max(store.lastDot, local.context.maxCounter(for: writer))
            store.keyspace.putObject(ref, existing: entry, object: local, now: now)
        }
    }

    /// This node's copy of `key` for a reader: its own data merged with any hint it holds.
    mutating func localCopy(_ key: [UInt8], now: Now) -> StoredObject? {
        var copy: StoredObject? = key.withUnsafeBytes { raw in
            store.keyspace.entry(KeyRef(raw), now: now).map(CompactObject.materialize)
        }
        if let hinted = cluster.hints.object(for: key) {
            if copy == nil { copy = hinted } else { copy!.merge(hinted) }
        }
        return copy
    }

    /// A request another node handed over: run here as its coordinator.
    mutating func runForwarded(_ forward: M.Forward, from sender: NodeID, now: Now) {
        var session = ClientSession(id: 0, authenticated: true)
        session.protocolVersion = Int(forward.protocolVersion)
        session.readQuorum = Int(forward.readQuorum)
        session.writeQuorum = Int(forward.writeQuorum)
        let sink = ReplySink.peer(sender, requestID: forward.requestID)
        withArguments(forward.arguments) { a in
            var unused = ReplyBuffer(capacity: 0)
            guard let id = CommandTable.lookupID(a[0]), a.count >= 2 else {
                complete(sink, Array("-ERR malformed forwarded request\r\n".utf8))
                return
            }
            _ = routeSingle(id, a, &session, now, sink: sink, &unused, hops: forward.hops)
        }
    }

    // MARK: Coordinator side

    mutating func acknowledged(_ requestID: UInt64, by sender: NodeID, now: Now) {
        if requestID & Node.hintAckBit != 0 {
            cluster.hints.acknowledge(owner: sender, id: requestID & ~Node.hintAckBit)
            return
        }
        guard var pending = cluster.pending[requestID],
            case .write(let needed, let acked, let asked, let reply, let quorum) = pending.kind
        else { return }
        pending.kind = .write(needed: needed, acked: acked + 1, asked: asked, reply: reply, quorum: quorum)
        cluster.pending[requestID] = pending
        if acked + 1 >= needed { finish(requestID, reply, now: now) }
    }

    /// A replica's copy for a read or pre-read. The request leaves the table while it is
    /// looked at, so its copies array is not shared and grows in place; the common case
    /// (the first copy completes it) then touches the table once.
    mutating func readAnswered(_ requestID: UInt64, by sender: NodeID, _ copy: ReadCopy, now: Now) {
        guard var pending = cluster.pending.removeValue(forKey: requestID) else { return }
        let isPreRead: Bool
        var read: PendingRead
        switch pending.takeKind() {
        case .read(let r):
            (read, isPreRead) = (r, false)
        case .preRead(let r):
            (read, isPreRead) = (r, true)
        case let other:
            pending.kind = other
            cluster.pending[requestID] = pending
            return
        }
        // An owner asked twice (a slow read widened) counts once.
        if read.copies.contains(where: { $0.0 == sender }) {
            pending.kind = isPreRead ? .preRead(read) : .read(read)
            cluster.pending[requestID] = pending
            return
        }
        // The common case, one copy needed and it is `same`, keeps no copies at all.
        let sameAndDone = read.copies.isEmpty && read.needed <= 1 && copy.isSame
        if !sameAndDone {
            read.copies.append((sender, copy))
            guard read.copies.count >= read.needed else {
                pending.kind = isPreRead ? .preRead(read) : .read(read)
                cluster.pending[requestID] = pending
                return
            }
        }
        // Only a copy that was not `same` needs the key (and merging).
        let anyDiffered = read.copies.contains { !$0.1.isSame }
        if isPreRead {
            notePreReadEnded(read.keyHash)
            if anyDiffered {
                let key = read.arguments.key
                for case (_, .object(let object?)) in read.copies { mergeRemote(key, object, now: now) }
            }
            pending.kind = .write(needed: 0, acked: 0, asked: 0, reply: [], quorum: read.quorum)
            cluster.pending[requestID] = pending
            writeAfterPreRead(
                requestID, arguments: read.arguments, protocolVersion: read.protocolVersion, quorum: read.quorum,
                now: now)
            return
        }
        // Merge every copy into ours, answer from the merge, and repair the replicas that were behind.
        if anyDiffered { repairRead(read.arguments.key, read.copies, basis: read.basis, now: now) }
        let scratch = runStoredInScratch(read.arguments, protocolVersion: read.protocolVersion, now: now)
        scratch.withUnsafeBytes { finish(pending, $0, now: now) }
        cluster.storedReply = scratch
    }

    /// Merges every copy a read gathered into ours, then sends the merge back to the replicas
    /// that were behind (read repair; the reply does not wait for it). A `same` copy had our
    /// digest `basis` when we asked; when every copy did, there is nothing to do.
    mutating func repairRead(_ key: [UInt8], _ copies: [(NodeID, ReadCopy)], basis: UInt64, now: Now) {
        var differs = false
        for (_, copy) in copies {
            guard case .object(let object) = copy else { continue }
            differs = true
            if let object { mergeRemote(key, object, now: now) }
        }
        guard differs else { return }
        let merged = localCopy(key, now: now) ?? StoredObject()
        let mergedDigest = merged.causalDigest(key: key)
        for (node, copy) in copies {
            let behind: Bool
            switch copy {
            case .same: behind = basis != mergedDigest
            case .object(let object): behind = object?.causalDigest(key: key) != mergedDigest
            }
            guard behind else { continue }
            output.peers.addWrite(to: node, M.Write(requestID: 0, key: key, object: merged.encoded, hintFor: nil))
            cluster.replication.readRepairs += 1
        }
    }

    /// Completes a pending request with `reply`.
    mutating func finish(_ requestID: UInt64, _ reply: [UInt8], now: Now) {
        guard let pending = cluster.pending.removeValue(forKey: requestID) else { return }
        finish(pending, reply, now: now)
    }

    /// Completes a request already taken out of the table.
    mutating func finish(_ pending: PendingRequest, _ reply: [UInt8], now: Now) {
        reply.withUnsafeBytes { finish(pending, $0, now: now) }
    }

    mutating func finish(_ pending: PendingRequest, _ reply: UnsafeRawBufferPointer, now: Now) {
        cluster.replication.recordLatency((now.monotonic.nanoseconds - pending.started.nanoseconds) / 1000)
        complete(pending.sink, reply)
    }

    /// A request's deadline passed: fail it with how many replicas answered.
    mutating func requestDeadline(_ requestID: UInt64, now: Now) {
        guard let pending = cluster.pending[requestID] else { return }
        if case .preRead(let read) = pending.kind { notePreReadEnded(read.keyHash) }
        let text: String
        switch pending.kind {
        case .forwarded:
            cluster.replication.forwardTimeouts += 1
            text = "-TIMEOUT the replica coordinating this key did not answer in time\r\n"
        case .write(_, let acked, _, _, let quorum):
            cluster.replication.quorumFailures += 1
            text = "-NOQUORUM \(acked + 1) of \(quorum) replicas answered\r\n"
        case .read(let read), .preRead(let read):
            cluster.replication.quorumFailures += 1
            text = "-NOQUORUM \(read.copies.count + 1) of \(read.quorum) replicas answered\r\n"
        case .checkedWrite(let write):
            cluster.replication.quorumFailures += 1
            text = "-NOQUORUM \(write.matched + write.differed.count + 1) of \(write.quorum) replicas answered\r\n"
        case .multi:
            text = "-TIMEOUT\r\n"
        }
        finish(requestID, Array(text.utf8), now: now)
    }

    /// Delivers a finished reply to its sink. A client's is copied into `clientReplies`;
    /// the other sinks keep it as an array.
    mutating func complete(_ sink: ReplySink, _ reply: UnsafeRawBufferPointer) {
        if case .client(let client, let ticket) = sink {
            output.replies.append(client: client, ticket: ticket, reply)
        } else {
            complete(sink, Array(reply))
        }
    }

    mutating func complete(_ sink: ReplySink, _ reply: [UInt8]) {
        switch sink {
        case .client:
            reply.withUnsafeBytes { complete(sink, $0) }
        case .peer(let node, let requestID):
            output.peers.forwardReplies[node, default: []].append(M.ForwardReply(requestID: requestID, reply: reply))
        case .part(let parent, let index):
            guard var pending = cluster.pending[parent],
                case .multi(var parts, let combine, let version) = pending.kind
            else { return }
            parts[index] = reply
            pending.kind = .multi(parts: parts, combine: combine, protocolVersion: version)
            cluster.pending[parent] = pending
            if parts.allSatisfy({ $0 != nil }) {
                let combined = Node.combine(parts.map { $0! }, combine, protocolVersion: version)
                if let done = cluster.pending.removeValue(forKey: parent) { complete(done.sink, combined) }
            }
        }
    }

    // MARK: Many keys

    /// MGET, MSET, MSETNX, DEL, UNLINK, EXISTS over several keys: one sub-request per key,
    /// each routed on its own, combined when all have answered.
    mutating func fanOut(_ id: CommandID, _ a: Arguments, _ session: inout ClientSession, _ now: Now)
        -> CommandOutcome
    {
        let paired = id == .mset || id == .msetnx
        let (sub, subID, combine): (String, CommandID, Combine) =
            switch id {
            case .mget: ("GET", .get, .array)
            case .mset: ("SET", .set, .allOK)
            case .msetnx: ("SETNX", .setnx, .allOne)
            case .del: ("DEL", .del, .sum)
            case .unlink: ("UNLINK", .unlink, .sum)
            default: ("EXISTS", .exists, .sum)
            }
        let step = paired ? 2 : 1
        let keys = Array(stride(from: 1, to: a.count, by: step))
        let parent = newRequest(
            sink: .client(id: session.id, ticket: 0),
            kind: .multi(
                parts: Array(repeating: nil, count: keys.count), combine: combine,
                protocolVersion: session.protocolVersion), now: now)
        var unused = ReplyBuffer(capacity: 0)
        for (index, position) in keys.enumerated() {
            var words: [[UInt8]] = [Array(sub.utf8), a.bytes(position)]
            if paired { words.append(a.bytes(position + 1)) }
            withArguments(words) { subArguments in
                _ = routeSingle(subID, subArguments, &session, now, sink: .part(parent: parent, index: index), &unused)
            }
        }
        return .deferred(ticket: parent)
    }

    static func combine(_ parts: [[UInt8]], _ combine: Combine, protocolVersion: Int) -> [UInt8] {
        switch combine {
        case .array:
            var out = Array("*\(parts.count)\r\n".utf8)
            for part in parts {
                out += part.first == UInt8(ascii: "-") ? Array((protocolVersion >= 3 ? "_\r\n" : "$-1\r\n").utf8) : part
            }
            return out
        case .allOK:
            return parts.first { $0.first == UInt8(ascii: "-") } ?? Array("+OK\r\n".utf8)
        case .sum, .allOne:
            if let error = parts.first(where: { $0.first == UInt8(ascii: "-") }) { return error }
            let values = parts.map { Int64(String(decoding: $0.dropFirst().prefix { $0 != 13 }, as: UTF8.self)) ?? 0 }
            if combine == .allOne { return Array(":\(values.allSatisfy { $0 == 1 } ? 1 : 0)\r\n".utf8) }
            return Array(":\(values.reduce(0, +))\r\n".utf8)
        }
    }

    // MARK: Hints

    static let hintAckBit: UInt64 = 1 << 63

    /// Offers the hints held for `owner` to it (on seeing it alive, and every replication tick).
    mutating func replayHints(to owner: NodeID, now: Now) {
        guard cluster.isReachable(owner) else { return }
        let settings = cluster.settings
        let due = cluster.hints.due(
            for: owner, now: now.monotonic,
            resendAfterMilliseconds: settings.requestTimeoutMilliseconds, limit: settings.hintReplayBatch)
        for hint in due {
            output.peers.addWrite(
                to: owner,
                M.Write(requestID: hint.id | Node.hintAckBit, key: hint.key, object: hint.object.encoded, hintFor: nil))
        }
    }

    /// Periodic chores: expire old hints, replay the others to owners that answer.
    mutating func replicationTick(now: Now) {
        cluster.hints.expire(now: now.monotonic)
        for owner in cluster.hints.ownersWithHints { replayHints(to: owner, now: now) }
    }
}

/// Builds `Arguments` over a list of byte strings for the duration of `body` (forwarded
/// requests, sub-requests, and drivers such as the simulator that hold commands as words).
public func withArguments<R>(_ words: [[UInt8]], _ body: (Arguments) -> R) -> R {
    var storage: [UInt8] = []
    var spans: [Int] = []
    for word in words {
        spans.append(storage.count)
        spans.append(word.count)
        storage += word
    }
    return storage.withUnsafeBytes { raw in body(Arguments(base: raw.baseAddress, spans: spans)) }
}
