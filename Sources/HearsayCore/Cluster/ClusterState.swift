/// A node's cluster side: its membership view and the placement computed from it.
public struct ClusterState {
    public let settings: ClusterSettings
    public internal(set) var membership: Membership
    /// Reused buffer for the membership instance's effects.
    var membershipEffects: [MembershipEffect] = []
    /// Placement is a pure function of the member set; recomputed lazily after it changes.
    var cachedPlacement: Placement?
    public let partitionCount: PartitionCount
    /// Peer frames that could not be decoded (counted, then dropped).
    public internal(set) var malformedFrames = 0

    init(settings: ClusterSettings, partitionCount: Int, seed: UInt64) {
        self.settings = settings
        membership = Membership(id: settings.nodeID, address: settings.address, incarnation: settings.incarnation,
                                settings: settings.membership, seed: seed)
        self.partitionCount = PartitionCount(partitionCount)
        membershipEffects.reserveCapacity(64)
    }

    /// Lends out the reusable effects buffer, emptied (swap, so no copy and no allocation).
    mutating func takeMembershipEffects() -> [MembershipEffect] {
        var buffer: [MembershipEffect] = []
        swap(&buffer, &membershipEffects)
        buffer.removeAll(keepingCapacity: true)
        return buffer
    }

    mutating func returnMembershipEffects(_ buffer: [MembershipEffect]) { membershipEffects = buffer }

    /// The members that own partitions: every known member that has not left. A member
    /// that is down keeps its partitions until an operator forgets it (HS.FORGET).
    public var placementMembers: [NodeID] {
        membership.view.filter { $0.status != .left }.map(\.id)
    }

    /// The current placement, computing it if the member set changed since the last call.
    public mutating func placement() -> Placement {
        let members = placementMembers
        if let cached = cachedPlacement, cached.members == members { return cached }
        let fresh = Placement(members: members, partitionCount: partitionCount,
                              replicationFactor: settings.replicationFactor)
        cachedPlacement = fresh
        return fresh
    }
}
