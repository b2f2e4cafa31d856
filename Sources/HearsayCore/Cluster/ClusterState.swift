import RESP

/// A node's cluster side: its membership view and the placement computed from it.
public struct ClusterState {
    /// Boxed: inline, the settings would make this struct 2 KB, moved whole by any copy.
    private let settingsBox: Box<ClusterSettings>
    public var settings: ClusterSettings { settingsBox.value }
    public internal(set) var membership: Membership
    /// Reused buffer for the membership instance's effects.
    var membershipEffects: [MembershipEffect] = []
    /// Peer frames that could not be decoded (counted, then dropped).
    public internal(set) var malformedFrames = 0

    /// Whether this state came from `joinCluster` (a cluster of one that never joined keeps
    /// purging tombstones at once: no other replica can ever need them).
    public internal(set) var joined = false

    init(settings: ClusterSettings, partitionCount: Int, seed: UInt64, joined: Bool = false) {
        self.joined = joined
        settingsBox = Box(settings)
        membership = Membership(
            id: settings.nodeID, address: settings.address, incarnation: settings.incarnation,
            settings: settings.membership, seed: seed)
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

    func address(of id: NodeID) -> String? { membership.member(id)?.address }
}
