/// One add of one set element.
public struct SetMember: DottedEntry, Hashable, CustomStringConvertible {
    public var element: [UInt8]
    public var stamp: WriteStamp

    public init(element: [UInt8], stamp: WriteStamp) {
        self.element = element
        self.stamp = stamp
    }

    public static func compareKeys(_ a: SetMember, _ b: SetMember) -> Int { compareBytes(a.element, b.element) }

    public static func payloadPrecedes(_ a: SetMember, _ b: SetMember) -> Bool {
        WriteStamp.comparePayload(a.stamp, b.stamp) < 0
    }

    public var description: String { "\(element.count)B@\(stamp)" }
}

/// An add-wins observed-remove set of byte strings without tombstones (the optimized AWORSet
/// of Almeida et al. 2018, section 7.1): an element is present while some dot of an add
/// survives. A remove keeps nothing: it drops the dots it saw, and the causal context records
/// that they were seen, so an add concurrent with the remove (an unseen dot) survives.
public struct ORSet: Equatable, Sendable {
    /// Sorted by (element, dot).
    public private(set) var members: [SetMember]
    public private(set) var context: CausalContext

    public init() {
        members = []
        context = CausalContext()
    }

    init(members: [SetMember], context: CausalContext) {
        self.members = members
        self.context = context
    }

    /// The distinct elements present at `now`, sorted.
    public func elements(at now: WallTime) -> [[UInt8]] {
        var out: [[UInt8]] = []
        for member in members where member.stamp.isLive(at: now) && out.last != member.element {
            out.append(member.element)
        }
        return out
    }

    public func contains(_ element: [UInt8], at now: WallTime) -> Bool {
        members.contains { $0.element == element && $0.stamp.isLive(at: now) }
    }

    /// Adds `element` as `node`, replacing the dots of earlier adds of it. Returns the delta.
    @discardableResult
    public mutating func add(
        _ element: [UInt8], by node: NodeID, at timestamp: HybridTimestamp, expiresAt: WallTime? = nil
    ) -> ORSet {
        let dot = context.nextDot(for: node)
        var seen = members.filter { $0.element == element }.map(\.stamp.dot)
        seen.append(dot)
        let stamp = WriteStamp(dot: dot, timestamp: timestamp, expiresAt: expiresAt)
        let member = SetMember(element: element, stamp: stamp)
        let delta = ORSet(members: [member], context: CausalContext(dots: seen))
        merge(delta)
        return delta
    }

    /// Removes the adds of `element` this replica has seen. Returns the delta.
    @discardableResult
    public mutating func remove(_ element: [UInt8]) -> ORSet {
        let seen = members.filter { $0.element == element }.map(\.stamp.dot)
        let delta = ORSet(members: [], context: CausalContext(dots: seen))
        merge(delta)
        return delta
    }

    /// The join; commutative, associative and idempotent.
    public mutating func merge(_ other: ORSet) {
        members = DotStore.join(members, context, other.members, other.context)
        context.merge(other.context)
    }
}
