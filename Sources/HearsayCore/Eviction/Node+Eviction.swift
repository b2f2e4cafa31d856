/// Eviction across replicas: the node that runs out of memory decides (any owner under
/// pressure, by its own access statistics), and its eviction, a causal remove marked as an
/// eviction, goes to the key's other owners at once; anti-entropy carries it to any owner
/// that did not get it, and purges the markers once every owner has agreed on them.
extension Node {
    /// `Store.makeRoom`, then each eviction's marker sent to the other owners of its key
    /// that answer. A key this node holds without owning it (awaiting handoff) is dropped
    /// outright: its owners keep their copies.
    mutating func makeRoom(now: Now) -> Bool {
        let roomy = store.makeRoom(now: now)
        guard !store.evictedKeys.isEmpty else { return roomy }
        let keys = store.evictedKeys
        store.evictedKeys.removeAll(keepingCapacity: true)
        for key in keys { replicateEviction(key) }
        return roomy
    }

    private mutating func replicateEviction(_ key: [UInt8]) {
        guard let marker = key.withUnsafeBytes({ store.keyspace.peek(KeyRef($0)) }) else { return }
        let partition = topology.partitionCount.partition(of: key)
        guard topology.placement.replicas(for: partition).contains(topology.me) else {
            store.keyspace.remove(marker)
            return
        }
        let tombstone = CompactObject.materialize(marker)
        hints.applyEviction(key, marker: tombstone)
        let object = tombstone.encoded
        for owner in topology.routes(partition).reachableOwners {
            output.peers.addWrite(
                to: owner, ReplicationMessages.Write(requestID: 0, key: key, object: object, hintFor: nil, marker: true)
            )
        }
    }
}
