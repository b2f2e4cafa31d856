/// One member as a node sees it: a stable id, where it can be reached now, the
/// incarnation it last announced, and its status.
///
/// A node that restarts keeps its id and may get a new address; it becomes the
/// same member again by announcing a higher incarnation.
public struct Member: Hashable, Sendable, CustomStringConvertible {
    public var id: NodeID
    /// "host:port" of the member's cluster port.
    public var address: String
    /// Only the member itself raises its incarnation (to refute, to leave, to rejoin).
    public var incarnation: UInt64
    public var status: MemberStatus

    public init(id: NodeID, address: String, incarnation: UInt64, status: MemberStatus) {
        self.id = id
        self.address = address
        self.incarnation = incarnation
        self.status = status
    }

    /// True when `self` carries newer information than `other` about the same member:
    /// a higher incarnation wins; at the same incarnation the stronger status wins.
    /// This is a total order per member, so applying claims in any order converges.
    @inlinable public func supersedes(_ other: Member) -> Bool {
        if incarnation != other.incarnation { return incarnation > other.incarnation }
        return status > other.status
    }

    public var description: String { "\(id)@\(address)#\(incarnation):\(status)" }
}
