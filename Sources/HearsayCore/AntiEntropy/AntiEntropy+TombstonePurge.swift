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
extension AntiEntropy {
    mutating func recordAgreement(_ session: ExchangeSession, peer: NodeID, now: Now, topology: Topology) {
        let replicas = topology.placement.replicas(for: PartitionID(session.partition))
        agreements.record(
            partition: session.partition, peer: peer, startedAt: session.startedAt, endedAt: now.monotonic,
            localRoot: session.localRoot, replicas: replicas)
        stats.agreed += 1
    }

    /// The monotonic time before which partition `p`'s tombstones (or eviction markers, with
    /// their shorter grace) are stable, or nil while some replica has not agreed with this
    /// node since the grace period of any of them.
    func stableHorizon(partition p: PartitionID, topology: Topology, now: Now, markers: Bool = false) -> Instant? {
        let grace = markers ? settings.evictionMarkerGraceMilliseconds : settings.tombstoneGraceMilliseconds
        var horizon = now.monotonic.adding(milliseconds: -grace)
        for peer in topology.placement.replicas(for: p) where peer != topology.me {
            guard let agreement = agreements.record(partition: p.index, peer: peer) else { return nil }
            horizon = min(horizon, agreement.startedAt.adding(milliseconds: -grace))
        }
        return horizon
    }

    /// Purges the tombstones and eviction markers that became stable, within the per-tick
    /// budget (markers first: they are what eviction is waiting on).
    mutating func purgeStableTombstones(now: Now, store: inout Store, topology: Topology) {
        guard store.keyspace.tombstoneCount > 0 else { return }
        let partitions = topology.placement.partitions(replicatedOn: topology.me)
        guard !partitions.isEmpty else { return }
        var budget = settings.tombstonePurgeBudget
        let first = nextPurgePartition % partitions.count
        for markers in [true, false] where !markers || store.keyspace.markerCount > 0 {
            for k in 0..<partitions.count where budget > 0 {
                let p = partitions[(first + k) % partitions.count]
                guard let oldest = store.keyspace.oldestTombstone(inPartition: p.index, markers: markers),
                    let horizon = stableHorizon(partition: p, topology: topology, now: now, markers: markers),
                    oldest < horizon
                else { continue }
                budget -= store.keyspace.purgeTombstones(
                    inPartition: p.index, storedBefore: horizon, budget: budget, markers: markers)
                if budget == 0 { nextPurgePartition = (first + k) % partitions.count }
            }
        }
    }
}
