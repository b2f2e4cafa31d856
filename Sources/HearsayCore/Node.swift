import RESP

/// A Hearsay node: the pure core that the libuv runtime and the simulator drive.
///
/// Client requests come in through `execute`, which writes the reply into the
/// caller's ReplyBuffer at once (a single-node command never waits). Timers come
/// in through `tick`. The node reads no clock: every call carries `now`.
public struct Node {
    public var settings: NodeSettings
    public var keyspace: Keyspace
    public var stats = NodeStats()
    public var runtime = RuntimeFacts()
    /// Keyed client requests received per partition since start (HS.PARTITIONS).
    public internal(set) var partitionRequests: [Int]
    public var clients: [UInt64: ClientInfo] = [:]
    var rng: SeededGenerator
    /// The identity this process's writes carry in their dots. New on every start (the
    /// driver draws it), because an in-memory node that restarts has forgotten its dots.
    public let writer: NodeID
    /// The last dot counter this writer minted, for every key (see Node+Versioning).
    var lastDot: UInt64 = 0
    /// Timestamps for writes: hybrid logical time, never the raw wall clock.
    var clock: HybridLogicalClock
    /// The cluster side. A node that never joins one is a cluster of one (`joinCluster`).
    public internal(set) var cluster: ClusterState
    /// Effects that commands produced (a forget, later replica writes); the driver takes
    /// them with `takeEffects` after each batch of requests.
    var outbox: [NodeEffect] = []
    /// Replies to deferred requests, until the driver takes them (`takeClientReplies`).
    var clientReplies = ClientReplies()
    /// When true, `handle` leaves replication messages and request effects in the outbox
    /// and the driver takes them with `takeEffects` once per loop iteration, so everything a
    /// busy iteration produces for one peer leaves in one frame per message type.
    public var defersPeerMessages = false

    /// Moves the effects commands produced into `effects`; HS.FAULT's outgoing rules apply
    /// to them, a delay counting from `now`.
    public mutating func takeEffects(into effects: inout [NodeEffect], now: Now) {
        let start = effects.count
        flushOutbox(into: &effects)
        applyOutgoingFaults(&effects, from: start, now: now)
    }

    /// Hands over the replies deferred requests got since the last take, in the order they
    /// completed, for `replies` (emptied) in exchange. The driver delivers each to its
    /// client in request order (see `CommandOutcome.deferred`) after every `handle` and
    /// `takeEffects`: replies are the one effect that does not travel in `effects`.
    public mutating func takeClientReplies(into replies: inout ClientReplies) {
        replies.removeAll()
        guard !clientReplies.isEmpty else { return }
        swap(&replies, &clientReplies)
    }

    /// Moves the replication outbox and the commands' effects into `effects`.
    mutating func flushOutbox(into effects: inout [NodeEffect]) {
        if !cluster.outbox.isEmpty {
            // Taken out rather than read through `if let cluster`, which copied the state.
            var box = PeerOutbox()
            swap(&box, &cluster.outbox)
            let membership = cluster.membership
            box.flush(sender: cluster.settings.nodeID, address: { membership.member($0)?.address }, into: &outbox)
            cluster.outbox = box  // emptied, its buffers kept for the next batch
        }
        guard !outbox.isEmpty else { return }
        if effects.isEmpty {
            // Hand the array over rather than copy (and retain) every effect in it.
            swap(&effects, &outbox)
            return
        }
        effects.append(contentsOf: outbox)
        outbox.removeAll(keepingCapacity: true)
    }

    public init(settings: NodeSettings = NodeSettings()) {
        self.settings = settings
        keyspace = Keyspace(partitionCount: settings.partitionCount, maxMemoryBytes: settings.maxMemoryBytes)
        partitionRequests = Array(repeating: 0, count: settings.partitionCount)
        rng = SeededGenerator(seed: settings.randomSeed)
        writer = NodeID(settings.writerID)
        clock = HybridLogicalClock(maxSkewMilliseconds: settings.maxClockSkewMilliseconds)
        // Alone, and no peer will ever join: no other replica can need a tombstone.
        cluster = ClusterState(
            settings: ClusterSettings(nodeID: writer, address: ""), partitionCount: settings.partitionCount,
            seed: settings.randomSeed)
    }

    // MARK: Connections

    /// A new client session, registered for CLIENT LIST.
    public mutating func connect(id: UInt64, address: String, localAddress: String, now: Instant) -> ClientSession {
        clients[id] = ClientInfo(id: id, address: address, localAddress: localAddress, connectedAt: now)
        return ClientSession(id: id, authenticated: settings.requirePassword == nil)
    }

    public mutating func disconnect(id: UInt64) {
        clients[id] = nil
    }

    // MARK: Timers

    /// Periodic work: active expiry. The driver calls it every `activeExpiryIntervalMilliseconds`.
    public mutating func tick(now: Now) {
        _ = keyspace.expireDue(now: now, budget: settings.activeExpiryBudgetPerTick)
    }

    // MARK: Requests

    /// Executes one request and appends its reply to `reply`.
    public mutating func execute(
        _ a: Arguments, session: inout ClientSession, now: Now,
        reply: inout ReplyBuffer
    ) -> CommandOutcome {
        guard a.count > 0 else { return .proceed }
        stats.commandsProcessed &+= 1
        guard let id = CommandTable.lookupID(a[0]) else {
            stats.errorReplies += 1
            reply.error(ErrorText.unknownCommand(a))
            return .proceed
        }
        let arity = CommandTable.arity[Int(id.rawValue)]
        if arity > 0 ? a.count != arity : a.count < -arity {
            stats.errorReplies += 1
            reply.error(ErrorText.wrongArity(CommandTable.spec(id).nameString))
            return .proceed
        }
        if !session.authenticated && !CommandTable.allowedBeforeAuth(id) {
            stats.errorReplies += 1
            reply.error(ErrorText.noAuth)
            return .proceed
        }
        countKeyedRequest(id, a)
        if let outcome = route(id, a, &session, now, &reply) { return outcome }
        return dispatch(id, a, &session, now, &reply)
    }

    /// Runs a command against this node's own data (single node, or the coordinating replica).
    mutating func dispatch(
        _ id: CommandID, _ a: Arguments, _ session: inout ClientSession, _ now: Now,
        _ reply: inout ReplyBuffer
    ) -> CommandOutcome {
        switch id {
        case .get: get(a, now, &reply)
        case .set: set(a, now, &reply)
        case .ping: ping(a, &reply)
        case .echo: reply.bulk(a[1])
        case .hello: hello(a, &session, &reply)
        case .select: select(a, &reply)
        case .quit:
            reply.ok()
            return .closeAfterReply
        case .reset: reset(&session, &reply)
        case .auth: auth(a, &session, &reply)
        case .client: client(a, &session, now, &reply)
        case .command: command(a, &reply)
        case .info: info(a, now, &reply)
        case .dbsize: reply.integer(keyspace.liveCount)
        case .flushall, .flushdb: flush(a, &reply)
        case .time: time(now, &reply)
        case .config: config(a, &reply)
        case .function: function(a, &reply)
        case .object: object(a, now, &reply)
        case .memory: memory(a, now, &reply)
        case .debug: debug(a, &reply)
        case .setnx: setnx(a, now, &reply)
        case .setex: setex(a, now, unitMilliseconds: 1000, &reply)
        case .psetex: setex(a, now, unitMilliseconds: 1, &reply)
        case .getset: getset(a, now, &reply)
        case .getdel: getdel(a, now, &reply)
        case .getex: getex(a, now, &reply)
        case .mget: mget(a, now, &reply)
        case .mset: mset(a, now, &reply)
        case .msetnx: msetnx(a, now, &reply)
        case .strlen: strlen(a, now, &reply)
        case .append: append(a, now, &reply)
        case .getrange: getrange(a, now, &reply)
        case .incr: incrBy(a, 1, now, &reply)
        case .decr: incrBy(a, -1, now, &reply)
        case .incrby, .decrby: incrByArgument(a, negate: id == .decrby, now, &reply)
        case .incrbyfloat: incrByFloat(a, now, &reply)
        case .del, .unlink: del(a, now, &reply)
        case .exists: exists(a, now, &reply)
        case .expire: expire(a, now, base: now.wall, unitMilliseconds: 1000, &reply)
        case .pexpire: expire(a, now, base: now.wall, unitMilliseconds: 1, &reply)
        case .expireat: expire(a, now, base: .zero, unitMilliseconds: 1000, &reply)
        case .pexpireat: expire(a, now, base: .zero, unitMilliseconds: 1, &reply)
        case .expiretime: expireTime(a, now, divisor: 1000, &reply)
        case .pexpiretime: expireTime(a, now, divisor: 1, &reply)
        case .ttl: ttl(a, now, divisor: 1000, &reply)
        case .pttl: ttl(a, now, divisor: 1, &reply)
        case .persist: persist(a, now, &reply)
        case .type: type(a, now, &reply)
        case .keys: keys(a, now, &reply)
        case .scan: scan(a, now, &reply)
        case .randomkey: randomKey(now, &reply)
        case .sadd: sadd(a, now, &reply)
        case .srem: srem(a, now, &reply)
        case .smembers: smembers(a, now, &reply)
        case .sismember: sismember(a, now, &reply)
        case .smismember: smismember(a, now, &reply)
        case .scard: scard(a, now, &reply)
        case .srandmember: srandmember(a, now, &reply)
        case .spop: spop(a, now, &reply)
        case .hset: hset(a, now, legacy: false, &reply)
        case .hmset: hset(a, now, legacy: true, &reply)
        case .hsetnx: hsetnx(a, now, &reply)
        case .hget: hget(a, now, &reply)
        case .hmget: hmget(a, now, &reply)
        case .hdel: hdel(a, now, &reply)
        case .hgetall: hgetall(a, now, &reply)
        case .hlen: hlen(a, now, &reply)
        case .hexists: hexists(a, now, &reply)
        case .hkeys: hkeys(a, now, &reply)
        case .hvals: hvals(a, now, &reply)
        case .hincrby: hincrby(a, now, &reply)
        case .hsSiblings: siblings(a, now, &reply)
        case .hsGetctx: getContext(a, now, &reply)
        case .hsSetctx: setWithContext(a, now, &reply)
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
