import RESP

/// Checked writes: a plain SET at W >= 2 in one round trip instead of two.
///
/// A write at W >= 2 must see every write acknowledged before it, so that it replaces them
/// (README, "How requests are served"): it reads W-1 other owners' copies first, merges
/// them, and writes. Most of the time those copies equal the coordinator's, so a plain SET
/// instead applies the write to its own copy at once and sends it with `basis`, the digest
/// its copy had before. Each owner says whether its copy matched the basis before it merged
/// the write. When W-1 owners matched, the write was made on the very state a pre-read would
/// have produced, and it is acknowledged. When an owner differed, its copy comes back; the
/// coordinator merges it and makes the write again on the merge (a new dot, whose context
/// covers the first attempt and the copy), exactly as after a pre-read, and acknowledges
/// that one after W replies. The first attempt is then a superseded, unacknowledged write.
///
/// Only a SET without options qualifies: its effect and reply do not depend on the copy it
/// replaces, so a second attempt changes nothing a client could have seen. Everything else
/// (NX, XX, GET, INCR, DEL ...) keeps the pre-read.
extension Node {
    static func isCheckable(_ id: CommandID, _ a: Arguments) -> Bool { id == .set && a.count == 3 }

    /// The digest a checked write's basis and a read's basis are: this node's entry for `key`
    /// as stored (expired or not), 0 when it holds none.
    /// Mutating only to reach the keyspace in place (see `Keyspace.peekInPlace`).
    mutating func basisDigest(_ key: KeyRef) -> UInt64 {
        store.keyspace.peekInPlace(key).map(EntryDigest.digest) ?? 0
    }

    /// Whether this replica's copy equals a coordinator's copy of digest `basis`. When hints
    /// also hold the key, the copy a reader gets here is the entry merged with them, and that
    /// is what is compared (materialised: only while hints are held).
    /// Mutating only so that `cluster!` is read in place (see `quorums`): as a non-mutating
    /// method it copied the 1.2 KB cluster state on every read and write a replica answered.
    mutating func copyMatches(_ key: UnsafeRawBufferPointer, basis: UInt64) -> Bool {
        guard cluster.hints.holds(key) else { return basisDigest(KeyRef(key)) == basis }
        let keyBytes = Array(key)
        var copy = store.keyspace.peek(KeyRef(key)).map(CompactObject.materialize)
        if let hinted = cluster.hints.object(for: keyBytes) {
            if copy == nil { copy = hinted } else { copy!.merge(hinted) }
        }
        return (copy?.causalDigest(key: keyBytes) ?? 0) == basis
    }

    /// A replica's answer to a checked write, decided before it merges the write: matched,
    /// or its copy as it was, which is exactly what a pre-read would have returned.
    mutating func checkedWriteStatus(_ key: UnsafeRawBufferPointer, basis: UInt64, now: Now) -> M.Ack.Status {
        if copyMatches(key, basis: basis) { return .matched }
        return .differed(localCopy(Array(key), now: now)?.encoded ?? [])
    }

    /// Starts a checked write of the SET `a` (see above).
    mutating func startCheckedWrite(
        _ a: Arguments, _ key: KeyRef, _ session: inout ClientSession, _ now: Now, targets: [(NodeID, NodeID?)],
        localHints: [NodeID], needed: Int, quorum: Int, sink: ReplySink?, _ reply: inout ReplyBuffer
    ) -> CommandOutcome {
        let basis = basisDigest(key)
        var scratch = takeStoredReply(protocolVersion: session.protocolVersion)
        _ = dispatch(.set, a, &session, now, &scratch)
        // A SET answers +OK or an error: share one +OK array rather than allocate each.
        let answer = scratch.withUnsafeBytes { $0.elementsEqual(Node.okReply) } ? Node.okReply : scratch.bytes
        cluster.storedReply = scratch
        if answer.first == UInt8(ascii: "-") { return deliver(answer, sink, &reply) }
        if !localHints.isEmpty { keepHints(Array(a[1]), for: localHints, now: now) }
        // The SET minted exactly one dot here: the node's latest.
        let write = CheckedWrite(
            needed: needed, arguments: StoredArguments(a), protocolVersion: session.protocolVersion, reply: answer,
            quorum: quorum, dotCounter: store.lastDot)
        let requestID = newRequest(
            sink: sink ?? .client(id: session.id, ticket: 0), kind: .checkedWrite(write), now: now)
        replicate(a[1], to: targets, requestID: requestID, basis: basis, now: now)
        return sink == nil ? .deferred(ticket: requestID) : .proceed
    }

    static let okReply: [UInt8] = Array("+OK\r\n".utf8)

    /// An owner answered a checked write. The request leaves the table while it is looked
    /// at, so the common case (this answer completes it) touches the table once.
    mutating func checkedWriteAnswered(_ requestID: UInt64, _ status: M.Ack.Status, now: Now) {
        guard var pending = cluster.pending.removeValue(forKey: requestID) else { return }
        var write: CheckedWrite
        switch pending.takeKind() {
        case .checkedWrite(let moved):
            write = moved
        case let other:
            pending.kind = other
            cluster.pending[requestID] = pending
            return
        }
        switch status {
        case .applied:
            // A stand-in kept it as a hint: that is no owner's copy, so it decides nothing.
            break
        case .matched:
            write.matched += 1
        case .differed(let copy):
            write.differed.append(copy)
        }
        if write.matched >= write.needed {
            finish(pending, write.reply, now: now)
        } else if write.matched + write.differed.count >= write.needed {
            writeAgainOnMerge(pending, write, now: now)
        } else {
            pending.kind = .checkedWrite(write)
            cluster.pending[requestID] = pending
        }
    }

    /// W-1 owners answered and one differed: merge what they sent and make the write again
    /// under a new request id (late answers to the first attempt then find nothing), for
    /// the same client and deadline.
    mutating func writeAgainOnMerge(_ pending: PendingRequest, _ write: CheckedWrite, now: Now) {
        let key = write.arguments.key
        for copy in write.differed where !copy.isEmpty {
            guard let object = try? StoredObject(decoding: copy) else {
                cluster.replication.malformedMessages += 1
                continue
            }
            mergeRemote(key, object, now: now)
        }
        cluster.replication.checkedWritesRepeated += 1
        let again = cluster.nextRequestID
        cluster.nextRequestID &+= 1
        cluster.pending[again] = PendingRequest(
            sink: pending.sink, kind: .forwarded, deadline: pending.deadline, started: pending.started)
        if holdsOwnWrite(key, counter: write.dotCounter, now: now) {
            writeAfterPreRead(
                again, arguments: write.arguments, protocolVersion: write.protocolVersion, quorum: write.quorum,
                now: now)
        } else {
            // A later write of this key, made here since, replaced it: setting the value again
            // would undo that one. Send the merge instead; the later write, checked in turn,
            // replaces what the merge brought in.
            sendCopyAndAwait(again, key: key, reply: write.reply, quorum: write.quorum, now: now)
        }
    }

    /// Whether this node's copy of `key` still holds the write it minted with `counter`.
    mutating func holdsOwnWrite(_ key: [UInt8], counter: UInt64, now: Now) -> Bool {
        key.withUnsafeBytes { raw in
            guard let box = store.keyspace.entry(KeyRef(raw), now: now) else { return false }
            let header = box.header
            if header.state == .string { return header.writer == writer.rawValue && header.counter == counter }
            guard header.state == .extended else { return false }
            return CompactObject.materialize(box).register.contains {
                $0.stamp.dot == Dot(node: writer, counter: counter)
            }
        }
    }
}
