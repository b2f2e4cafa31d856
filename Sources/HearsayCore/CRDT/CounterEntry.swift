/// One node's share of a counter: the net of every INCRBY/DECRBY it made since it last started
/// from zero, as one dotted write that each of its increments replaces.
///
/// Only `stamp.dot.node` ever writes its entry, so a node's increments are totally ordered by
/// dot and the join needs no max over P and N: the later dot simply replaces the earlier one.
/// That lets `net` wrap on overflow without breaking the join (see `PNCounter`).
public struct CounterEntry: DottedEntry, Hashable, CustomStringConvertible {
    public var stamp: WriteStamp
    /// The dot counter of the first entry of this chain; a `CounterBaseline` subtracts only
    /// from entries of the chain it observed.
    public var origin: UInt64
    /// Sum of integer increments since `origin`, wrapping.
    public var net: Int64
    /// Sum of INCRBYFLOAT increments since `origin`, summed by this node alone, in order.
    public var floatNet: Double

    public init(stamp: WriteStamp, origin: UInt64, net: Int64, floatNet: Double) {
        self.stamp = stamp
        self.origin = origin
        self.net = net
        self.floatNet = floatNet
    }

    public static func compareKeys(_ a: CounterEntry, _ b: CounterEntry) -> Int { 0 }

    public static func payloadPrecedes(_ a: CounterEntry, _ b: CounterEntry) -> Bool {
        let stamps = WriteStamp.comparePayload(a.stamp, b.stamp)
        if stamps != 0 { return stamps < 0 }
        if a.origin != b.origin { return a.origin < b.origin }
        if a.net != b.net { return a.net < b.net }
        return a.floatNet.bitPattern < b.floatNet.bitPattern
    }

    public var description: String { "\(stamp) origin \(origin) net \(net)" + (floatNet == 0 ? "" : "+\(floatNet)") }
}

/// What a reset (DEL, SET over a counter, EXPIRE's rewrite) saw of one node's chain: the
/// counter and totals of the entry it removed. An increment concurrent with the reset extends
/// that chain; subtracting the baseline leaves just the increment, so a concurrent INCR counts
/// and nothing the reset saw comes back.
public struct CounterBaseline: Hashable, Sendable, CustomStringConvertible {
    public var node: NodeID
    public var counter: UInt64
    public var net: Int64
    public var floatNet: Double

    public init(node: NodeID, counter: UInt64, net: Int64, floatNet: Double) {
        self.node = node
        self.counter = counter
        self.net = net
        self.floatNet = floatNet
    }

    init(removing entry: CounterEntry) {
        let dot = entry.stamp.dot
        self.init(node: dot.node, counter: dot.counter, net: entry.net, floatNet: entry.floatNet)
    }

    /// Deterministic order for two baselines of one node: the later observation wins.
    func precedes(_ other: CounterBaseline) -> Bool {
        if counter != other.counter { return counter < other.counter }
        if net != other.net { return net < other.net }
        return floatNet.bitPattern < other.floatNet.bitPattern
    }

    public var description: String { "\(node):\(counter) net \(net)" }

    /// Per node, the latest baseline: the join of baseline sets. Both inputs sorted by node.
    static func join(_ a: [CounterBaseline], _ b: [CounterBaseline]) -> [CounterBaseline] {
        if b.isEmpty || a == b { return a }
        if a.isEmpty { return b }
        var out: [CounterBaseline] = []
        out.reserveCapacity(max(a.count, b.count))
        var i = 0
        var j = 0
        while i < a.count || j < b.count {
            if j == b.count || (i < a.count && a[i].node < b[j].node) {
                out.append(a[i])
                i += 1
            } else if i == a.count || b[j].node < a[i].node {
                out.append(b[j])
                j += 1
            } else {
                out.append(a[i].precedes(b[j]) ? b[j] : a[i])
                i += 1
                j += 1
            }
        }
        return out
    }

    static func insert(_ baseline: CounterBaseline, into baselines: inout [CounterBaseline]) {
        baselines = join(baselines, [baseline])
    }
}

/// A counter's visible value. Integer increments are summed exactly and reported clamped to
/// Int64; INCRBYFLOAT increments are kept apart so integer INCR stays exact.
public struct CounterValue: Equatable, Sendable, CustomStringConvertible {
    /// The integer sum, clamped to Int64 when concurrent increments overflowed it.
    public var integer: Int64
    /// True when the exact integer sum lies outside Int64 and `integer` is clamped.
    public var isSaturated: Bool
    /// The sum of INCRBYFLOAT increments, added in node id order so all replicas agree.
    public var floating: Double

    public static let zero = CounterValue(integer: 0, isSaturated: false, floating: 0)

    /// The value as an Int64 when it is one (the float part is whole and the sum fits), which
    /// is when INCR/DECR may apply, as in Redis.
    public var integerValue: Int64? {
        guard !isSaturated, floating == floating.rounded(.towardZero), abs(floating) < 9.0e15 else { return nil }
        let (sum, overflow) = integer.addingReportingOverflow(Int64(floating))
        return overflow ? nil : sum
    }

    public var asDouble: Double { Double(integer) + floating }

    /// How GET shows the value: an integer, or a float in the shortest round-trip form.
    public var description: String { integerValue.map { String($0) } ?? String(asDouble) }
}

/// Why an increment was refused; the caller maps these to Redis error replies.
public enum CounterError: Error, Equatable, Sendable {
    /// "ERR value is not an integer or out of range".
    case notAnInteger
    /// "ERR value is not a valid float".
    case notAFloat
    /// "ERR increment or decrement would overflow".
    case overflow
    /// "ERR increment would produce NaN or Infinity".
    case notFinite
    /// "WRONGTYPE Operation against a key holding the wrong kind of value".
    case wrongType
}
