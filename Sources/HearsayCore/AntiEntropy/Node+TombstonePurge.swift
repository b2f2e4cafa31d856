/// Purging tombstones by causal stability.
///
/// A tombstone stored here at local time t is purged once, for every other replica of its
/// partition in the current placement (down members included), an exchange that began after
/// t + grace has ended in agreement (`ExchangeSession.agreed`). At that point every replica
/// holds the tombstone, a state that dominates it, or nothing (it purged the tombstone, or
/// never held the key and refused it as settled), and no older copy of the deleted writes can
/// still be on its way: hints are dropped before the grace period ends, and every replica
/// that held such a copy later than t + grace would have had it replaced in that exchange.
/// README, "Tombstones", gives the whole argument.
///
/// The check runs on the anti-entropy tick: every partition this node replicates, from a
/// rotating start, purging oldest first, at most `tombstonePurgeBudget` tombstones a tick.
extension Node {
    mutating func recordAgreement(_ session: ExchangeSession, peer: NodeID, now: Now) {
        let replicas = topology.placement.replicas(for: PartitionID(session.partition))
        cluster.agreements.record(
            partition: session.partition, peer: peer, startedAt: session.startedAt, endedAt: now.monotonic,
            localRoot: session.localRoot, replicas: replicas)
        cluster.antiEntropy.agreed += 1
    }

    /// The monotonic time before which partition `p`'s tombstones are stable, or nil while
    /// some replica has not agreed with this node since the grace period of any of them.
    func stableHorizon(partition p: PartitionID, placement: Placement, now: Now) -> Instant? {
        let grace = cluster.settings.tombstoneGraceMilliseconds
        var horizon = now.monotonic.adding(milliseconds: -grace)
        let me = cluster.settings.nodeID
        for peer in placement.replicas(for: p) where peer != me {
            guard let agreement = cluster.agreements.record(partition: p.index, peer: peer) else { return nil }
            horizon = min(horizon, agreement.startedAt.adding(milliseconds: -grace))
        }
        return horizon
    }

    /// Purges the tombstones that became stable, within the per-tick budget.
    mutating func purgeStableTombstones(now: Now) {
        guard store.keyspace.tombstoneCount > 0 else { return }
        let placement = topology.placement
        let partitions = placement.partitions(replicatedOn: cluster.settings.nodeID)
        guard !partitions.isEmpty else { return }
        var budget = cluster.settings.tombstonePurgeBudget
        let first = cluster.nextPurgePartition % partitions.count
        for k in 0..<partitions.count where budget > 0 {
            let p = partitions[(first + k) % partitions.count]
            guard let oldest = store.keyspace.oldestTombstone(inPartition: p.index),
                let horizon = stableHorizon(partition: p, placement: placement, now: now), oldest < horizon
            else { continue }
            budget -= store.keyspace.purgeTombstones(inPartition: p.index, storedBefore: horizon, budget: budget)
            if budget == 0 { cluster.nextPurgePartition = (first + k) % partitions.count }
        }
    }
}
