import RESP

/// The keyspace and the Redis commands over it: the node's data, and the only machine that
/// reads or writes it. A command runs here when a key's coordinating replica (or a node alone)
/// applies it; replication never touches the keyspace but through this type's methods.
///
/// Every write mints a dot of `writer` from `lastDot` and a hybrid timestamp from `clock`, so
/// the store is also where versions are made (`Store+Versioning`).
public struct Store {
    public internal(set) var settings: NodeSettings
    public internal(set) var keyspace: Keyspace
    public internal(set) var stats = NodeStats()
    /// Keyed client requests received per partition since start (HS.PARTITIONS).
    public internal(set) var partitionRequests: [Int]
    /// The identity this process's writes carry in their dots. New on every start (the
    /// driver draws it), because an in-memory node that restarts has forgotten its dots.
    public let writer: NodeID
    /// The last dot counter this writer minted, for every key (see Store+Versioning).
    var lastDot: UInt64 = 0
    /// Timestamps for writes: hybrid logical time, never the raw wall clock.
    var clock: HybridLogicalClock
    /// RANDOMKEY, SRANDMEMBER and SPOP draw from it.
    var rng: SeededGenerator
    /// Which keys to evict past maxmemory.
    public internal(set) var evictor: Evictor
    /// Keys evicted in a cluster whose marker the node has yet to send (drained after each
    /// `makeRoom`, so at most `evictionBudgetPerCall`).
    var evictedKeys: [[UInt8]] = []
    /// The database of the client whose command runs (`Databases`): what KEYS, SCAN,
    /// RANDOMKEY, DBSIZE and FLUSHDB read.
    var selectedDatabase = 0
    /// For the simulator's checker, when set: each eviction's key and the causal context it
    /// removed (the versions it saw), at most `evictionLogLimit` until drained. Nil (off) in
    /// a running node.
    var evictionLog: [(key: [UInt8], context: CausalContext)]? = nil
    static let evictionLogLimit = 100_000

    init(settings: NodeSettings) {
        self.settings = settings
        keyspace = Keyspace(partitionCount: settings.partitionCount, maxMemoryBytes: settings.maxMemoryBytes)
        partitionRequests = Array(repeating: 0, count: settings.partitionCount)
        writer = NodeID(settings.writerID)
        clock = HybridLogicalClock(maxSkewMilliseconds: settings.maxClockSkewMilliseconds)
        rng = SeededGenerator(seed: settings.randomSeed)
        evictor = Evictor(seed: settings.randomSeed)
        applyEvictionSettings()
    }

    /// Brings the keyspace's access tracking and the evictor in line with `settings`.
    mutating func applyEvictionSettings() {
        keyspace.maxMemoryBytes = settings.maxMemoryBytes
        keyspace.accessTracking = settings.accessTracking
        evictor.configure(policy: settings.evictionPolicy, samples: settings.evictionSamples)
    }

    /// Runs a data command (one that `isDataCommand` accepts) against this store.
    mutating func dispatch(_ id: CommandID, _ a: Arguments, _ now: Now, _ reply: inout ReplyBuffer) {
        switch id {
        case .get: get(a, now, &reply)
        case .set: set(a, now, &reply)
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
        case .touch: touch(a, now, &reply)
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
        case .dbsize: reply.integer(keyspace.count(inDatabase: selectedDatabase, now: now.wall).keys)
        case .flushall: flush(a, database: nil, &reply)
        case .flushdb: flush(a, database: selectedDatabase, &reply)
        case .object: object(a, now, &reply)
        case .memory: memory(a, now, &reply)
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
        default: preconditionFailure("\(id) is not a data command")
        }
    }

    /// Whether `id` runs against the store (`dispatch`); the rest are connection, server and
    /// cluster commands the node answers itself.
    static func isDataCommand(_ id: CommandID) -> Bool {
        switch id {
        case .get, .set, .setnx, .setex, .psetex, .getset, .getdel, .getex, .mget, .mset, .msetnx, .strlen,
            .append, .getrange, .incr, .decr, .incrby, .decrby, .incrbyfloat, .del, .unlink, .exists, .touch, .expire,
            .pexpire, .expireat, .pexpireat, .expiretime, .pexpiretime, .ttl, .pttl, .persist, .type, .keys, .scan,
            .randomkey, .dbsize, .flushall, .flushdb, .object, .memory, .sadd, .srem, .smembers, .sismember,
            .smismember, .scard, .srandmember, .spop, .hset, .hmset, .hsetnx, .hget, .hmget, .hdel, .hgetall, .hlen,
            .hexists, .hkeys, .hvals, .hincrby, .hsSiblings, .hsGetctx, .hsSetctx:
            return true
        default:
            return false
        }
    }

    /// Active expiry: the driver's periodic tick.
    mutating func expireDue(now: Now) {
        _ = keyspace.expireDue(now: now, budget: settings.activeExpiryBudgetPerTick)
    }
}
