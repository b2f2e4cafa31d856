/// Where this node sends a partition's replica traffic, as of one membership version. It
/// is computed once per partition after each membership change instead of on every request:
/// each computation filtered the preference list through membership lookups into fresh
/// arrays, a tenth of a coordinator's time at `-P 16`.
struct PartitionRoutes {
    /// The `Topology` version it was computed at (every membership change bumps it).
    var version: UInt64
    /// The other owners this node sees alive (reads and pre-reads ask them).
    var reachableOwners: [NodeID]
    /// Where a write goes besides this node, each with the down owner it stands in for.
    var writeTargets: [(NodeID, NodeID?)]
    /// Down owners whose hints this node keeps itself (no stand-in was left).
    var localHints: [NodeID]
}
