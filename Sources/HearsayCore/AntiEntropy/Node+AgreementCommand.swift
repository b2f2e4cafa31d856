import RESP

/// HS.AGREEMENT: for each partition this node replicates and each other replica of it, the
/// milliseconds since an exchange between the two last ended in agreement (-1: never).
/// Reply: an array of [partition, peer id, ms]. The inspector shows it; tombstone purging
/// waits on the same records.
extension Node {
    mutating func agreement(_ now: Now, _ r: inout ReplyBuffer) {
        let placement = topology.placement
        let me = cluster.settings.nodeID
        var rows: [(partition: Int, peer: NodeID, ms: Int64)] = []
        for p in placement.partitions(replicatedOn: me) {
            for peer in placement.replicas(for: p) where peer != me {
                let ended = antiEntropy.agreements.record(partition: p.index, peer: peer)?.endedAt
                rows.append((p.index, peer, ended.map { max(0, now.monotonic.milliseconds - $0.milliseconds) } ?? -1))
            }
        }
        r.arrayHeader(rows.count)
        for row in rows {
            r.arrayHeader(3)
            r.integer(row.partition)
            r.bulk(row.peer.description)
            r.integer(row.ms)
        }
    }
}
