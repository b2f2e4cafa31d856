import RESP

/// Answers from replicas to requests coordinated here: acknowledgements, copies for reads and
/// pre-reads (with read repair), and replies to forwarded requests.
extension Coordinator {
    /// A node the write went to holds it. Only the nodes asked count, each once.
    mutating func acknowledged(_ requestID: UInt64, by sender: NodeID, now: Now, output: inout NodeOutput) {
        guard var request = pending[requestID],
            case .write(let needed, var asked, let reply, let quorum) = request.kind,
            asked.noteAnswer(from: sender)
        else { return }
        request.kind = .write(needed: needed, asked: asked, reply: reply, quorum: quorum)
        pending[requestID] = request
        invariant(asked.answeredCount <= asked.count, "more acknowledgements than nodes asked")
        if asked.answeredCount >= needed { finish(requestID, reply, now: now, output: &output) }
    }

    /// The coordinator of a forwarded request answered: pass its reply on as it came.
    mutating func forwardAnswered(_ requestID: UInt64, reply: [UInt8], now: Now, output: inout NodeOutput) {
        guard let request = pending[requestID], case .forwarded = request.kind,
            let taken = pending.removeValue(forKey: requestID)
        else { return }
        reply.withUnsafeBytes { finish(taken, encoded: $0, now: now, output: &output) }
    }

    /// A replica's copy for a read or pre-read. The request leaves the table while it is
    /// looked at, so its copies array is not shared and grows in place; the common case
    /// (the first copy completes it) then touches the table once.
    mutating func readAnswered(
        _ requestID: UInt64, by sender: NodeID, _ copy: ReadCopy, now: Now, store: inout Store, hints: inout HintStore,
        topology: inout Topology, output: inout NodeOutput
    ) {
        guard var request = pending.removeValue(forKey: requestID) else { return }
        let isPreRead: Bool
        var read: PendingRead
        switch request.takeKind() {
        case .read(let r):
            (read, isPreRead) = (r, false)
        case .preRead(let r):
            (read, isPreRead) = (r, true)
        case let other:
            request.kind = other
            pending[requestID] = request
            return
        }
        // Only an owner asked counts, once (an owner asked twice when a slow read widened).
        guard read.asked.noteAnswer(from: sender) else {
            request.kind = isPreRead ? .preRead(read) : .read(read)
            pending[requestID] = request
            return
        }
        // The common case, one copy needed and it is `same`, keeps no copies at all.
        let sameAndDone = read.copies.isEmpty && read.needed <= 1 && copy.isSame
        if !sameAndDone {
            read.copies.append((sender, copy))
            guard read.copies.count >= read.needed else {
                request.kind = isPreRead ? .preRead(read) : .read(read)
                pending[requestID] = request
                return
            }
        }
        // Only a copy that was not `same` needs the key (and merging).
        let anyDiffered = read.copies.contains { !$0.1.isSame }
        if isPreRead {
            notePreReadEnded(read.keyHash)
            if anyDiffered {
                let key = read.arguments.key
                for case (_, .object(let object?, let marker)) in read.copies {
                    store.mergeRemote(key, object, marker: marker, now: now)
                }
            }
            // A write is never applied after its deadline: its client has been told it failed.
            guard now.monotonic < request.deadline else {
                stats.quorumFailures += 1
                return finish(
                    request, ReplicationFailure.unanswered(answered: read.copies.count + 1, quorum: read.quorum).reply,
                    now: now, output: &output)
            }
            request.kind = .write(needed: 0, asked: AskedNodes(), reply: .ok, quorum: read.quorum)
            pending[requestID] = request
            writeAfterPreRead(
                requestID, arguments: read.arguments, protocolVersion: read.protocolVersion, quorum: read.quorum,
                now: now, store: &store, hints: &hints, topology: &topology, output: &output)
            return
        }
        // Merge every copy into ours, answer from the merge, and repair the replicas that were behind.
        if anyDiffered {
            repairRead(
                read.arguments.key, read.copies, basis: read.basis, now: now, store: &store, hints: hints,
                output: &output)
        }
        let scratch = runStoredInScratch(read.arguments, protocolVersion: read.protocolVersion, now: now, store: &store)
        scratch.withUnsafeBytes { finish(request, encoded: $0, now: now, output: &output) }
        storedReply = scratch
    }

    /// Merges every copy a read gathered into ours, then sends the merge back to the replicas
    /// that were behind (read repair; the reply does not wait for it). A `same` copy had our
    /// digest `basis` when we asked; when every copy did, there is nothing to do.
    mutating func repairRead(
        _ key: [UInt8], _ copies: [(NodeID, ReadCopy)], basis: UInt64, now: Now, store: inout Store,
        hints: HintStore, output: inout NodeOutput
    ) {
        var differs = false
        for (_, copy) in copies {
            guard case .object(let object, let marker) = copy else { continue }
            differs = true
            if let object { store.mergeRemote(key, object, marker: marker, now: now) }
        }
        guard differs else { return }
        let merged = store.copy(of: key, withHintsFrom: hints, now: now) ?? StoredObject()
        let marker = key.withUnsafeBytes { store.isEvictionMarker($0, hints: hints) }
        let mergedDigest = merged.causalDigest(key: key)
        for (node, copy) in copies {
            let behind: Bool
            switch copy {
            case .same: behind = basis != mergedDigest
            case .object(let object, _): behind = object?.causalDigest(key: key) != mergedDigest
            }
            guard behind else { continue }
            output.peers.addWrite(
                to: node, M.Write(requestID: 0, key: key, object: merged.encoded, hintFor: nil, marker: marker))
            stats.readRepairs += 1
        }
    }
}
