/// Handoff when placement changes. A node that holds data for a partition it no longer
/// replicates keeps it, and keeps exchanging it with the partition's current replicas (every
/// other anti-entropy exchange), until each of them has agreed with this node in an exchange
/// that began after this node learned it lost the partition, and this node's root is still
/// the one those exchanges began with: then every current replica holds all of it, and the
/// node drops the partition. So a partition never has fewer copies than before the change.
/// A node that gains a partition needs nothing special: its exchanges with the partition's
/// other replicas (and the old owner's handoff) fill it.
extension Node {
    /// The partitions to hand off (held here, not replicated here), after dropping those
    /// whose handoff completed. Records when each was first seen.
    mutating func trackHandoffs(placement: Placement, now: Now) -> [Int] {
        let me = cluster.settings.nodeID
        var pending: [Int] = []
        for p in 0..<store.keyspace.partitionCount where store.keyspace.keyCount(inPartition: p) > 0 {
            guard !placement.isReplica(me, of: PartitionID(p)) else { continue }
            if cluster.handoffSince[p] == nil { cluster.handoffSince[p] = now.monotonic }
            if handoffComplete(p, placement: placement) {
                cluster.antiEntropy.handoffKeysDropped += dropPartition(p)
                cluster.antiEntropy.handoffsCompleted += 1
                cluster.agreements.removeAll(partition: p)
            } else {
                pending.append(p)
            }
        }
        for p in cluster.handoffSince.keys
        where store.keyspace.keyCount(inPartition: p) == 0
            || placement.isReplica(me, of: PartitionID(p))
        {
            cluster.handoffSince[p] = nil
        }
        return pending
    }

    func handoffComplete(_ p: Int, placement: Placement) -> Bool {
        guard let since = cluster.handoffSince[p] else { return false }
        let root = MerkleTree(leaves: store.keyspace.leaves(ofPartition: p)).root
        for replica in placement.replicas(for: PartitionID(p)) {
            guard let agreement = cluster.agreements.record(partition: p, peer: replica),
                agreement.startedAt > since, agreement.localRoot == root
            else { return false }
        }
        return true
    }

    /// Removes every entry of partition `p`; returns how many.
    mutating func dropPartition(_ p: Int) -> Int {
        var boxes: [EntryBox] = []
        store.keyspace.forEachEntry(inPartition: p) { boxes.append($0) }
        for box in boxes { store.keyspace.remove(box) }
        return boxes.count
    }
}
