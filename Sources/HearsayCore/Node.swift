import RESP

/// A Hearsay node: the pure core that the libuv runtime and the simulator drive.
///
/// Client requests come in through `execute`, which writes the reply into the
/// caller's ReplyBuffer at once (a single-node command never waits). Timers come
/// in through `tick`. The node reads no clock: every call carries `now`.
public struct Node {
    /// The keyspace and the commands over it.
    public internal(set) var store: Store
    public var runtime = RuntimeFacts()
    public var clients: [UInt64: ClientInfo] = [:]
    /// Values CONFIG SET gave to parameters that change nothing here (`InertConfig`).
    var inertConfig: [String: String] = [:]
    public var settings: NodeSettings { store.settings }
    public var keyspace: Keyspace { store.keyspace }
    public var writer: NodeID { store.writer }
    /// The cluster side. A node that never joins one is a cluster of one (`joinCluster`).
    public internal(set) var cluster: ClusterState
    /// Where keys live as this node's membership view has it.
    public internal(set) var topology: Topology
    /// Requests this node coordinates.
    public internal(set) var coordinator: Coordinator
    /// This node answering coordinators.
    public internal(set) var replica: Replica
    /// Writes kept for owners that were down.
    public internal(set) var hints: HintStore
    /// Merkle exchanges with other replicas, handoff and tombstone purging.
    public internal(set) var antiEntropy: AntiEntropy
    /// HS.FAULT's rules and the frames its delays hold.
    public internal(set) var faults = FaultInjector()
    /// What this node asks of its driver since the last `takeOutput` (the one way out).
    var output = NodeOutput()
    /// EXECs waiting on a command's coordinator, by the EXEC's ticket, and which EXEC each
    /// waited-on ticket belongs to: each waits on one request in flight, so at most
    /// `maxPendingRequests` of them.
    var execAssemblies: [UInt64: ExecAssembly] = [:]
    var execPartOf: [UInt64: UInt64] = [:]
    /// Per client, what WATCH read of keys this node does not own (HS.GETCTX replies), for
    /// its EXEC to compare; dropped with the client's watches. At most the watched keys.
    var remoteWatchReadings: [UInt64: [[UInt8]: [UInt8]]] = [:]

    /// Hands over everything produced since the last take, for `taken` (emptied) in exchange:
    /// replication messages framed as `.send` effects, HS.FAULT's outgoing rules applied (a
    /// delay counting from `now`), held frames now due, and the deferred client replies. The
    /// driver carries out `taken.effects` in order, then delivers `taken.replies`, each to
    /// its client in request order (see `CommandOutcome.deferred`).
    public mutating func takeOutput(into taken: inout NodeOutput, now: Now) {
        taken.removeAll()
        if !execPartOf.isEmpty { assembleExecReplies(now: now) }
        if !output.peers.isEmpty {
            let membership = cluster.membership
            output.peers.flush(
                sender: cluster.settings.nodeID, address: { membership.member($0)?.address }, into: &output.effects)
        }
        faults.applyOutgoing(to: &output.effects, from: 0, now: now, topology: topology)
        if !output.released.isEmpty {
            output.effects.append(contentsOf: output.released)
            output.released.removeAll(keepingCapacity: true)
        }
        swap(&taken, &output)
        // The peer batches stay with the node: their buffers are reused on the next turn.
        swap(&taken.peers, &output.peers)
    }

    public init(settings: NodeSettings = NodeSettings()) {
        store = Store(settings: settings)
        // Alone, and no peer will ever join: no other replica can need a tombstone.
        let alone = ClusterSettings(nodeID: store.writer, address: "")
        cluster = ClusterState(settings: alone, partitionCount: settings.partitionCount, seed: settings.randomSeed)
        topology = Topology(me: alone.nodeID, settings: alone, partitionCount: PartitionCount(settings.partitionCount))
        coordinator = Coordinator(settings: alone, seed: settings.randomSeed)
        replica = Replica(me: alone.nodeID)
        hints = HintStore(limits: alone.hintLimits)
        antiEntropy = AntiEntropy(settings: alone, partitionCount: settings.partitionCount, seed: settings.randomSeed)
    }

    // MARK: Connections

    /// A new client session, registered for CLIENT LIST.
    public mutating func connect(id: UInt64, address: String, localAddress: String, now: Instant) -> ClientSession {
        clients[id] = ClientInfo(id: id, address: address, localAddress: localAddress, connectedAt: now)
        return ClientSession(id: id, authenticated: settings.requirePassword == nil)
    }

    public mutating func disconnect(id: UInt64) {
        clients[id] = nil
        remoteWatchReadings[id] = nil
    }

    // MARK: Timers

    /// Periodic work: active expiry, then eviction if memory is still over the bound. The
    /// driver calls it every `activeExpiryIntervalMilliseconds`.
    public mutating func tick(now: Now) {
        store.expireDue(now: now)
        if store.keyspace.maxMemoryBytes > 0 { _ = makeRoom(now: now) }
    }

    /// A client sent bytes that are not RESP (INFO counts them).
    public mutating func noteProtocolError() { store.stats.protocolErrors += 1 }

    // MARK: Requests

    /// Executes one request and appends its reply to `reply`.
    public mutating func execute(
        _ a: Arguments, session: inout ClientSession, now: Now,
        reply: inout ReplyBuffer
    ) -> CommandOutcome {
        guard a.count > 0 else { return .proceed }
        if session.transaction != nil, let outcome = queueInTransaction(a, &session, now, &reply) { return outcome }
        if session.db != 0 || Databases.anyArgumentMarked(a) {
            return executeInDatabase(a, &session, now, &reply)
        }
        return executeStored(a, &session, now, &reply)
    }

    /// Runs a request of a database other than 0, or naming a key that begins with the marker
    /// byte, with its keys in their stored form (`Databases`).
    @inline(never)
    mutating func executeInDatabase(
        _ a: Arguments, _ session: inout ClientSession, _ now: Now, _ reply: inout ReplyBuffer
    ) -> CommandOutcome {
        guard let id = CommandTable.lookupID(a[0]), let stored = Databases.storedArguments(a, id, db: session.db) else {
            return executeStored(a, &session, now, &reply)
        }
        return stored.bytes.withUnsafeBytes { raw in
            executeStored(Arguments(base: raw.baseAddress, spans: stored.spans), &session, now, &reply)
        }
    }

    /// Runs one request whose keys are in their stored form (`Databases`).
    @inline(__always)
    mutating func executeStored(
        _ a: Arguments, _ session: inout ClientSession, _ now: Now, _ reply: inout ReplyBuffer
    ) -> CommandOutcome {
        store.stats.commandsProcessed &+= 1
        store.selectedDatabase = session.db
        guard let id = CommandTable.lookupID(a[0]) else {
            store.stats.errorReplies += 1
            reply.error(ErrorText.unknownCommand(a))
            return .proceed
        }
        let arity = CommandTable.arity[Int(id.rawValue)]
        if arity > 0 ? a.count != arity : a.count < -arity {
            store.stats.errorReplies += 1
            reply.error(ErrorText.wrongArity(CommandTable.spec(id).nameString))
            return .proceed
        }
        if !session.authenticated && !CommandTable.allowedBeforeAuth(id) {
            store.stats.errorReplies += 1
            reply.error(ErrorText.noAuth)
            return .proceed
        }
        // Past maxmemory, evict first (Redis's performEvictions runs before every command);
        // a command that may grow memory is refused when nothing more can go.
        if store.keyspace.maxMemoryBytes > 0 && !makeRoom(now: now)
            && CommandTable.deniedOnOOM[Int(id.rawValue)]
        {
            store.stats.errorReplies += 1
            reply.error(ErrorText.outOfMemory)
            return .proceed
        }
        store.keyspace.recordsAccess = !session.noTouch || id == .touch
        defer { store.keyspace.recordsAccess = true }
        countKeyedRequest(id, a)
        if let outcome = coordinator.route(
            id, a, &session, now, &reply, store: &store, hints: &hints, topology: &topology, output: &output)
        {
            return outcome
        }
        return dispatch(id, a, &session, now, &reply)
    }

    /// Runs a command here: a data command on this node's store (a node alone, or the
    /// coordinating replica), anything else as the node's own command.
    mutating func dispatch(
        _ id: CommandID, _ a: Arguments, _ session: inout ClientSession, _ now: Now,
        _ reply: inout ReplyBuffer
    ) -> CommandOutcome {
        if Store.isDataCommand(id) {
            store.dispatch(id, a, now, &reply)
            return .proceed
        }
        switch id {
        case .ping: ping(a, &reply)
        case .echo: reply.bulk(a[1])
        case .hello: hello(a, &session, &reply)
        case .select: select(a, &session, &reply)
        case .quit:
            reply.ok()
            return .closeAfterReply
        case .reset: reset(&session, &reply)
        case .auth: auth(a, &session, &reply)
        case .client: client(a, &session, now, &reply)
        case .command: command(a, &reply)
        case .info: info(a, now, &reply)
        case .time: time(now, &reply)
        case .config: config(a, &reply)
        case .function: function(a, &reply)
        case .debug: debug(a, &reply)
        case .hsMembers: members(&reply)
        case .hsRing: ring(a, &reply)
        case .hsForget: forgetCommand(a, now, &reply)
        case .hsConsistency: consistency(a, &session, &reply)
        case .hsStats: clusterStats(&reply)
        case .hsDigest: digest(a, now, &reply)
        case .hsPartitions: partitionsCommand(now, &reply)
        case .hsSiblingKeys: siblingKeysCommand(a, now, &reply)
        case .hsFault: faultCommand(a, &reply)
        case .hsAgreement: agreement(now, &reply)
        case .multi: multi(&session, &reply)
        case .exec: return exec(&session, now, &reply)
        case .discard: discard(&session, &reply)
        case .watch: return watch(a, &session, now, &reply)
        case .unwatch: unwatch(&session, &reply)
        default: preconditionFailure("\(id) is a data command")
        }
        return .proceed
    }
}

extension CommandTable {
    /// Commands a client may send before AUTH, as in Redis.
    static func allowedBeforeAuth(_ id: CommandID) -> Bool {
        switch id {
        case .auth, .hello, .quit, .reset: return true
        default: return false
        }
    }
}
