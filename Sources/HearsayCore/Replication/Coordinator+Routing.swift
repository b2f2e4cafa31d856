import RESP

/// Routing: where a keyed client request runs, and reads coordinated here.
extension Coordinator {
    /// Routes a keyed command; nil means "run it here, as on a single node".
    mutating func route(
        _ id: CommandID, _ a: Arguments, _ session: inout ClientSession, _ now: Now, _ reply: inout ReplyBuffer,
        store: inout Store, hints: inout HintStore, topology: inout Topology, output: inout NodeOutput
    ) -> CommandOutcome? {
        let (first, last, _) = CommandTable.keyPositions[Int(id.rawValue)]
        // WATCH names keys but reads this node's copies (Node+Transactions).
        guard first == 1, id != .watch else { return nil }
        // A cluster of one is a single node: every key is here, nothing to replicate.
        if topology.isAlone { return nil }
        if pending.count >= settings.maxPendingRequests {
            ReplicationFailure.busy.reply.write(into: &reply)
            return .proceed
        }
        if !topology.joined && CommandTable.isWrite[Int(id.rawValue)] {
            ReplicationFailure.notJoined.reply.write(into: &reply)
            return .proceed
        }
        let paired = id == .mset || id == .msetnx
        // A malformed MSET runs here, where it gets Redis's arity error.
        if paired && a.count % 2 == 0 { return nil }
        let fansOut = last != 1 && a.count > (paired ? 3 : 2)
        // Refused before anything is applied: its replica messages could not be sent.
        if Coordinator.largestKeyPayload(a, fansOut: fansOut, paired: paired) > Coordinator.maximumKeyPayloadBytes {
            ReplicationFailure.tooLarge(limit: Coordinator.maximumKeyPayloadBytes).reply.write(into: &reply)
            return .proceed
        }
        if fansOut {
            return fanOut(id, a, &session, now, store: &store, hints: &hints, topology: &topology, output: &output)
        }
        return routeSingle(
            id, a, &session, now, sink: nil, &reply, store: &store, hints: &hints, topology: &topology, output: &output)
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

    /// Routes a one-key command. With `sink` nil an immediate answer goes into `reply`;
    /// otherwise every answer goes to the sink.
    mutating func routeSingle(
        _ id: CommandID, _ a: Arguments, _ session: inout ClientSession, _ now: Now,
        sink: ReplySink?, _ reply: inout ReplyBuffer, hops: UInt8 = 0, store: inout Store, hints: inout HintStore,
        topology: inout Topology, output: inout NodeOutput
    ) -> CommandOutcome {
        // The key is hashed once here for its partition, its digest and the pre-read count.
        let key = KeyRef(a[1])
        let partition = topology.partitionCount.partition(ofHash: key.hash)
        let owners = topology.placement.replicas(for: partition)
        if owners.contains(topology.me) || hops > 0 {
            return coordinate(
                id, a, key, &session, now, partition: partition, sink: sink, &reply, store: &store, hints: &hints,
                topology: &topology, output: &output)
        }
        guard let owner = owners.first(where: { topology.isReachable($0) }) else {
            return fail(.noReplica, sink, &reply, output: &output)
        }
        stats.forwarded += 1
        let requestID = newRequest(
            sink: sink ?? .client(id: session.id, ticket: 0), kind: .forwarded, now: now, output: &output)
        let (r, w) = quorums(session, topology)
        let forward = M.Forward(
            requestID: requestID, readQuorum: UInt8(clamping: r), writeQuorum: UInt8(clamping: w), hops: hops + 1,
            protocolVersion: UInt8(clamping: session.protocolVersion), arguments: (0..<a.count).map { a.bytes($0) })
        output.peers.forwards[owner, default: []].append(forward)
        return sink == nil ? .deferred(ticket: requestID) : .proceed
    }

    /// A request another node handed over: run here as its coordinator.
    mutating func runForwarded(
        _ forward: M.Forward, from sender: NodeID, now: Now, store: inout Store, hints: inout HintStore,
        topology: inout Topology, output: inout NodeOutput
    ) {
        var session = ClientSession(id: 0, authenticated: true)
        session.protocolVersion = Int(forward.protocolVersion)
        session.readQuorum = Int(forward.readQuorum)
        session.writeQuorum = Int(forward.writeQuorum)
        let sink = ReplySink.peer(sender, requestID: forward.requestID)
        withArguments(forward.arguments) { a in
            var unused = ReplyBuffer(capacity: 0)
            guard let id = CommandTable.lookupID(a[0]), a.count >= 2, Store.isDataCommand(id) else {
                complete(sink, ReplicationFailure.malformedForward.reply, output: &output)
                return
            }
            if !topology.joined && CommandTable.isWrite[Int(id.rawValue)] {
                complete(sink, ReplicationFailure.notJoined.reply, output: &output)
                return
            }
            _ = routeSingle(
                id, a, &session, now, sink: sink, &unused, hops: forward.hops, store: &store, hints: &hints,
                topology: &topology, output: &output)
        }
    }

    /// Runs a one-key command here as its coordinating replica.
    mutating func coordinate(
        _ id: CommandID, _ a: Arguments, _ key: KeyRef, _ session: inout ClientSession, _ now: Now,
        partition: PartitionID, sink: ReplySink?, _ reply: inout ReplyBuffer, store: inout Store,
        hints: inout HintStore, topology: inout Topology, output: inout NodeOutput
    ) -> CommandOutcome {
        precondition(Store.isDataCommand(id), "a keyed request that is not a data command: \(id)")
        stats.coordinated += 1
        let (r, w) = quorums(session, topology)
        if CommandTable.isWrite[Int(id.rawValue)] {
            return coordinateWrite(
                id, a, key, &session, now, partition, w, sink, &reply, store: &store, hints: &hints,
                topology: &topology, output: &output)
        }
        if r <= 1 {
            return runHere(id, a, session, now, sink, &reply, store: &store, output: &output)
        }
        let others = topology.routes(partition).reachableOwners
        guard others.count + 1 >= r else {
            return fail(.unreachable(reachable: others.count + 1, quorum: r), sink, &reply, output: &output)
        }
        // Ask R - 1 owners, as Cassandra does, not all: the other answers were pure cost. The
        // first in preference order, which differs from partition to partition, so reads spread
        // over the owners by key; one key's reads all go to one owner and complete together,
        // so a client's pipelined replies leave in one write rather than one per owner.
        let basis = store.basisDigest(key)
        let read = PendingRead(
            needed: r - 1, arguments: StoredArguments(a), protocolVersion: session.protocolVersion,
            asked: AskedNodes(others.prefix(r - 1)), quorum: r, basis: basis,
            unaskedIn: others.count > r - 1 ? partition : nil)
        let requestID = newRequest(
            sink: sink ?? .client(id: session.id, ticket: 0), kind: .read(read), now: now, output: &output)
        for node in others.prefix(r - 1) {
            output.peers.addRead(to: node, requestID: requestID, key: a[1], basis: basis)
        }
        return sink == nil ? .deferred(ticket: requestID) : .proceed
    }

    /// A read whose first R - 1 owners have not all answered asks every reachable owner that
    /// has not (a down owner membership has not noticed yet would otherwise fail the read).
    mutating func askRemainingOwners(
        _ requestID: UInt64, now: Now, topology: inout Topology, output: inout NodeOutput
    ) {
        guard var request = pending[requestID], case .read(var read) = request.kind,
            let partition = read.unaskedIn
        else { return }
        read.unaskedIn = nil
        let key = read.arguments.key
        for node in topology.routes(partition).reachableOwners where !read.asked.contains(node) {
            read.asked.insert(node)
            key.withUnsafeBytes { output.peers.addRead(to: node, requestID: requestID, key: $0, basis: read.basis) }
        }
        stats.readsRetried += 1
        request.kind = .read(read)
        pending[requestID] = request
    }

    /// Runs a command against local data and sends its reply to the sink (or inline).
    mutating func runHere(
        _ id: CommandID, _ a: Arguments, _ session: ClientSession, _ now: Now, _ sink: ReplySink?,
        _ reply: inout ReplyBuffer, store: inout Store, output: inout NodeOutput
    ) -> CommandOutcome {
        guard let sink else {
            store.dispatch(id, a, now, &reply)
            return .proceed
        }
        var scratch = ReplyBuffer(capacity: 256, protocolVersion: session.protocolVersion)
        store.dispatch(id, a, now, &scratch)
        complete(sink, Reply(scratch, from: 0), output: &output)
        return .proceed
    }

    // MARK: Many keys

    /// MGET, MSET, MSETNX, DEL, UNLINK, EXISTS, TOUCH over several keys: one sub-request per key,
    /// each routed on its own, combined when all have answered.
    mutating func fanOut(
        _ id: CommandID, _ a: Arguments, _ session: inout ClientSession, _ now: Now, store: inout Store,
        hints: inout HintStore, topology: inout Topology, output: inout NodeOutput
    )
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
            case .touch: ("TOUCH", .touch, .sum)
            default: ("EXISTS", .exists, .sum)
            }
        let step = paired ? 2 : 1
        let keys = Array(stride(from: 1, to: a.count, by: step))
        let parent = newRequest(
            sink: .client(id: session.id, ticket: 0),
            kind: .multi(
                parts: Array(repeating: nil, count: keys.count), combine: combine,
                protocolVersion: session.protocolVersion), now: now, output: &output)
        var unused = ReplyBuffer(capacity: 0)
        for (index, position) in keys.enumerated() {
            var words: [[UInt8]] = [Array(sub.utf8), a.bytes(position)]
            if paired { words.append(a.bytes(position + 1)) }
            withArguments(words) { subArguments in
                _ = routeSingle(
                    subID, subArguments, &session, now, sink: .part(parent: parent, index: index), &unused,
                    store: &store, hints: &hints, topology: &topology, output: &output)
            }
        }
        return .deferred(ticket: parent)
    }

    /// The reply of a multi-key request from its parts' replies.
    static func combine(_ parts: [Reply], _ combine: Combine, protocolVersion: Int) -> Reply {
        switch combine {
        case .array:
            // MGET: an error part shows as nil, as Redis does for a key of another type.
            var out = ReplyBuffer(capacity: 64, protocolVersion: protocolVersion)
            out.arrayHeader(parts.count)
            for part in parts {
                if part.isError { out.null() } else { part.write(into: &out) }
            }
            return .encoded(out.bytes)
        case .allOK:
            return parts.first(where: \.isError) ?? .ok
        case .sum, .allOne:
            if let error = parts.first(where: \.isError) { return error }
            let values = parts.map { part -> Int64 in
                if case .integer(let value) = part { value } else { 0 }
            }
            if combine == .allOne { return .integer(values.allSatisfy { $0 == 1 } ? 1 : 0) }
            return .integer(values.reduce(0, +))
        }
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
