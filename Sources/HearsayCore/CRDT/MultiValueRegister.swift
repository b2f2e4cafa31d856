/// One value of a multi-value register, with the write that put it there.
public struct RegisterSibling: DottedEntry, Hashable, CustomStringConvertible {
    public var stamp: WriteStamp
    public var value: [UInt8]

    public init(stamp: WriteStamp, value: [UInt8]) {
        self.stamp = stamp
        self.value = value
    }

    public static func compareKeys(_ a: RegisterSibling, _ b: RegisterSibling) -> Int { 0 }

    public static func payloadPrecedes(_ a: RegisterSibling, _ b: RegisterSibling) -> Bool {
        let stamps = WriteStamp.comparePayload(a.stamp, b.stamp)
        return stamps != 0 ? stamps < 0 : compareBytes(a.value, b.value) < 0
    }

    public var description: String { "\(stamp)=\(value.count)B" }
}

/// A multi-value register (Dynamo's siblings, built as the delta-state MVRegister of
/// Almeida et al. 2018, section 7.2): a write replaces exactly the values its writer had seen,
/// so concurrent writes survive side by side and the next write that has seen them all
/// collapses them. `winner` picks one deterministically for a plain GET.
public struct MultiValueRegister: Equatable, Sendable {
    /// Sorted by dot.
    public private(set) var siblings: [RegisterSibling]
    public private(set) var context: CausalContext

    public init() {
        siblings = []
        context = CausalContext()
    }

    init(siblings: [RegisterSibling], context: CausalContext) {
        self.siblings = siblings
        self.context = context
    }

    /// Writes `value` as `node`, replacing the siblings whose dots are in `observed` (what the
    /// writer had seen; pass `context` for "everything this replica holds"). Returns the delta
    /// to ship to other replicas; this register has already absorbed it.
    @discardableResult
    public mutating func write(
        value: [UInt8], context observed: CausalContext, by node: NodeID, at timestamp: HybridTimestamp,
        expiresAt: WallTime? = nil
    ) -> MultiValueRegister {
        let dot = context.merged(observed).nextDot(for: node)
        var deltaContext = observed
        deltaContext.insert(dot)
        let stamp = WriteStamp(dot: dot, timestamp: timestamp, expiresAt: expiresAt)
        let sibling = RegisterSibling(stamp: stamp, value: value)
        let delta = MultiValueRegister(siblings: [sibling], context: deltaContext)
        merge(delta)
        return delta
    }

    /// The join; commutative, associative and idempotent.
    public mutating func merge(_ other: MultiValueRegister) {
        siblings = DotStore.join(siblings, context, other.siblings, other.context)
        context.merge(other.context)
    }

    /// The sibling a plain GET returns: highest timestamp, ties by node id; nil if none is live.
    public func winner(at now: WallTime) -> RegisterSibling? { DotStore.winner(siblings, at: now) }

    /// The siblings not yet expired at `now`, in dot order.
    public func siblings(at now: WallTime) -> [RegisterSibling] { siblings.filter { $0.stamp.isLive(at: now) } }
}
