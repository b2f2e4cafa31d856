import RESP

/// The cluster's own commands, which the inspector and operators use:
///   HS.MEMBERS             every member as this node sees it: id, address, status, incarnation
///   HS.RING [partition]    partitions and their replicas (or one partition's preference list)
///   HS.FORGET node-id      remove a (down) member from this node's view and the ring
extension Node {
    mutating func members(_ r: inout ReplyBuffer) {
        let view = cluster.membership.view
        r.arrayHeader(view.count)
        for m in view {
            memberEntry(
                id: m.id.description, address: m.address, status: m.status.description,
                incarnation: m.incarnation, &r)
        }
    }

    func memberEntry(id: String, address: String, status: String, incarnation: UInt64, _ r: inout ReplyBuffer) {
        r.mapHeader(4)
        r.bulk("id")
        r.bulk(id)
        r.bulk("address")
        r.bulk(address)
        r.bulk("status")
        r.bulk(status)
        r.bulk("incarnation")
        r.integer(Int64(truncatingIfNeeded: incarnation))
    }

    mutating func ring(_ a: Arguments, _ r: inout ReplyBuffer) {
        let placement = topology.placement
        if a.count == 2 {
            guard let p = a.int64(1), p >= 0, p < Int64(placement.partitionCount.value) else {
                return r.error("ERR partition out of range")
            }
            let list = placement.preferenceList(for: PartitionID(Int(p)))
            r.arrayHeader(list.count)
            for id in list { r.bulk(id.description) }
            return
        }
        r.mapHeader(4)
        r.bulk("partitions")
        r.integer(placement.partitionCount.value)
        r.bulk("replicas")
        r.integer(placement.replicaCount)
        r.bulk("members")
        r.arrayHeader(placement.members.count)
        for id in placement.members { r.bulk(id.description) }
        r.bulk("ring")
        r.arrayHeader(placement.partitionCount.value)
        for p in 0..<placement.partitionCount.value {
            let replicas = placement.replicas(for: PartitionID(p))
            r.arrayHeader(replicas.count)
            for id in replicas { r.bulk(id.description) }
        }
    }

    mutating func forgetCommand(_ a: Arguments, _ now: Now, _ r: inout ReplyBuffer) {
        guard let raw = UInt64(a.string(1), radix: 16) else { return r.error("ERR invalid node id") }
        let id = NodeID(raw)
        guard id != cluster.settings.nodeID else { return r.error("ERR a node cannot forget itself") }
        guard cluster.membership.member(id) != nil else { return r.error("ERR unknown node \(a.string(1))") }
        forget(id, now: now)
        r.ok()
    }
}
