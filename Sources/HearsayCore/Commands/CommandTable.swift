/// Every command Hearsay answers, with Redis's metadata: arity (positive = exact,
/// negative = at least), flags, and the positions of key arguments. COMMAND INFO,
/// COMMAND DOCS and the arity check all read this one table.
public enum CommandID: UInt8, CaseIterable, Sendable {
    // connection
    case ping, echo, hello, select, quit, reset, auth, client, command
    // server
    case info, dbsize, flushall, flushdb, time, config, function, object, memory, debug
    // strings
    case get, set, setnx, setex, psetex, getset, getdel, getex, mget, mset, msetnx, strlen, append, getrange
    case incr, decr, incrby, decrby, incrbyfloat
    // keys
    case del, unlink, exists, touch, expire, pexpire, expireat, pexpireat, expiretime, pexpiretime, ttl, pttl, persist
    case type, keys, scan, randomkey
    // sets
    case sadd, srem, smembers, sismember, smismember, scard, srandmember, spop
    // hashes
    case hset, hmset, hsetnx, hget, hmget, hdel, hgetall, hlen, hexists, hkeys, hvals, hincrby
    // transactions
    case multi, exec, discard, watch, unwatch
    // Hearsay's own
    case hsSiblings, hsGetctx, hsSetctx, hsMembers, hsRing, hsForget, hsConsistency, hsStats, hsDigest
    case hsPartitions, hsSiblingKeys, hsFault, hsAgreement
}

public struct CommandSpec: Sendable {
    public var id: CommandID
    public var name: StaticString
    public var arity: Int
    public var flags: [StaticString]
    public var firstKey: Int
    public var lastKey: Int
    public var step: Int
    public var group: StaticString
    public var summary: StaticString
    public var since: StaticString

    public var nameString: String { name.description }
}

extension CommandSpec {
    static func s(
        _ id: CommandID, _ name: StaticString, _ arity: Int, _ flags: [StaticString],
        _ first: Int, _ last: Int, _ step: Int, _ group: StaticString, _ summary: StaticString,
        since: StaticString = "1.0.0"
    ) -> CommandSpec {
        CommandSpec(
            id: id, name: name, arity: arity, flags: flags, firstKey: first, lastKey: last, step: step,
            group: group, summary: summary, since: since)
    }
}

public enum CommandTable {
    public static let all: [CommandSpec] = [
        .s(.ping, "ping", -1, ["fast"], 0, 0, 0, "connection", "Returns the server's liveliness response."),
        .s(.echo, "echo", 2, ["fast"], 0, 0, 0, "connection", "Returns the given string."),
        .s(
            .hello, "hello", -1, ["noscript", "loading", "stale", "fast", "no_auth"], 0, 0, 0, "connection",
            "Handshakes with the server.", since: "6.0.0"),
        .s(
            .select, "select", 2, ["loading", "stale", "fast"], 0, 0, 0, "connection",
            "Changes the selected database (only 0 exists)."),
        .s(
            .quit, "quit", -1, ["noscript", "loading", "stale", "fast", "no_auth"], 0, 0, 0, "connection",
            "Closes the connection."),
        .s(
            .reset, "reset", 1, ["noscript", "loading", "stale", "fast", "no_auth"], 0, 0, 0, "connection",
            "Resets the connection.", since: "6.2.0"),
        .s(
            .auth, "auth", -2, ["noscript", "loading", "stale", "fast", "no_auth"], 0, 0, 0, "connection",
            "Authenticates the connection."),
        .s(
            .client, "client", -2, ["noscript", "loading", "stale"], 0, 0, 0, "connection",
            "A container for client connection commands.", since: "2.4.0"),
        .s(
            .command, "command", -1, ["loading", "stale"], 0, 0, 0, "server",
            "Returns detailed information about all commands.", since: "2.8.13"),
        .s(
            .info, "info", -1, ["loading", "stale"], 0, 0, 0, "server",
            "Returns information and statistics about the server."),
        .s(
            .dbsize, "dbsize", 1, ["readonly", "fast"], 0, 0, 0, "server",
            "Returns the number of keys in the database."),
        .s(.flushall, "flushall", -1, ["write"], 0, 0, 0, "server", "Removes all keys from all databases."),
        .s(.flushdb, "flushdb", -1, ["write"], 0, 0, 0, "server", "Remove all keys from the current database."),
        .s(
            .time, "time", 1, ["loading", "stale", "fast"], 0, 0, 0, "server", "Returns the server time.",
            since: "2.6.0"),
        .s(
            .config, "config", -2, ["loading", "stale"], 0, 0, 0, "server",
            "A container for server configuration commands.", since: "2.0.0"),
        .s(
            .function, "function", -2, ["noscript"], 0, 0, 0, "scripting",
            "A container for function commands (Hearsay has no functions).", since: "7.0.0"),
        .s(
            .object, "object", -2, ["readonly"], 2, 2, 1, "generic", "A container for object introspection commands.",
            since: "2.2.3"),
        .s(
            .memory, "memory", -2, ["readonly"], 0, 0, 0, "server", "A container for memory diagnostics commands.",
            since: "4.0.0"),
        .s(
            .debug, "debug", -2, ["admin", "noscript", "loading", "stale"], 0, 0, 0, "server",
            "A container for debugging commands (Hearsay answers only a few)."),
        .s(.get, "get", 2, ["readonly", "fast"], 1, 1, 1, "string", "Returns the string value of a key."),
        .s(
            .set, "set", -3, ["write", "denyoom"], 1, 1, 1, "string",
            "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist."),
        .s(
            .setnx, "setnx", 3, ["write", "denyoom", "fast"], 1, 1, 1, "string",
            "Set the string value of a key only when the key doesn't exist."),
        .s(
            .setex, "setex", 4, ["write", "denyoom"], 1, 1, 1, "string",
            "Sets the string value and expiration time of a key.", since: "2.0.0"),
        .s(
            .psetex, "psetex", 4, ["write", "denyoom"], 1, 1, 1, "string",
            "Sets both string value and expiration time in milliseconds of a key.", since: "2.6.0"),
        .s(
            .getset, "getset", 3, ["write", "denyoom", "fast"], 1, 1, 1, "string",
            "Returns the previous string value of a key after setting it to a new value."),
        .s(
            .getdel, "getdel", 2, ["write", "fast"], 1, 1, 1, "string",
            "Returns the string value of a key after deleting the key.", since: "6.2.0"),
        .s(
            .getex, "getex", -2, ["write", "fast"], 1, 1, 1, "string",
            "Returns the string value of a key after setting its expiration time.", since: "6.2.0"),
        .s(
            .mget, "mget", -2, ["readonly", "fast"], 1, -1, 1, "string",
            "Atomically returns the string values of one or more keys."),
        .s(
            .mset, "mset", -3, ["write", "denyoom"], 1, -1, 2, "string",
            "Atomically creates or modifies the string values of one or more keys.", since: "1.0.1"),
        .s(
            .msetnx, "msetnx", -3, ["write", "denyoom"], 1, -1, 2, "string",
            "Atomically modifies the string values of one or more keys only when all keys don't exist.",
            since: "1.0.1"),
        .s(
            .strlen, "strlen", 2, ["readonly", "fast"], 1, 1, 1, "string", "Returns the length of a string value.",
            since: "2.2.0"),
        .s(
            .append, "append", 3, ["write", "denyoom", "fast"], 1, 1, 1, "string",
            "Appends a string to the value of a key. Creates the key if it doesn't exist.", since: "2.0.0"),
        .s(
            .getrange, "getrange", 4, ["readonly"], 1, 1, 1, "string",
            "Returns a substring of the string stored at a key.",
            since: "2.4.0"),
        .s(
            .incr, "incr", 2, ["write", "denyoom", "fast"], 1, 1, 1, "string",
            "Increments the integer value of a key by one. Uses 0 as initial value if the key doesn't exist."),
        .s(
            .decr, "decr", 2, ["write", "denyoom", "fast"], 1, 1, 1, "string",
            "Decrements the integer value of a key by one. Uses 0 as initial value if the key doesn't exist."),
        .s(
            .incrby, "incrby", 3, ["write", "denyoom", "fast"], 1, 1, 1, "string",
            "Increments the integer value of a key by a number. Uses 0 as initial value if the key doesn't exist."),
        .s(
            .decrby, "decrby", 3, ["write", "denyoom", "fast"], 1, 1, 1, "string",
            "Decrements a number from the integer value of a key. Uses 0 as initial value if the key doesn't exist."),
        .s(
            .incrbyfloat, "incrbyfloat", 3, ["write", "denyoom", "fast"], 1, 1, 1, "string",
            "Increment the floating point value of a key by a number. Uses 0 as initial value if the key doesn't exist.",
            since: "2.6.0"),
        .s(.del, "del", -2, ["write"], 1, -1, 1, "generic", "Deletes one or more keys."),
        .s(
            .unlink, "unlink", -2, ["write", "fast"], 1, -1, 1, "generic", "Asynchronously deletes one or more keys.",
            since: "4.0.0"),
        .s(
            .exists, "exists", -2, ["readonly", "fast"], 1, -1, 1, "generic",
            "Determines whether one or more keys exist."),
        .s(
            .touch, "touch", -2, ["readonly", "fast"], 1, -1, 1, "generic",
            "Returns the number of existing keys out of those specified after updating the time they were last accessed.",
            since: "3.2.1"),
        .s(
            .expire, "expire", -3, ["write", "fast"], 1, 1, 1, "generic",
            "Sets the expiration time of a key in seconds."),
        .s(
            .pexpire, "pexpire", -3, ["write", "fast"], 1, 1, 1, "generic",
            "Sets the expiration time of a key in milliseconds.", since: "2.6.0"),
        .s(
            .expireat, "expireat", -3, ["write", "fast"], 1, 1, 1, "generic",
            "Sets the expiration time of a key to a Unix timestamp.", since: "1.2.0"),
        .s(
            .pexpireat, "pexpireat", -3, ["write", "fast"], 1, 1, 1, "generic",
            "Sets the expiration time of a key to a Unix milliseconds timestamp.", since: "2.6.0"),
        .s(
            .expiretime, "expiretime", 2, ["readonly", "fast"], 1, 1, 1, "generic",
            "Returns the expiration time of a key as a Unix timestamp.", since: "7.0.0"),
        .s(
            .pexpiretime, "pexpiretime", 2, ["readonly", "fast"], 1, 1, 1, "generic",
            "Returns the expiration time of a key as a Unix milliseconds timestamp.", since: "7.0.0"),
        .s(
            .ttl, "ttl", 2, ["readonly", "fast"], 1, 1, 1, "generic", "Returns the expiration time in seconds of a key."
        ),
        .s(
            .pttl, "pttl", 2, ["readonly", "fast"], 1, 1, 1, "generic",
            "Returns the expiration time in milliseconds of a key.", since: "2.6.0"),
        .s(
            .persist, "persist", 2, ["write", "fast"], 1, 1, 1, "generic", "Removes the expiration time of a key.",
            since: "2.2.0"),
        .s(
            .type, "type", 2, ["readonly", "fast"], 1, 1, 1, "generic", "Determines the type of value stored at a key."),
        .s(.keys, "keys", 2, ["readonly"], 0, 0, 0, "generic", "Returns all key names that match a pattern."),
        .s(
            .scan, "scan", -2, ["readonly"], 0, 0, 0, "generic", "Iterates over the key names in the database.",
            since: "2.8.0"),
        .s(
            .randomkey, "randomkey", 1, ["readonly"], 0, 0, 0, "generic", "Returns a random key name from the database."
        ),
        .s(
            .sadd, "sadd", -3, ["write", "denyoom", "fast"], 1, 1, 1, "set",
            "Adds one or more members to a set. Creates the key if it doesn't exist."),
        .s(.srem, "srem", -3, ["write", "fast"], 1, 1, 1, "set", "Removes one or more members from a set."),
        .s(.smembers, "smembers", 2, ["readonly"], 1, 1, 1, "set", "Returns all members of a set."),
        .s(
            .sismember, "sismember", 3, ["readonly", "fast"], 1, 1, 1, "set",
            "Determines whether a member belongs to a set."),
        .s(
            .smismember, "smismember", -3, ["readonly", "fast"], 1, 1, 1, "set",
            "Determines whether multiple members belong to a set.", since: "6.2.0"),
        .s(.scard, "scard", 2, ["readonly", "fast"], 1, 1, 1, "set", "Returns the number of members in a set."),
        .s(
            .srandmember, "srandmember", -2, ["readonly"], 1, 1, 1, "set",
            "Get one or multiple random members from a set"),
        .s(
            .spop, "spop", -2, ["write", "fast"], 1, 1, 1, "set",
            "Returns one or more random members from a set after removing them. Deletes the set if the last member was popped."
        ),
        .s(
            .hset, "hset", -4, ["write", "denyoom", "fast"], 1, 1, 1, "hash",
            "Creates or modifies the value of a field in a hash.", since: "2.0.0"),
        .s(
            .hmset, "hmset", -4, ["write", "denyoom", "fast"], 1, 1, 1, "hash",
            "Sets the values of multiple fields.", since: "2.0.0"),
        .s(
            .hsetnx, "hsetnx", 4, ["write", "denyoom", "fast"], 1, 1, 1, "hash",
            "Sets the value of a field in a hash only when the field doesn't exist.", since: "2.0.0"),
        .s(
            .hget, "hget", 3, ["readonly", "fast"], 1, 1, 1, "hash", "Returns the value of a field in a hash.",
            since: "2.0.0"),
        .s(
            .hmget, "hmget", -3, ["readonly", "fast"], 1, 1, 1, "hash",
            "Returns the values of all fields in a hash.", since: "2.0.0"),
        .s(
            .hdel, "hdel", -3, ["write", "fast"], 1, 1, 1, "hash",
            "Deletes one or more fields and their values from a hash. Deletes the hash if no fields remain.",
            since: "2.0.0"),
        .s(
            .hgetall, "hgetall", 2, ["readonly"], 1, 1, 1, "hash", "Returns all fields and values in a hash.",
            since: "2.0.0"),
        .s(
            .hlen, "hlen", 2, ["readonly", "fast"], 1, 1, 1, "hash", "Returns the number of fields in a hash.",
            since: "2.0.0"),
        .s(
            .hexists, "hexists", 3, ["readonly", "fast"], 1, 1, 1, "hash",
            "Determines whether a field exists in a hash.", since: "2.0.0"),
        .s(.hkeys, "hkeys", 2, ["readonly"], 1, 1, 1, "hash", "Returns all fields in a hash.", since: "2.0.0"),
        .s(.hvals, "hvals", 2, ["readonly"], 1, 1, 1, "hash", "Returns all values in a hash.", since: "2.0.0"),
        .s(
            .hincrby, "hincrby", 4, ["write", "denyoom", "fast"], 1, 1, 1, "hash",
            "Increments the integer value of a field in a hash by a number. Uses 0 as initial value if the field doesn't exist.",
            since: "2.0.0"),
        .s(
            .hsSiblings, "hs.siblings", 2, ["readonly"], 1, 1, 1, "hearsay",
            "Returns every concurrent value (sibling) of a key with its timestamp, writer and expiry.", since: "0.1.0"),
        .s(
            .hsGetctx, "hs.getctx", 2, ["readonly"], 1, 1, 1, "hearsay",
            "Returns the value(s) of a key and its causal context, an opaque string.", since: "0.1.0"),
        .s(
            .hsSetctx, "hs.setctx", 4, ["write", "denyoom"], 1, 1, 1, "hearsay",
            "Sets a key with a write that replaces exactly the values the given causal context had seen.",
            since: "0.1.0"),
        .s(
            .hsMembers, "hs.members", 1, ["readonly", "fast"], 0, 0, 0, "hearsay",
            "Returns every cluster member as this node sees it: id, address, status and incarnation.",
            since: "0.1.0"),
        .s(
            .hsRing, "hs.ring", -1, ["readonly"], 0, 0, 0, "hearsay",
            "Returns the partitions and their replicas, or one partition's preference list.", since: "0.1.0"),
        .s(
            .hsForget, "hs.forget", 2, ["admin"], 0, 0, 0, "hearsay",
            "Removes a member (normally one that is down) from this node's view and the ring.", since: "0.1.0"),
        .s(
            .hsConsistency, "hs.consistency", -1, ["fast"], 0, 0, 0, "hearsay",
            "Shows or sets this connection's read and write quorums (ONE, QUORUM, ALL, or R W).", since: "0.1.0"),
        .s(
            .hsStats, "hs.stats", 1, ["readonly"], 0, 0, 0, "hearsay",
            "Returns replication counters: requests, quorum failures, read repairs, hints per owner, latencies.",
            since: "0.1.0"),
        .s(
            .hsDigest, "hs.digest", -1, ["readonly"], 0, 0, 0, "hearsay",
            "Returns every partition's Merkle root, one partition's leaf digests, or the keys behind them (KEYS).",
            since: "0.1.0"),
        .s(
            .hsPartitions, "hs.partitions", 1, ["readonly"], 0, 0, 0, "hearsay",
            "Returns per partition: replica or not, keys, tombstones, bytes, keys with siblings, requests.",
            since: "0.1.0"),
        .s(
            .hsSiblingKeys, "hs.siblingkeys", -1, ["readonly"], 0, 0, 0, "hearsay",
            "Returns up to count keys that hold more than one sibling on this node, with their sibling counts.",
            since: "0.1.0"),
        .s(
            .hsFault, "hs.fault", -1, ["admin"], 0, 0, 0, "hearsay",
            "Drops or delays traffic with given peers, clears it, or lists the rules (needs --enable-fault-injection).",
            since: "0.1.0"),
        .s(
            .hsAgreement, "hs.agreement", 1, ["readonly"], 0, 0, 0, "hearsay",
            "Returns, per partition and other replica, the ms since an exchange with it last agreed.", since: "0.1.0"),
        .s(
            .multi, "multi", 1, ["noscript", "loading", "stale", "fast", "allow_busy"], 0, 0, 0, "transactions",
            "Starts a transaction.", since: "1.2.0"),
        .s(
            .exec, "exec", 1, ["noscript", "loading", "stale", "skip_slowlog"], 0, 0, 0, "transactions",
            "Executes all commands in a transaction.", since: "1.2.0"),
        .s(
            .discard, "discard", 1, ["noscript", "loading", "stale", "fast", "allow_busy"], 0, 0, 0, "transactions",
            "Discards a transaction.", since: "2.0.0"),
        .s(
            .watch, "watch", -2, ["noscript", "loading", "stale", "fast", "allow_busy"], 1, -1, 1, "transactions",
            "Monitors changes to keys to determine the execution of a transaction.", since: "2.2.0"),
        .s(
            .unwatch, "unwatch", 1, ["noscript", "loading", "stale", "fast", "allow_busy"], 0, 0, 0, "transactions",
            "Forgets about watched keys of a transaction.", since: "2.2.0"),
    ]

    /// Specs in `CommandID` order, so `spec(id)` is an index.
    static let byID: [CommandSpec] = {
        var specs = all
        specs.sort { $0.id.rawValue < $1.id.rawValue }
        precondition(specs.count == CommandID.allCases.count, "every CommandID needs one spec")
        for (i, spec) in specs.enumerated() { precondition(Int(spec.id.rawValue) == i, "duplicate \(spec.name)") }
        return specs
    }()

    /// Arity per CommandID, checked on every request without copying a spec. Raw memory,
    /// allocated once: reading a static Array retains and releases it on every request.
    nonisolated(unsafe) public static let arity: UnsafePointer<Int> = {
        let p = UnsafeMutablePointer<Int>.allocate(capacity: byID.count)
        for (i, spec) in byID.enumerated() { p[i] = spec.arity }
        return UnsafePointer(p)
    }()

    /// Per CommandID: whether the command is refused with OOM past maxmemory when eviction
    /// cannot free enough (its spec has Redis's "denyoom" flag).
    nonisolated(unsafe) public static let deniedOnOOM: UnsafePointer<Bool> = {
        let p = UnsafeMutablePointer<Bool>.allocate(capacity: byID.count)
        for (i, spec) in byID.enumerated() { p[i] = spec.flags.contains { $0.description == "denyoom" } }
        return UnsafePointer(p)
    }()

    /// Per CommandID: whether the command writes (its spec has the "write" flag).
    nonisolated(unsafe) public static let isWrite: UnsafePointer<Bool> = {
        let p = UnsafeMutablePointer<Bool>.allocate(capacity: byID.count)
        for (i, spec) in byID.enumerated() { p[i] = spec.flags.contains { $0.description == "write" } }
        return UnsafePointer(p)
    }()

    /// Per CommandID: (first, last, step) key positions as COMMAND INFO gives them.
    nonisolated(unsafe) public static let keyPositions: UnsafePointer<(Int, Int, Int)> = {
        let p = UnsafeMutablePointer<(Int, Int, Int)>.allocate(capacity: byID.count)
        for (i, spec) in byID.enumerated() { p[i] = (spec.firstKey, spec.lastKey, spec.step) }
        return UnsafePointer(p)
    }()

    /// Open-addressing table from a name packed into two lowercase words to its CommandID.
    /// Names are at most 16 bytes, so packing is exact and a match needs no byte compare.
    nonisolated(unsafe) static let slots: UnsafePointer<NameSlot> = {
        let table = UnsafeMutablePointer<NameSlot>.allocate(capacity: slotCount)
        table.initialize(repeating: NameSlot(w0: 0, w1: 0, id: 0, used: false), count: slotCount)
        for spec in all {
            let (w0, w1) = spec.name.withUTF8Buffer { packName(UnsafeRawBufferPointer($0))! }
            var i = slotIndex(w0, w1)
            while table[i].used { i = (i + 1) & (slotCount - 1) }
            table[i] = NameSlot(w0: w0, w1: w1, id: spec.id.rawValue, used: true)
        }
        return UnsafePointer(table)
    }()

    static let slotCount = 256

    struct NameSlot {
        var w0: UInt64
        var w1: UInt64
        var id: UInt8
        var used: Bool
    }

    @inline(__always)
    static func slotIndex(_ w0: UInt64, _ w1: UInt64) -> Int {
        Int(truncatingIfNeeded: ((w0 ^ (w1 &* 0x9E37_79B9_7F4A_7C15)) &* 0xFF51_AFD7_ED55_8CCD) >> 56)
    }

    /// The name lowercased and packed little-endian into two words; nil past 16 bytes.
    @inline(__always)
    static func packName(_ name: UnsafeRawBufferPointer) -> (UInt64, UInt64)? {
        let n = name.count
        guard n > 0, n <= 16 else { return nil }
        var w0: UInt64 = 0
        var w1: UInt64 = 0
        for i in 0..<n {
            var c = UInt64(name[i])
            if c >= 0x41 && c <= 0x5A { c |= 0x20 }
            if i < 8 { w0 |= c << (8 * UInt64(i)) } else { w1 |= c << (8 * UInt64(i - 8)) }
        }
        return (w0, w1)
    }

    /// Finds a command by name, ignoring ASCII case, without allocating or copying a spec.
    @inline(__always)
    public static func lookupID(_ name: UnsafeRawBufferPointer) -> CommandID? {
        guard let (w0, w1) = packName(name) else { return nil }
        let table = slots
        var i = slotIndex(w0, w1)
        while table[i].used {
            if table[i].w0 == w0 && table[i].w1 == w1 { return CommandID(rawValue: table[i].id) }
            i = (i + 1) & (slotCount - 1)
        }
        return nil
    }

    /// The spec of a command named `name`, for introspection (COMMAND INFO, DOCS).
    public static func lookup(_ name: UnsafeRawBufferPointer) -> CommandSpec? { lookupID(name).map(spec) }

    public static func spec(_ id: CommandID) -> CommandSpec { byID[Int(id.rawValue)] }
}
