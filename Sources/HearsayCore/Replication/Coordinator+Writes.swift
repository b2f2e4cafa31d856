import RESP

/// Writes coordinated here: applied on this replica first (the dot is minted here), then sent
/// to the other owners, with hints for the owners that are down (see `Coordinator`).
extension Coordinator {
    mutating func coordinateWrite(
        _ id: CommandID, _ a: Arguments, _ keyRef: KeyRef, _ session: inout ClientSession, _ now: Now,
        _ partition: PartitionID, _ w: Int, _ sink: ReplySink?, _ reply: inout ReplyBuffer, store: inout Store,
        hints: inout HintStore, topology: inout Topology, output: inout NodeOutput
    ) -> CommandOutcome {
        let routes = topology.routes(partition)
        let targets = routes.writeTargets
        let localHints = routes.localHints
        let needed = w - 1
        // The coordinating replica applies the write first: it mints the dot on its own copy.
        if sink == nil && needed <= 0 {
            // W=1, the cache setting: answer inline, replicate in the background.
            let start = reply.count
            store.dispatch(id, a, now, &reply)
            if !reply.isError(from: start) {
                replicate(a[1], to: targets, requestID: 0, now: now, store: &store, output: &output)
                if !localHints.isEmpty {
                    stats.hintsStored += store.keepHints(Array(a[1]), for: localHints, in: &hints, now: now)
                }
            }
            return .proceed
        }
        let key = Array(a[1])
        guard targets.count >= needed else {
            return fail(.unreachable(reachable: targets.count + 1, quorum: w), sink, &reply, output: &output)
        }
        // A write at W >= 2 first reads the other owners' copies (W of them with itself), so
        // it sees every write acknowledged before it and replaces exactly those (see README).
        let owners = routes.reachableOwners
        let keyHash = keyRef.hash
        if needed > 0 && owners.count >= needed && Coordinator.isCheckable(id, a) && !preReadInFlight(keyHash) {
            return startCheckedWrite(
                a, keyRef, session, now, targets: targets, localHints: localHints, needed: needed, quorum: w,
                sink: sink, &reply, store: &store, hints: &hints, output: &output)
        }
        if needed > 0 && owners.count >= needed {
            let basis = store.basisDigest(keyRef)
            let read = PendingRead(
                needed: needed, arguments: StoredArguments(a), protocolVersion: session.protocolVersion,
                asked: AskedNodes(owners), quorum: w, basis: basis, keyHash: keyHash)
            notePreReadStarted(keyHash)
            let requestID = newRequest(
                sink: sink ?? .client(id: session.id, ticket: 0), kind: .preRead(read), now: now, output: &output)
            for node in owners { output.peers.addRead(to: node, requestID: requestID, key: a[1], basis: basis) }
            return sink == nil ? .deferred(ticket: requestID) : .proceed
        }
        var scratch = ReplyBuffer(capacity: 64, protocolVersion: session.protocolVersion)
        store.dispatch(id, a, now, &scratch)
        let result = Reply(scratch, from: 0)
        let failed = result.isError
        if !failed { stats.hintsStored += store.keepHints(key, for: localHints, in: &hints, now: now) }
        if failed || needed <= 0 {
            if !failed { replicate(key, to: targets, requestID: 0, now: now, store: &store, output: &output) }
            return deliver(result, sink, &reply, output: &output)
        }
        let requestID = newRequest(
            sink: sink ?? .client(id: session.id, ticket: 0),
            kind: .write(needed: needed, asked: AskedNodes(targets.map(\.0)), reply: result, quorum: w), now: now,
            output: &output)
        replicate(key, to: targets, requestID: requestID, now: now, store: &store, output: &output)
        return sink == nil ? .deferred(ticket: requestID) : .proceed
    }

    /// The second step of a W >= 2 write, once the other owners' copies are merged in.
    mutating func writeAfterPreRead(
        _ requestID: UInt64, arguments: StoredArguments, protocolVersion: Int, quorum w: Int, now: Now,
        store: inout Store, hints: inout HintStore, topology: inout Topology, output: inout NodeOutput
    ) {
        let reply = runStored(arguments, protocolVersion: protocolVersion, now: now, store: &store)
        guard !reply.isError else { return finish(requestID, reply, now: now, output: &output) }
        sendCopyAndAwait(
            requestID, key: arguments.key, reply: reply, quorum: w, now: now, store: &store, hints: &hints,
            topology: &topology, output: &output)
    }

    /// Sends this node's current copy of `key` to the write targets under `requestID`, which
    /// then completes with `reply` after W replicas hold it.
    mutating func sendCopyAndAwait(
        _ requestID: UInt64, key: [UInt8], reply: Reply, quorum w: Int, now: Now, store: inout Store,
        hints: inout HintStore, topology: inout Topology, output: inout NodeOutput
    ) {
        let routes = topology.routes(topology.partitionCount.partition(of: key))
        let targets = routes.writeTargets
        stats.hintsStored += store.keepHints(key, for: routes.localHints, in: &hints, now: now)
        replicate(key, to: targets, requestID: requestID, now: now, store: &store, output: &output)
        guard targets.count >= w - 1, var request = pending[requestID] else {
            return finish(
                requestID, ReplicationFailure.unreachable(reachable: targets.count + 1, quorum: w).reply,
                now: now, output: &output)
        }
        request.kind = .write(needed: w - 1, asked: AskedNodes(targets.map(\.0)), reply: reply, quorum: w)
        pending[requestID] = request
    }

    /// Sends the key's current object to `targets` (acknowledged under `requestID`, 0 = no ack).
    /// With `basis`, the owners' writes are checked writes (`Coordinator+CheckedWrite`); a
    /// stand-in's never are.
    mutating func replicate(
        _ key: [UInt8], to targets: [(NodeID, NodeID?)], requestID: UInt64, basis: UInt64? = nil, now: Now,
        store: inout Store, output: inout NodeOutput
    ) {
        key.withUnsafeBytes {
            replicate($0, to: targets, requestID: requestID, basis: basis, now: now, store: &store, output: &output)
        }
    }

    /// The same for a key given as raw bytes: the object is encoded once into a reused
    /// buffer and appended to each target's batch, so nothing is allocated per write.
    mutating func replicate(
        _ key: UnsafeRawBufferPointer, to targets: [(NodeID, NodeID?)], requestID: UInt64, basis: UInt64? = nil,
        now: Now, store: inout Store, output: inout NodeOutput
    ) {
        guard !targets.isEmpty else { return }
        var object = encodeScratch
        encodeScratch = ByteWriter(capacity: 0)
        object.removeAll()
        store.encodeObject(KeyRef(key), now: now, into: &object)
        object.withUnsafeBytes { bytes in
            for (node, hintFor) in targets {
                output.peers.addWrite(
                    to: node, requestID: requestID, key: key, object: bytes, hintFor: hintFor,
                    basis: hintFor == nil ? basis : nil)
            }
        }
        encodeScratch = object
    }
}

/// Keeps a connection's writes to one key in order when some go as checked writes.
///
/// A pre-read write (DEL, INCR, SET NX ...) runs only when its replicas answer, while a
/// checked SET runs at once: a SET pipelined behind a pending DEL of the same key would
/// otherwise run first and then be deleted. So a SET takes the checked path only while no
/// pre-read of its key is in flight here; behind one it takes the pre-read path too, whose
/// answers arrive after the earlier ones on every link. Pre-reads are counted in a small
/// table by key hash: a collision only sends a SET down the slower path, never out of order.
/// Checked writes need no such guard among themselves: each runs in arrival order, and one
/// made again on a merge is made only while it is still this node's latest write of the key
/// (`Coordinator+CheckedWrite`).
extension Coordinator {
    private static func preReadSlot(_ keyHash: UInt64) -> Int { Int(truncatingIfNeeded: keyHash >> 54) }

    func preReadInFlight(_ keyHash: UInt64) -> Bool {
        preReadsInFlight[Coordinator.preReadSlot(keyHash)] > 0
    }

    mutating func notePreReadStarted(_ keyHash: UInt64) {
        let slot = Coordinator.preReadSlot(keyHash)
        preReadsInFlight[slot] = preReadsInFlight[slot] &+ 1
    }

    mutating func notePreReadEnded(_ keyHash: UInt64) {
        let slot = Coordinator.preReadSlot(keyHash)
        // Every end matches a start; tests (debug builds) check it, a release node never traps on it.
        assert(preReadsInFlight[slot] > 0, "pre-read count underflow")
        if preReadsInFlight[slot] > 0 { preReadsInFlight[slot] -= 1 }
    }
}
