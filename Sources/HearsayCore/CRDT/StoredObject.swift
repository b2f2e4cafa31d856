/// The whole replicated value of one key: a join of a multi-value register (strings), a
/// PN-counter (INCR family), an OR-set (sets) and an OR-map of registers (hashes), all sharing
/// one causal context.
///
/// Every visible thing is a dotted write (a `WriteStamp`: dot, hybrid timestamp, expiry). Any
/// write removes exactly the dots its writer had seen; the shared causal context remembers
/// them, so `merge` (a pointwise join of the dot stores and a union of contexts) is
/// commutative, associative and idempotent, and needs no per-element tombstones.
///
/// The documented rules, all consequences of "a write replaces what it saw, nothing else":
///
/// - **Concurrent SETs** stay side by side as siblings. GET returns the winner: highest hybrid
///   timestamp, ties broken by higher node id (then dot counter), the same on every replica.
///   The next write that has seen the siblings replaces them all.
/// - **DEL vs write**: DEL removes the writes it saw and mints no value. A SET, INCR, SADD or
///   HSET concurrent with it survives ("writes win over concurrent deletes"). A key with no
///   surviving writes is a tombstone: its context stays until storage purges it by causal
///   stability, so nothing deleted comes back.
/// - **Expiry** is an absolute instant carried by each write. SET EX/PX stamps the new value;
///   SET without KEEPTTL stamps none. EXPIRE/PEXPIRE/PERSIST rewrite every live entry of the
///   visible type with new dots carrying the new expiry, replacing what they saw; a write
///   concurrent with EXPIRE keeps its own expiry (none for a plain SET), so it outlives the
///   expiry. Writes that modify a collection or counter (SADD, HSET, INCR, ...) carry the key's
///   visible expiry, as Redis keeps a TTL across them. The key's expiry is the latest expiry of
///   its visible type's live entries, or none if any of them has none. An expired entry is
///   invisible at once on every replica (expiry is absolute) and is dropped by the next write
///   or by `purgeExpired`.
/// - **Type conflict**: each type's component is kept and merged on its own. The visible type
///   is the type of the live entry with the highest hybrid timestamp (ties by node id, then
///   dot counter); the other types' entries stay hidden and may show again if the visible
///   type's entries are all removed or expire. Every write of one type (SET, SADD, SREM, HSET,
///   HDEL, INCR, EXPIRE) removes the entries of other types that its writer had seen, so a
///   conflict lasts only until the next write that has seen both. Collection writes refuse a
///   key whose visible type differs (`WrongTypeError`, Redis's WRONGTYPE); SET replaces any type.
/// - **Counters**: INCR/DECR/INCRBY/DECRBY add to the writer's own per-node entry, so concurrent
///   increments on different nodes all count (INCRBY 5 and INCRBY 7 concurrently give +12). A
///   reset (DEL, SET, EXPIRE's rewrite) records per-node baselines, so an increment concurrent
///   with it counts only its own amount. INCR on a string value parses it (as Redis does) and
///   turns the key into a counter. INCRBYFLOAT adds to a per-node float sum beside the exact
///   integer sum; replicas add the per-node sums in node id order so all agree. A sum that
///   overflows Int64 through concurrent increments is clamped when shown (`CounterValue`).
///
/// The state is kept small for the hot path (a SET on a single-sibling key): the register and
/// the context are inline, and the other three components live behind one optional indirect
/// box that costs 8 bytes when the key is a plain string.
public struct StoredObject: Equatable, Sendable {
    public private(set) var context: CausalContext
    /// Sorted by dot.
    public private(set) var register: [RegisterSibling]
    var box: CollectionsBox?

    public init() {
        context = CausalContext()
        register = []
        box = nil
    }

    init(context: CausalContext, register: [RegisterSibling], collections: Collections) {
        self.context = context
        self.register = register
        self.collections = collections
    }

    /// The kinds of value a key can hold. `counter` shows as "string" to Redis's TYPE.
    public enum Kind: UInt8, Sendable, CaseIterable {
        case string = 1
        case counter = 2
        case set = 3
        case hash = 4
    }

    /// What a read of the key returns.
    public enum Value: Equatable, Sendable {
        case string([UInt8])
        case counter(CounterValue)
        /// Distinct elements, sorted.
        case set([[UInt8]])
        /// The winning write of each field, sorted by field.
        case hash([HashField])
    }

    // MARK: components

    struct Collections: Equatable, Sendable {
        var counter: [CounterEntry] = []
        var baselines: [CounterBaseline] = []
        var members: [SetMember] = []
        var fields: [HashField] = []
        var isEmpty: Bool { counter.isEmpty && baselines.isEmpty && members.isEmpty && fields.isEmpty }
    }

    indirect enum CollectionsBox: Equatable, Sendable {
        case value(Collections)
    }

    var collections: Collections {
        get {
            guard case .value(let value)? = box else { return Collections() }
            return value
        }
        set { box = newValue.isEmpty ? nil : .value(newValue) }
    }

    /// Sorted by dot.
    public var counterEntries: [CounterEntry] { collections.counter }
    /// Sorted by node.
    public var counterBaselines: [CounterBaseline] { collections.baselines }
    /// Sorted by (element, dot).
    public var setMembers: [SetMember] { collections.members }
    /// Sorted by (field, dot).
    public var hashFields: [HashField] { collections.fields }

    // MARK: join

    /// Every visible write's dot is in the context, and each component is sorted by dot with
    /// no dot twice: what `merge` relies on and keeps. Nil when it holds, else what broke.
    var malformation: String? {
        func sortedUnique<E: DottedEntry>(_ entries: [E]) -> Bool {
            zip(entries, entries.dropFirst()).allSatisfy { $0.stamp.dot < $1.stamp.dot }
        }
        let dots =
            register.map(\.stamp.dot) + counterEntries.map(\.stamp.dot) + setMembers.map(\.stamp.dot)
            + hashFields.map(\.stamp.dot)
        if let outside = dots.first(where: { !context.contains($0) }) { return "dot \(outside) outside \(context)" }
        if !sortedUnique(register) { return "register not sorted by dot" }
        if !sortedUnique(counterEntries) { return "counter entries not sorted by dot" }
        if !context.isWellFormed { return "context \(context) not compacted" }
        return nil
    }

    /// The join; commutative, associative and idempotent.
    public mutating func merge(_ other: StoredObject) {
        invariant(malformation == nil, "merging into an object that is not well formed: \(malformation ?? "")")
        register = DotStore.join(register, context, other.register, other.context)
        if box != nil || other.box != nil {
            let mine = collections
            let theirs = other.collections
            var joined = Collections()
            joined.counter = DotStore.join(mine.counter, context, theirs.counter, other.context)
            joined.baselines = CounterBaseline.join(mine.baselines, theirs.baselines)
            joined.members = DotStore.join(mine.members, context, theirs.members, other.context)
            joined.fields = DotStore.join(mine.fields, context, theirs.fields, other.context)
            collections = joined
        }
        context.merge(other.context)
        invariant(malformation == nil, "a merge made an object that is not well formed: \(malformation ?? "")")
    }

    /// Raises this replica's context entry for `node` to `counter` (see `CausalContext.raise`).
    public mutating func raiseContext(of node: NodeID, to counter: UInt64) {
        context.raise(node, to: counter)
    }

    public func merged(_ other: StoredObject) -> StoredObject {
        var copy = self
        copy.merge(other)
        return copy
    }

    // MARK: reads

    /// True for the empty object: nothing written and nothing deleted (the join's identity).
    public var isBottom: Bool { isTombstone && context.isEmpty && collections.isEmpty }

    /// True when no write survives (deleted, or never written): the key is a tombstone whose
    /// context still matters to merges. Expired entries still count until purged.
    public var isTombstone: Bool {
        register.isEmpty && counterEntries.isEmpty && setMembers.isEmpty && hashFields.isEmpty
    }

    /// Every surviving write's stamp with its kind, expired or not.
    func allStamps() -> [(Kind, WriteStamp)] {
        var out: [(Kind, WriteStamp)] = []
        forEachStamp { out.append(($0, $1)) }
        return out
    }

    /// Calls `body` with every surviving write's kind and stamp, expired or not, without
    /// allocating (reads are on the hot path).
    @inline(__always)
    func forEachStamp(_ body: (Kind, WriteStamp) -> Void) {
        for sibling in register { body(.string, sibling.stamp) }
        guard case .value(let rest)? = box else { return }
        for entry in rest.counter { body(.counter, entry.stamp) }
        for member in rest.members { body(.set, member.stamp) }
        for field in rest.fields { body(.hash, field.stamp) }
    }

    /// The visible type at `now`: the kind of the winning live write; nil if the key is absent.
    public func kind(at now: WallTime) -> Kind? {
        var best: WriteStamp?
        var bestKind: Kind?
        forEachStamp { kind, stamp in
            guard stamp.isLive(at: now), best.map({ stamp.winsOver($0) }) ?? true else { return }
            best = stamp
            bestKind = kind
        }
        return bestKind
    }

    public func exists(at now: WallTime) -> Bool { kind(at: now) != nil }

    /// What a read returns at `now`, or nil if the key is absent.
    public func value(at now: WallTime) -> Value? {
        guard let kind = kind(at: now) else { return nil }
        switch kind {
        case .string:
            guard let winner = DotStore.winner(register, at: now) else { return nil }
            return .string(winner.value)
        case .counter:
            return .counter(PNCounter.value(counterEntries, counterBaselines, at: now))
        case .set:
            return .set(ORSet(members: setMembers, context: context).elements(at: now))
        case .hash:
            return .hash(ORMap.winners(hashFields, at: now))
        }
    }

    /// The register sibling GET returns, if the key's visible type is string.
    public func winner(at now: WallTime) -> RegisterSibling? {
        kind(at: now) == .string ? DotStore.winner(register, at: now) : nil
    }

    /// All live string siblings (HS.SIBLINGS), in dot order.
    public func siblings(at now: WallTime) -> [RegisterSibling] { register.filter { $0.stamp.isLive(at: now) } }

    /// The key's expiry at `now`: the latest expiry among the visible type's live entries, or
    /// nil if the key is absent or any of them never expires.
    public func expiry(at now: WallTime) -> WallTime? {
        guard let kind = kind(at: now) else { return nil }
        var latest = Int64.min
        forEachStamp { entryKind, stamp in
            if entryKind == kind && stamp.isLive(at: now) { latest = max(latest, stamp.expiryNanoseconds) }
        }
        return latest == WriteStamp.neverExpires ? nil : WallTime(nanoseconds: latest)
    }

    /// Drops entries expired at `now` and returns the delta that does the same elsewhere. Like
    /// a delete that saw exactly them, this is an inflation, so it commutes with merges; since
    /// expiry is absolute, every replica may purge alike without telling the others.
    @discardableResult
    public mutating func purgeExpired(at now: WallTime) -> StoredObject {
        var removal = Removal()
        for sibling in register where !sibling.stamp.isLive(at: now) { removal.drop(sibling.stamp) }
        let rest = collections
        for entry in rest.counter where !entry.stamp.isLive(at: now) { removal.drop(entry) }
        for member in rest.members where !member.stamp.isLive(at: now) { removal.drop(member.stamp) }
        for field in rest.fields where !field.stamp.isLive(at: now) { removal.drop(field.stamp) }
        var delta = Collections()
        delta.baselines = removal.baselines
        return absorb(StoredObject(context: CausalContext(dots: removal.dots), register: [], collections: delta))
    }
}

/// A collection write met a key whose visible type is another (Redis's WRONGTYPE).
public struct WrongTypeError: Error, Equatable, Sendable {
    public var found: StoredObject.Kind
    public init(found: StoredObject.Kind) { self.found = found }
}
