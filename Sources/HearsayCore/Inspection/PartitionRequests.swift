import RESP

/// Client requests per partition, for HS.PARTITIONS: every keyed client command counts once
/// per key it names, whether this node coordinates it or forwards it. Counted in `execute`,
/// before routing, into a preallocated array (no allocation on the request path).
extension Node {
    @inline(__always)
    mutating func countKeyedRequest(_ id: CommandID, _ a: Arguments) {
        let (first, last, step) = CommandTable.keyPositions[Int(id.rawValue)]
        guard first > 0, first < a.count else { return }
        let end = last < 0 ? a.count + last : min(last, a.count - 1)
        var i = first
        while i <= end {
            let p = store.keyspace.partition(ofHash: KeyHash.hash(a[i]))
            store.partitionRequests[p] &+= 1
            i += max(step, 1)
        }
    }
}
