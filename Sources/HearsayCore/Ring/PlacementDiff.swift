/// How one partition's replica set differs between two placements: the input
/// to handoff (the `gained` nodes must receive the partition's data; the `lost`
/// nodes may drop it once they have handed it over).
public struct PartitionChange: Sendable, Equatable {
    public var partition: PartitionID
    /// Replicas in the new placement that were not replicas before, in new preference order.
    public var gained: [NodeID]
    /// Replicas in the old placement that are not replicas any more, in old preference order.
    public var lost: [NodeID]
}

extension Placement {
    /// The partitions whose replica set changed from `old` to `new`, ascending.
    /// A change in preference order alone (same set) is not listed: it moves no data.
    /// Both placements MUST have the same partition count (P is fixed per cluster).
    public static func diff(_ old: Placement, _ new: Placement) -> [PartitionChange] {
        precondition(
            old.partitionCount == new.partitionCount,
            "cannot diff placements with \(old.partitionCount) and \(new.partitionCount) partitions")
        var changes: [PartitionChange] = []
        for p in 0..<old.partitionCount.value {
            let partition = PartitionID(p)
            let before = old.replicas(for: partition)
            let after = new.replicas(for: partition)
            let gained = after.filter { !before.contains($0) }
            let lost = before.filter { !after.contains($0) }
            if !gained.isEmpty || !lost.isEmpty {
                changes.append(PartitionChange(partition: partition, gained: gained, lost: lost))
            }
        }
        return changes
    }

    /// Replicas that land on a node that did not hold them: the data that moves.
    public static func movedReplicaCount(_ old: Placement, _ new: Placement) -> Int {
        diff(old, new).reduce(0) { $0 + $1.gained.count }
    }
}
