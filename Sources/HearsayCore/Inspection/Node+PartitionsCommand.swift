import RESP

/// HS.PARTITIONS: one entry per partition, in order, each a flat key/value array (the same
/// in RESP2 and RESP3):
///
///     [partition, p, replica, 0|1, keys, n, tombstones, n, bytes, n, siblingkeys, n, requests, n]
///
/// `replica` says whether this node is among the partition's N replicas under its current
/// placement; `keys` and `tombstones` count entries as DBSIZE does (keys sum to DBSIZE);
/// `bytes` is the accounted footprint of the partition's entries (as `INFO memory`);
/// `siblingkeys` the keys whose string register holds more than one live value; `requests`
/// the keyed client requests this node received for the partition since it started.
///
/// Cost: one pass over every entry this node holds (the per-partition byte and sibling
/// counts are not kept incrementally), so about a millisecond per 10^4 to 10^5 keys.
extension Node {
    mutating func partitionsCommand(_ now: Now, _ r: inout ReplyBuffer) {
        let count = store.keyspace.partitionCount
        let placement = topology.placement
        let me = cluster.settings.nodeID
        let replicated = (0..<count).map { placement.replicas(for: PartitionID($0)).contains(me) }
        r.arrayHeader(count)
        for p in 0..<count {
            var entries = 0
            var tombstones = 0
            var bytes = 0
            var siblingKeys = 0
            store.keyspace.forEachEntry(inPartition: p) { box in
                entries += 1
                bytes += box.footprint
                if Keyspace.isTombstone(box) { tombstones += 1 }
                if EntrySummary.hasSiblings(box, now) { siblingKeys += 1 }
            }
            r.arrayHeader(14)
            r.bulk("partition")
            r.integer(p)
            r.bulk("replica")
            r.integer(replicated[p] ? 1 : 0)
            r.bulk("keys")
            r.integer(entries - tombstones)
            r.bulk("tombstones")
            r.integer(tombstones)
            r.bulk("bytes")
            r.integer(bytes)
            r.bulk("siblingkeys")
            r.integer(siblingKeys)
            r.bulk("requests")
            r.integer(store.partitionRequests[p])
        }
    }
}
