/// Keys and requests per partition and per node (HS.PARTITIONS), and the hot partitions: those
/// with more than `hotFactor` times the mean requests or keys (and at least 30 of them, so an
/// almost empty cluster flags nothing).
struct LoadSpread {
    var keys: [Int64?]
    var requests: [Int64?]
    var nodeKeys: [String: Int64] = [:]
    var nodeRequests: [String: Int64] = [:]
    var hot: Set<Int> = []

    init(nodes: [String: NodeSample], order: [String], partitionCount: Int, hotFactor: Double) {
        keys = Array(repeating: nil, count: partitionCount)
        requests = Array(repeating: nil, count: partitionCount)
        for id in order {
            guard let rows = nodes[id]?.partitions else { continue }
            var nodeKeyCount: Int64 = 0
            var nodeRequestCount: Int64 = 0
            for row in rows where row.partition >= 0 && row.partition < partitionCount {
                requests[row.partition] = (requests[row.partition] ?? 0) + row.requests
                nodeRequestCount += row.requests
                if row.replica {
                    keys[row.partition] = max(keys[row.partition] ?? 0, row.keys)
                    nodeKeyCount += row.keys
                }
            }
            nodeKeys[id] = nodeKeyCount
            nodeRequests[id] = nodeRequestCount
        }
        for series in [keys, requests] {
            let known = series.compactMap { $0 }
            guard !known.isEmpty else { continue }
            let mean = Double(known.reduce(0, +)) / Double(known.count)
            for (p, value) in series.enumerated() {
                if let value, value >= 30, Double(value) > hotFactor * mean { hot.insert(p) }
            }
        }
    }
}
