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
extension Coordinator {
    static func isCheckable(_ id: CommandID, _ a: Arguments) -> Bool { id == .set && a.count == 3 }

    /// Starts a checked write of the SET `a` (see above).
    mutating func startCheckedWrite(
        _ a: Arguments, _ key: KeyRef, _ session: ClientSession, _ now: Now, targets: [(NodeID, NodeID?)],
        localHints: [NodeID], needed: Int, quorum: Int, sink: ReplySink?, _ reply: inout ReplyBuffer,
        store: inout Store, hints: inout HintStore, output: inout NodeOutput
    ) -> CommandOutcome {
        let basis = store.basisDigest(key)
        var scratch = takeStoredReply(protocolVersion: session.protocolVersion)
        store.dispatch(.set, a, now, &scratch)
        let answer = Reply(scratch, from: 0)
        storedReply = scratch
        if answer.isError { return deliver(answer, sink, &reply, output: &output) }
        if !localHints.isEmpty {
            stats.hintsStored += store.keepHints(Array(a[1]), for: localHints, in: &hints, now: now)
        }
        // The SET minted exactly one dot here: the node's latest.
        let write = CheckedWrite(
            needed: needed, asked: AskedNodes(targets.lazy.filter { $0.1 == nil }.map(\.0)),
            arguments: StoredArguments(a), protocolVersion: session.protocolVersion, reply: answer, quorum: quorum,
            dotCounter: store.lastDot)
        let requestID = newRequest(
            sink: sink ?? .client(id: session.id, ticket: 0), kind: .checkedWrite(write), now: now, output: &output)
        replicate(a[1], to: targets, requestID: requestID, basis: basis, now: now, store: &store, output: &output)
        return sink == nil ? .deferred(ticket: requestID) : .proceed
    }

    /// An owner answered a checked write. The request leaves the table while it is looked
    /// at, so the common case (this answer completes it) touches the table once.
    mutating func checkedWriteAnswered(
        _ requestID: UInt64, by sender: NodeID, matched: Bool, copy: [UInt8], now: Now, store: inout Store,
        hints: inout HintStore,
        topology: inout Topology, output: inout NodeOutput
    ) {
        guard var request = pending.removeValue(forKey: requestID) else { return }
        var write: CheckedWrite
        switch request.takeKind() {
        case .checkedWrite(let moved):
            write = moved
        case let other:
            request.kind = other
            pending[requestID] = request
            return
        }
        // Only an owner the write went to counts, once (a stand-in keeps a hint, which is no
        // owner's copy, and answers with a plain acknowledgement).
        guard write.asked.noteAnswer(from: sender) else {
            request.kind = .checkedWrite(write)
            pending[requestID] = request
            return
        }
        if matched { write.matched += 1 } else { write.differed.append(copy) }
        invariant(
            write.matched + write.differed.count == write.asked.answeredCount,
            "a checked write counted \(write.matched + write.differed.count) answers from \(write.asked.answeredCount) owners"
        )
        if write.matched >= write.needed {
            finish(request, write.reply, now: now, output: &output)
        } else if write.matched + write.differed.count >= write.needed {
            // Made again only before the deadline: after it, the client has been told it failed.
            guard now.monotonic < request.deadline else {
                stats.quorumFailures += 1
                return finish(
                    request, ReplicationFailure.unanswered(answered: write.matched + 1, quorum: write.quorum).reply,
                    now: now, output: &output)
            }
            writeAgainOnMerge(
                request, write, now: now, store: &store, hints: &hints, topology: &topology, output: &output)
        } else {
            request.kind = .checkedWrite(write)
            pending[requestID] = request
        }
    }

    /// W-1 owners answered and one differed: merge what they sent and make the write again
    /// under a new request id (late answers to the first attempt then find nothing), for
    /// the same client and deadline.
    mutating func writeAgainOnMerge(
        _ request: PendingRequest, _ write: CheckedWrite, now: Now, store: inout Store, hints: inout HintStore,
        topology: inout Topology, output: inout NodeOutput
    ) {
        let key = write.arguments.key
        for copy in write.differed where !copy.isEmpty {
            guard let object = try? StoredObject(decoding: copy) else {
                stats.malformedMessages += 1
                continue
            }
            store.mergeRemote(key, object, now: now)
        }
        stats.checkedWritesRepeated += 1
        let again = nextRequestID
        nextRequestID &+= 1
        pending[again] = PendingRequest(
            sink: request.sink, kind: .forwarded, deadline: request.deadline, started: request.started)
        if store.holdsOwnWrite(key, counter: write.dotCounter, now: now) {
            writeAfterPreRead(
                again, arguments: write.arguments, protocolVersion: write.protocolVersion, quorum: write.quorum,
                now: now, store: &store, hints: &hints, topology: &topology, output: &output)
        } else {
            // A later write of this key, made here since, replaced it: setting the value again
            // would undo that one. Send the merge instead; the later write, checked in turn,
            // replaces what the merge brought in.
            sendCopyAndAwait(
                again, key: key, reply: write.reply, quorum: write.quorum, now: now, store: &store, hints: &hints,
                topology: &topology, output: &output)
        }
    }
}
