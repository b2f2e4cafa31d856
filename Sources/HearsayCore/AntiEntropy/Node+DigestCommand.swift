import RESP

/// HS.DIGEST [partition]: every partition's Merkle root (hex), or one partition's 64 leaf
/// digests. Replicas of a partition that agree show equal roots; the inspector compares them.
/// HS.DIGEST partition KEYS [leaf] lists the keys behind the leaves (Inspection/).
extension Node {
    mutating func digest(_ a: Arguments, _ now: Now, _ r: inout ReplyBuffer) {
        if a.count > 2 { return digestKeys(a, now, &r) }
        if a.count == 2 {
            guard let p = a.int64(1), p >= 0, p < Int64(store.keyspace.partitionCount) else {
                return r.error("ERR partition out of range")
            }
            let leaves = store.keyspace.leaves(ofPartition: Int(p))
            r.arrayHeader(leaves.count)
            for leaf in leaves { r.bulk(Node.hex(leaf)) }
            return
        }
        let roots = MerkleTree.roots(of: keyspace)
        r.arrayHeader(roots.count)
        for root in roots { r.bulk(Node.hex(root)) }
    }

    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
