/// Where this node sends a partition's replica traffic, as of one membership version. It
/// is computed once per partition after each membership change instead of on every request:
/// each computation filtered the preference list through membership lookups into fresh
/// arrays, a tenth of a coordinator's time at `-P 16`.
struct PartitionRoutes {
    /// `ClusterState.membershipVersion` when computed (any status change bumps it).
    var version: UInt64
    /// The other owners this node sees alive (reads and pre-reads ask them).
    var reachableOwners: [NodeID]
    /// Where a write goes besides this node, each with the down owner it stands in for.
    var writeTargets: [(NodeID, NodeID?)]
    /// Down owners whose hints this node keeps itself (no stand-in was left).
    var localHints: [NodeID]
}

extension Node {
    /// The routes of `partition` under `placement`, from the cache when membership has not
    /// changed since they were computed.
    mutating func routes(_ partition: PartitionID, _ placement: Placement) -> PartitionRoutes {
        let version = cluster.membershipVersion
        if cluster.routes.count != placement.partitionCount.value {
            cluster.routes = Array(repeating: nil, count: placement.partitionCount.value)
        }
        if let cached = cluster.routes[partition.index], cached.version == version { return cached }
        let me = cluster.settings.nodeID
        let all = writeTargets(partition, placement)
        let fresh = PartitionRoutes(
            version: version,
            reachableOwners: placement.replicas(for: partition).filter { $0 != me && cluster.isReachable($0) },
            writeTargets: all.filter { $0.0 != me }, localHints: all.filter { $0.0 == me }.compactMap(\.1))
        cluster.routes[partition.index] = fresh
        return fresh
    }
}
