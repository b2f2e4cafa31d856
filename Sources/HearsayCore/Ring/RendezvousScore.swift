/// The rendezvous (highest-random-weight) score of a node for a partition:
/// lower is more preferred. A fixed function of the node id and partition
/// index only, so every process ranks nodes identically (never `Hasher`).
public enum RendezvousScore {
    /// Separates placement scores from any other use of the same hash.
    @usableFromInline static let salt: UInt64 = 0x6865_6172_7361_7972  // "hearsayr"

    /// Per-node half of the score, computed once per node.
    @inlinable
    public static func nodeSeed(_ node: NodeID) -> UInt64 {
        StableHash.combine(node.rawValue, salt)
    }

    @inlinable
    public static func score(nodeSeed: UInt64, partition: Int) -> UInt64 {
        StableHash.combine(nodeSeed, UInt64(partition))
    }

    @inlinable
    public static func score(_ node: NodeID, _ partition: PartitionID) -> UInt64 {
        score(nodeSeed: nodeSeed(node), partition: partition.index)
    }
}
