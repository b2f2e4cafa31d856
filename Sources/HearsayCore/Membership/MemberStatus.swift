/// Where a member stands in one node's view.
///
/// The numeric values are part of the wire protocol: ONLY APPEND. The order of
/// the ranks is also the precedence between two claims about the same member at
/// the same incarnation (SWIM 4.2: suspect overrides alive, confirm overrides
/// suspect), so the merge of two claims is a join.
public enum MemberStatus: UInt8, Sendable, Comparable, CustomStringConvertible {
    /// Answering probes, directly or through others.
    case alive = 0
    /// Missed a direct and an indirect probe; gets a suspicion timeout to refute.
    case suspect = 1
    /// Suspicion ran out without a refutation. Still a member (its partitions stay
    /// put) until an operator forgets it or it comes back with a higher incarnation.
    case down = 2
    /// Left gracefully. Kept as a tombstone so stale gossip cannot revive it.
    case left = 3

    public static func < (a: MemberStatus, b: MemberStatus) -> Bool { a.rawValue < b.rawValue }

    /// Alive and suspect members are probed and count towards the cluster size.
    @inlinable public var isReachable: Bool { self == .alive || self == .suspect }

    public var description: String {
        switch self {
        case .alive: "alive"
        case .suspect: "suspect"
        case .down: "down"
        case .left: "left"
        }
    }
}
