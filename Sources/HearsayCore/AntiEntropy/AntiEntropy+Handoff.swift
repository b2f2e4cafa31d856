/// Handoff when placement changes. A node that holds data for a partition it no longer
/// replicates keeps it, and keeps exchanging it with the partition's current replicas (every
/// other anti-entropy exchange), until each of them has agreed with this node in an exchange
/// that began after this node learned it lost the partition, and this node's root is still
/// the one those exchanges began with: then every current replica holds all of it, and the
/// node drops the partition. So a partition never has fewer copies than before the change.
/// A node that gains a partition needs nothing special: its exchanges with the partition's
/// other replicas (and the old owner's handoff) fill it.
extension AntiEntropy {
    /// The partitions to hand off (held here, not replicated here), after dropping those
    /// whose handoff completed. Records when each was first seen.
    mutating func trackHandoffs(now: Now, store: inout Store, topology: Topology) -> [Int] {
        let me = topology.me
        let placement = topology.placement
        var pending: [Int] = []
        for p in 0..<store.keyspace.partitionCount where store.keyspace.keyCount(inPartition: p) > 0 {
            guard !placement.isReplica(me, of: PartitionID(p)) else { continue }
            if handoffSince[p] == nil { handoffSince[p] = now.monotonic }
            if handoffComplete(p, store: store, placement: placement) {
                stats.handoffKeysDropped += store.dropPartition(p)
                stats.handoffsCompleted += 1
                agreements.removeAll(partition: p)
            } else {
                pending.append(p)
            }
        }
        for p in handoffSince.keys
        where store.keyspace.keyCount(inPartition: p) == 0
            || placement.isReplica(me, of: PartitionID(p))
        {
            handoffSince[p] = nil
        }
        return pending
    }

    func handoffComplete(_ p: Int, store: Store, placement: Placement) -> Bool {
        guard let since = handoffSince[p] else { return false }
        let root = MerkleTree(leaves: store.keyspace.leaves(ofPartition: p)).root
        for replica in placement.replicas(for: PartitionID(p)) {
            guard let agreement = agreements.record(partition: p, peer: replica),
                agreement.startedAt > since, agreement.localRoot == root
            else { return false }
        }
        return true
    }
}

extension Store {
    /// Removes every entry of partition `p`; returns how many.
    mutating func dropPartition(_ p: Int) -> Int {
        var boxes: [EntryBox] = []
        keyspace.forEachEntry(inPartition: p) { boxes.append($0) }
        for box in boxes { keyspace.remove(box) }
        return boxes.count
    }
}
