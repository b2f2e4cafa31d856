import RESP

/// Where a client request runs in a cluster.
///
/// A command on one key runs on a replica of the key: here when this node is one of the
/// key's N owners, otherwise it is forwarded to the first owner this node sees alive. The
/// coordinating replica applies a write to its own copy (minting the dot there), sends the
/// resulting object to the other reachable owners (and, for each owner that is down, to the
/// next reachable node of the preference list, with a hint), and replies after W replicas
/// (itself included) hold it. A read asks the other owners, waits for R copies, merges them
/// into its own (read repair for itself), answers from the merge, and sends the merge back
/// to the replicas that were behind. Commands on many keys fan out per key and gather.
/// Keyless commands (PING, INFO, DBSIZE, KEYS, SCAN, FLUSHALL) run on this node alone.
extension Node {
    /// Routes a keyed command; nil means "run it here, as on a single node".
    mutating func route(
        _ id: CommandID, _ a: Arguments, _ session: inout ClientSession, _ now: Now,
        _ reply: inout ReplyBuffer
    ) -> CommandOutcome? {
        let (first, last, _) = CommandTable.keyPositions[Int(id.rawValue)]
        guard first == 1 else { return nil }
        // A cluster of one is a single node: every key is here, nothing to replicate.
        if cluster.isAlone { return nil }
        if cluster.pending.count >= cluster.settings.maxPendingRequests {
            reply.error("BUSY too many requests in flight on this node")
            return .proceed
        }
        let paired = id == .mset || id == .msetnx
        // A malformed MSET runs here, where it gets Redis's arity error.
        if paired && a.count % 2 == 0 { return nil }
        let fansOut = last != 1 && a.count > (paired ? 3 : 2)
        // Refused before anything is applied: its replica messages could not be sent.
        if Node.largestKeyPayload(a, fansOut: fansOut, paired: paired) > Node.maximumKeyPayloadBytes {
            reply.error(
                "ERR request too large to replicate: at most \(Node.maximumKeyPayloadBytes) bytes of arguments per key")
            return .proceed
        }
        if fansOut { return fanOut(id, a, &session, now) }
        return routeSingle(id, a, &session, now, sink: nil, &reply)
    }

    /// How many argument bytes one key's request may carry in a cluster: what one replica
    /// message holds, less room for the object's versions and the message's fields.
    public static let maximumKeyPayloadBytes = PeerOutbox.maximumMessageBytes - 64 * 1024

    /// The argument bytes of the largest per-key request `a` makes: all arguments after the
    /// command for a one-key command; per key (and value, for MSET) when it fans out.
    static func largestKeyPayload(_ a: Arguments, fansOut: Bool, paired: Bool) -> Int {
        var largest = 0
        if fansOut {
            let step = paired ? 2 : 1
            var i = 1
            while i < a.count {
                largest = max(largest, a[i].count + (paired ? a[i + 1].count : 0))
                i += step
            }
        } else {
            for i in 1..<a.count { largest += a[i].count }
        }
        return largest
    }

    /// The connection's quorums (see `ClusterState.quorums`). Mutating for the same reason.
    mutating func quorums(_ session: ClientSession) -> (read: Int, write: Int) {
        cluster.quorums(session)
    }

    /// Routes a one-key command. With `sink` nil an immediate answer goes into `reply`;
    /// otherwise every answer goes to the sink.
    mutating func routeSingle(
        _ id: CommandID, _ a: Arguments, _ session: inout ClientSession, _ now: Now,
        sink: ReplySink?, _ reply: inout ReplyBuffer, hops: UInt8 = 0
    ) -> CommandOutcome {
        // The key is hashed once here for its partition, its digest and the pre-read count.
        let key = KeyRef(a[1])
        let partition = cluster.partitionCount.partition(ofHash: key.hash)
        let placement = cluster.placement
        let owners = placement.replicas(for: partition)
        let me = cluster.settings.nodeID
        if owners.contains(me) || hops > 0 {
            return coordinate(
                id, a, key, &session, now, partition: partition, placement: placement, sink: sink, &reply)
        }
        guard let owner = owners.first(where: { cluster.isReachable($0) }) else {
            return answer("-NOREPLICA no replica of this key is reachable\r\n", sink, &reply)
        }
        cluster.replication.forwarded += 1
        let requestID = newRequest(sink: sink ?? .client(id: session.id, ticket: 0), kind: .forwarded, now: now)
        let (r, w) = quorums(session)
        let forward = ReplicationMessages.Forward(
            requestID: requestID, readQuorum: UInt8(clamping: r), writeQuorum: UInt8(clamping: w), hops: hops + 1,
            protocolVersion: UInt8(clamping: session.protocolVersion), arguments: (0..<a.count).map { a.bytes($0) })
        output.peers.forwards[owner, default: []].append(forward)
        return sink == nil ? .deferred(ticket: requestID) : .proceed
    }

    /// Sends a finished reply where it belongs: inline when the client waits on this call.
    mutating func answer(_ text: String, _ sink: ReplySink?, _ reply: inout ReplyBuffer) -> CommandOutcome {
        deliver(Array(text.utf8), sink, &reply)
    }

    /// Registers a pending request with a deadline; a client sink gets the request id as ticket.
    mutating func newRequest(sink: ReplySink, kind: consuming PendingRequest.Kind, now: Now) -> UInt64 {
        let requestID = cluster.nextRequestID
        cluster.nextRequestID &+= 1
        var resolved = sink
        if case .client(let client, _) = sink { resolved = .client(id: client, ticket: requestID) }
        let deadline = now.monotonic.adding(milliseconds: cluster.settings.requestTimeoutMilliseconds)
        cluster.pending.insert(
            requestID, PendingRequest(sink: resolved, kind: kind, deadline: deadline, started: now.monotonic))
        armDeadlineSweep(now)
        return requestID
    }

    /// A tenth of the request timeout: how often pending requests are swept, so how late a
    /// request may fail past its deadline, and how long a read waits for its first owners.
    var requestSweepMilliseconds: Int64 { max(1, cluster.settings.requestTimeoutMilliseconds / 10) }

    mutating func armDeadlineSweep(_ now: Now) {
        guard !cluster.deadlineSweepArmed else { return }
        cluster.deadlineSweepArmed = true
        output.effects.append(
            .setTimer(.requestDeadlines, at: now.monotonic.adding(milliseconds: requestSweepMilliseconds)))
    }

    /// Fails every request past its deadline, and widens reads whose first owners are slow
    /// (both in id order, so runs replay exactly).
    mutating func sweepRequestDeadlines(now: Now) {
        cluster.deadlineSweepArmed = false
        var expired: [UInt64] = []
        var slowReads: [UInt64] = []
        let retryAfter = requestSweepMilliseconds
        for (id, request) in cluster.pending {
            if request.deadline <= now.monotonic {
                expired.append(id)
            } else if request.started.adding(milliseconds: retryAfter) <= now.monotonic,
                case .read(let read) = request.kind,
                read.unaskedIn != nil
            {
                slowReads.append(id)
            }
        }
        expired.sort()
        for id in expired { requestDeadline(id, now: now) }
        slowReads.sort()
        for id in slowReads { askRemainingOwners(id, now: now) }
        if !cluster.pending.isEmpty { armDeadlineSweep(now) }
    }

    /// Runs a one-key command here as its coordinating replica.
    mutating func coordinate(
        _ id: CommandID, _ a: Arguments, _ key: KeyRef, _ session: inout ClientSession, _ now: Now,
        partition: PartitionID, placement: Placement, sink: ReplySink?,
        _ reply: inout ReplyBuffer
    ) -> CommandOutcome {
        cluster.replication.coordinated += 1
        let (r, w) = quorums(session)
        if CommandTable.isWrite[Int(id.rawValue)] {
            return coordinateWrite(id, a, key, &session, now, partition, placement, w, sink, &reply)
        }
        if r <= 1 {
            return runHere(id, a, &session, now, sink, &reply)
        }
        let others = cluster.topology.routes(partition).reachableOwners
        guard others.count + 1 >= r else {
            return answer("-NOQUORUM \(others.count + 1) of \(r) replicas reachable\r\n", sink, &reply)
        }
        // Ask R - 1 owners, as Cassandra does, not all: the other answers were pure cost. The
        // first in preference order, which differs from partition to partition, so reads spread
        // over the owners by key; one key's reads all go to one owner and complete together,
        // so a client's pipelined replies leave in one write rather than one per owner.
        let basis = basisDigest(key)
        let read = PendingRead(
            needed: r - 1, arguments: StoredArguments(a), protocolVersion: session.protocolVersion,
            quorum: r, basis: basis, unaskedIn: others.count > r - 1 ? partition : nil)
        let requestID = newRequest(sink: sink ?? .client(id: session.id, ticket: 0), kind: .read(read), now: now)
        for node in others.prefix(r - 1) {
            output.peers.addRead(to: node, requestID: requestID, key: a[1], basis: basis)
        }
        return sink == nil ? .deferred(ticket: requestID) : .proceed
    }

    /// A read whose first R - 1 owners have not all answered asks every reachable owner that
    /// has not (a down owner membership has not noticed yet would otherwise fail the read).
    mutating func askRemainingOwners(_ requestID: UInt64, now: Now) {
        guard var pending = cluster.pending[requestID], case .read(var read) = pending.kind,
            let partition = read.unaskedIn
        else { return }
        read.unaskedIn = nil
        let key = read.arguments.key
        for node in cluster.topology.routes(partition).reachableOwners
        where !read.copies.contains(where: { $0.0 == node }) {
            key.withUnsafeBytes { output.peers.addRead(to: node, requestID: requestID, key: $0, basis: read.basis) }
        }
        cluster.replication.readsRetried += 1
        pending.kind = .read(read)
        cluster.pending[requestID] = pending
    }

    /// Runs a command against local data and sends its reply to the sink (or inline).
    mutating func runHere(
        _ id: CommandID, _ a: Arguments, _ session: inout ClientSession, _ now: Now,
        _ sink: ReplySink?, _ reply: inout ReplyBuffer
    ) -> CommandOutcome {
        guard let sink else { return dispatch(id, a, &session, now, &reply) }
        var scratch = ReplyBuffer(capacity: 256, protocolVersion: session.protocolVersion)
        _ = dispatch(id, a, &session, now, &scratch)
        complete(sink, scratch.bytes)
        return .proceed
    }

    mutating func coordinateWrite(
        _ id: CommandID, _ a: Arguments, _ keyRef: KeyRef, _ session: inout ClientSession, _ now: Now,
        _ partition: PartitionID, _ placement: Placement, _ w: Int, _ sink: ReplySink?,
        _ reply: inout ReplyBuffer
    ) -> CommandOutcome {
        let routes = cluster.topology.routes(partition)
        let targets = routes.writeTargets
        let localHints = routes.localHints
        let needed = w - 1
        // The coordinating replica applies the write first: it mints the dot on its own copy.
        if sink == nil && needed <= 0 {
            // W=1, the cache setting: answer inline, replicate in the background.
            let start = reply.count
            let outcome = dispatch(id, a, &session, now, &reply)
            if reply.byte(at: start) != UInt8(ascii: "-") {
                replicate(a[1], to: targets, requestID: 0, now: now)
                if !localHints.isEmpty { keepHints(Array(a[1]), for: localHints, now: now) }
            }
            return outcome
        }
        let key = Array(a[1])
        guard targets.count >= needed else {
            return answer("-NOQUORUM \(targets.count + 1) of \(w) replicas reachable\r\n", sink, &reply)
        }
        // A write at W >= 2 first reads the other owners' copies (W of them with itself), so
        // it sees every write acknowledged before it and replaces exactly those (see README).
        let owners = routes.reachableOwners
        let keyHash = keyRef.hash
        if needed > 0 && owners.count >= needed && Node.isCheckable(id, a) && !preReadInFlight(keyHash) {
            return startCheckedWrite(
                a, keyRef, &session, now, targets: targets, localHints: localHints, needed: needed, quorum: w,
                sink: sink, &reply)
        }
        if needed > 0 && owners.count >= needed {
            let basis = basisDigest(keyRef)
            let read = PendingRead(
                needed: needed, arguments: StoredArguments(a),
                protocolVersion: session.protocolVersion, quorum: w, basis: basis, keyHash: keyHash)
            notePreReadStarted(keyHash)
            let requestID = newRequest(sink: sink ?? .client(id: session.id, ticket: 0), kind: .preRead(read), now: now)
            for node in owners { output.peers.addRead(to: node, requestID: requestID, key: a[1], basis: basis) }
            return sink == nil ? .deferred(ticket: requestID) : .proceed
        }
        var scratch = ReplyBuffer(capacity: 64, protocolVersion: session.protocolVersion)
        _ = dispatch(id, a, &session, now, &scratch)
        let failed = scratch.byte(at: 0) == UInt8(ascii: "-")
        if !failed { keepHints(key, for: localHints, now: now) }
        if failed || needed <= 0 {
            if !failed { replicate(key, to: targets, requestID: 0, now: now) }
            return deliver(scratch.bytes, sink, &reply)
        }
        let requestID = newRequest(
            sink: sink ?? .client(id: session.id, ticket: 0),
            kind: .write(needed: needed, acked: 0, asked: targets.count, reply: scratch.bytes, quorum: w), now: now)
        replicate(key, to: targets, requestID: requestID, now: now)
        return sink == nil ? .deferred(ticket: requestID) : .proceed
    }

    /// The second step of a W >= 2 write, once the other owners' copies are merged in.
    mutating func writeAfterPreRead(
        _ requestID: UInt64, arguments: StoredArguments, protocolVersion: Int, quorum w: Int, now: Now
    ) {
        let reply = runStored(arguments, protocolVersion: protocolVersion, now: now)
        guard reply.first != UInt8(ascii: "-") else { return finish(requestID, reply, now: now) }
        sendCopyAndAwait(requestID, key: arguments.key, reply: reply, quorum: w, now: now)
    }

    /// Sends this node's current copy of `key` to the write targets under `requestID`, which
    /// then completes with `reply` after W replicas hold it.
    mutating func sendCopyAndAwait(_ requestID: UInt64, key: [UInt8], reply: [UInt8], quorum w: Int, now: Now) {
        let placement = cluster.placement
        let routes = cluster.topology.routes(cluster.partitionCount.partition(of: key))
        let targets = routes.writeTargets
        keepHints(key, for: routes.localHints, now: now)
        replicate(key, to: targets, requestID: requestID, now: now)
        guard targets.count >= w - 1, var pending = cluster.pending[requestID] else {
            return finish(
                requestID, Array("-NOQUORUM \(targets.count + 1) of \(w) replicas reachable\r\n".utf8),
                now: now)
        }
        pending.kind = .write(needed: w - 1, acked: 0, asked: targets.count, reply: reply, quorum: w)
        cluster.pending[requestID] = pending
    }

    /// A reply already complete: inline when the client waits on this call, else to the sink.
    mutating func deliver(_ bytes: [UInt8], _ sink: ReplySink?, _ reply: inout ReplyBuffer) -> CommandOutcome {
        if let sink {
            complete(sink, bytes)
        } else {
            bytes.withUnsafeBytes { reply.raw($0) }
        }
        return .proceed
    }

    /// Keeps this node's copy of `key` as a hint for each down owner in `owners`.
    mutating func keepHints(_ key: [UInt8], for owners: [NodeID], now: Now) {
        guard !owners.isEmpty else { return }
        let object: StoredObject? = key.withUnsafeBytes { raw in
            store.keyspace.entry(KeyRef(raw), now: now).map(CompactObject.materialize)
        }
        guard let object else { return }
        for owner in owners {
            cluster.hints.store(owner: owner, key: key, object: object, now: now.monotonic)
            cluster.replication.hintsStored += 1
        }
    }

    /// Sends the key's current object to `targets` (acknowledged under `requestID`, 0 = no ack).
    /// With `basis`, the owners' writes are checked writes (`Node+CheckedWrite`); a stand-in's never are.
    mutating func replicate(
        _ key: [UInt8], to targets: [(NodeID, NodeID?)], requestID: UInt64, basis: UInt64? = nil, now: Now
    ) {
        key.withUnsafeBytes { replicate($0, to: targets, requestID: requestID, basis: basis, now: now) }
    }

    /// The same for a key given as raw bytes: the object is encoded once into a reused
    /// buffer and appended to each target's batch, so nothing is allocated per write.
    mutating func replicate(
        _ key: UnsafeRawBufferPointer, to targets: [(NodeID, NodeID?)], requestID: UInt64, basis: UInt64? = nil,
        now: Now
    ) {
        guard !targets.isEmpty else { return }
        var object = cluster.encodeScratch
        cluster.encodeScratch = ByteWriter(capacity: 0)
        object.removeAll()
        if let entry = store.keyspace.entry(KeyRef(key), now: now) {
            CompactObject.encode(entry, into: &object)
        } else {
            StoredObject().encode(into: &object)
        }
        object.withUnsafeBytes { bytes in
            for (node, hintFor) in targets {
                output.peers.addWrite(
                    to: node, requestID: requestID, key: key, object: bytes, hintFor: hintFor,
                    basis: hintFor == nil ? basis : nil)
            }
        }
        cluster.encodeScratch = object
    }
}
