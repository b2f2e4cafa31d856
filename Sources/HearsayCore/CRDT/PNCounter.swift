/// A resettable PN-counter for INCR/DECR/INCRBY/DECRBY/INCRBYFLOAT: each node keeps one dotted
/// entry with the net of its own increments, the value is the sum over nodes, and concurrent
/// increments on different nodes all count.
///
/// Unlike a classic PN-counter (a grow-only P and N per node, joined by max) it can be reset:
/// a reset drops the entries it saw, like any observed-remove, and records a `CounterBaseline`
/// per node so that an increment concurrent with the reset counts only its own amount. Each
/// entry has one writer and later dots replace earlier ones, so totals may wrap without
/// breaking the join; integer sums are exact and clamped when shown (`CounterValue`).
///
/// INCRBYFLOAT: each node sums its float increments alone, in order, and replicas add the
/// per-node sums in node id order, so every replica computes the same Double; integer
/// increments stay exact beside it. A value with a fractional part refuses INCR, as in Redis.
public struct PNCounter: Equatable, Sendable {
    /// Sorted by dot (so by node).
    public private(set) var entries: [CounterEntry]
    /// Sorted by node, one per node.
    public private(set) var baselines: [CounterBaseline]
    public private(set) var context: CausalContext

    public init() {
        entries = []
        baselines = []
        context = CausalContext()
    }

    init(entries: [CounterEntry], baselines: [CounterBaseline], context: CausalContext) {
        self.entries = entries
        self.baselines = baselines
        self.context = context
    }

    public func value(at now: WallTime) -> CounterValue { PNCounter.value(entries, baselines, at: now) }

    /// Adds `amount` as `node`. Fails, changing nothing, if the visible value is not an integer
    /// or the result would leave Int64.
    @discardableResult
    public mutating func increment(
        by amount: Int64, by node: NodeID, at timestamp: HybridTimestamp, now: WallTime
    ) throws(CounterError) -> PNCounter {
        guard let current = value(at: now).integerValue else { throw .notAnInteger }
        guard !current.addingReportingOverflow(amount).overflow else { throw .overflow }
        return apply(integer: amount, floating: 0, by: node, at: timestamp, now: now)
    }

    /// Adds a float `amount` as `node`; the result must be finite.
    @discardableResult
    public mutating func increment(
        byFloat amount: Double, by node: NodeID, at timestamp: HybridTimestamp, now: WallTime
    ) throws(CounterError) -> PNCounter {
        guard (value(at: now).asDouble + amount).isFinite else { throw .notFinite }
        return apply(integer: 0, floating: amount, by: node, at: timestamp, now: now)
    }

    private mutating func apply(
        integer: Int64, floating: Double, by node: NodeID, at timestamp: HybridTimestamp, now: WallTime
    ) -> PNCounter {
        let dot = context.nextDot(for: node)
        let (entry, superseded) = PNCounter.nextEntry(
            in: entries, dot: dot, timestamp: timestamp, now: now, integer: integer, floating: floating)
        var seen = superseded.map { [$0.stamp.dot] } ?? []
        seen.append(dot)
        let delta = PNCounter(entries: [entry], baselines: [], context: CausalContext(dots: seen))
        merge(delta)
        return delta
    }

    /// Resets to zero what this replica has seen; concurrent increments elsewhere survive.
    @discardableResult
    public mutating func reset() -> PNCounter {
        let delta = PNCounter(
            entries: [], baselines: entries.map(CounterBaseline.init(removing:)),
            context: CausalContext(dots: entries.map(\.stamp.dot)))
        merge(delta)
        return delta
    }

    /// The join; commutative, associative and idempotent.
    public mutating func merge(_ other: PNCounter) {
        entries = DotStore.join(entries, context, other.entries, other.context)
        baselines = CounterBaseline.join(baselines, other.baselines)
        context.merge(other.context)
    }

    // MARK: shared with StoredObject

    /// `node`'s next entry: its live chain extended by the amounts, or a new chain from zero.
    /// Also returns the entry it replaces (without a baseline: a node superseding itself is
    /// not a reset). The new entry keeps the old one's expiry, as Redis INCR keeps a TTL.
    static func nextEntry(
        in entries: [CounterEntry], dot: Dot, timestamp: HybridTimestamp, now: WallTime,
        integer: Int64, floating: Double
    ) -> (CounterEntry, superseded: CounterEntry?) {
        let own = entries.last { $0.stamp.dot.node == dot.node && $0.stamp.isLive(at: now) }
        var stamp = WriteStamp(dot: dot, timestamp: timestamp)
        guard let own else {
            return (CounterEntry(stamp: stamp, origin: dot.counter, net: integer, floatNet: floating), nil)
        }
        stamp.expiryNanoseconds = own.stamp.expiryNanoseconds
        let entry = CounterEntry(
            stamp: stamp, origin: own.origin, net: own.net &+ integer, floatNet: own.floatNet + floating)
        return (entry, own)
    }

    /// Sums, per node, the latest live entry less the baseline of its chain.
    static func value(_ entries: [CounterEntry], _ baselines: [CounterBaseline], at now: WallTime) -> CounterValue {
        var sum: Int64 = 0
        var carry = 0
        var floating = 0.0
        var index = 0
        while index < entries.count {
            let node = entries[index].stamp.dot.node
            var latest: CounterEntry?
            while index < entries.count && entries[index].stamp.dot.node == node {
                if entries[index].stamp.isLive(at: now) { latest = entries[index] }
                index += 1
            }
            guard let entry = latest else { continue }
            var net = entry.net
            var floatNet = entry.floatNet
            if let base = baselines.first(where: { $0.node == node }), base.counter >= entry.origin {
                if base.counter >= entry.stamp.dot.counter { continue }
                net = net &- base.net
                floatNet -= base.floatNet
            }
            let (added, overflow) = sum.addingReportingOverflow(net)
            if overflow { carry += net < 0 ? -1 : 1 }
            sum = added
            floating += floatNet
        }
        if carry == 0 { return CounterValue(integer: sum, isSaturated: false, floating: floating) }
        return CounterValue(integer: carry > 0 ? .max : .min, isSaturated: true, floating: floating)
    }
}
