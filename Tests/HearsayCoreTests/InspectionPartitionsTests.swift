import HearsayTestSupport
import Testing

@testable import HearsayCore

/// HS.PARTITIONS: per partition, replica or not, keys, tombstones, bytes, sibling keys, requests.
struct InspectionPartitionsTests {
    static let fieldNames = ["partition", "replica", "keys", "tombstones", "bytes", "siblingkeys", "requests"]

    /// The reply as one dictionary of integers per partition, checking the shape on the way.
    static func table(_ h: inout CommandHarness) -> [[String: Int64]] {
        let reply = h.value("HS.PARTITIONS")
        var rows: [[String: Int64]] = []
        for (p, entry) in reply.items.enumerated() {
            let items = entry.items
            #expect(items.count == 14)
            #expect(stride(from: 0, to: items.count, by: 2).map { items[$0].text ?? "" } == fieldNames)
            var row: [String: Int64] = [:]
            for (name, value) in entry.fields { row[name] = value.int }
            #expect(row.count == 7 && row["partition"] == Int64(p))
            rows.append(row)
        }
        return rows
    }

    @Test func partitions_ofAFreshNode_shouldListEveryPartitionEmpty() {
        var h = CommandHarness()
        let rows = Self.table(&h)
        #expect(rows.count == 256)
        for row in rows {
            #expect(row["replica"] == 1)
            #expect(row["keys"] == 0 && row["tombstones"] == 0 && row["bytes"] == 0)
            #expect(row["siblingkeys"] == 0 && row["requests"] == 0)
        }
    }

    @Test func partitions_shouldCountKeysTombstonesBytesAndSiblingKeysPerPartition() {
        var h = CommandHarness.clustered()
        let five = h.keys(inPartition: 5, count: 4)
        let nine = h.keys(inPartition: 9, count: 2, prefix: "n")
        for key in five + nine { h.run("SET", key, "value") }
        h.run("DEL", five[0])
        h.run("HS.SETCTX", five[1], "concurrent", "")
        h.run("HS.SETCTX", nine[0], "concurrent", "")
        h.run("HS.SETCTX", nine[0], "another", "")
        let rows = Self.table(&h)
        #expect(rows[5]["keys"] == 3 && rows[5]["tombstones"] == 1 && rows[5]["siblingkeys"] == 1)
        #expect(rows[9]["keys"] == 2 && rows[9]["tombstones"] == 0 && rows[9]["siblingkeys"] == 1)
        #expect(rows.reduce(0) { $0 + $1["keys"]! } == Int64(h.node.store.keyspace.liveCount))
        #expect(rows.reduce(0) { $0 + $1["bytes"]! } == Int64(h.node.store.keyspace.usedBytes))
        #expect(rows[5]["bytes"]! > 0 && rows[0]["bytes"] == 0)
    }

    @Test func partitions_shouldCountEveryKeyedRequestOncePerKey() {
        // A node alone is a cluster of one: it counts like any member.
        var h = CommandHarness()
        let five = h.keys(inPartition: 5, count: 2)
        let nine = h.keys(inPartition: 9, count: 1)
        h.run("SET", five[0], "v")  // 1 in 5
        h.run("GET", five[0])  // 2 in 5
        h.run("MSET", five[1], "a", nine[0], "b")  // 3 in 5, 1 in 9
        h.run("MGET", five[0], five[1], nine[0])  // 5 in 5, 2 in 9
        h.run("EXISTS", "x")  // keyed: counts in the partition of "x"
        h.run("DBSIZE")  // keyless: counts nowhere
        h.run("GET")  // refused for arity: counts nowhere
        let rows = Self.table(&h)
        #expect(rows[5]["requests"] == 5)
        #expect(rows[9]["requests"] == 2)
        #expect(rows[h.partition(of: "x")]["requests"]! >= 1)
        #expect(rows.reduce(0) { $0 + $1["requests"]! } == 8)
        h.node.joinCluster(ClusterSettings(nodeID: NodeID(1), address: "127.0.0.1:1"))
        h.run("GET", nine[0])
        #expect(Self.table(&h)[9]["requests"] == 3)
    }

    @Test func partitions_withArguments_shouldBeAnArityError() {
        var h = CommandHarness()
        #expect(h.run("HS.PARTITIONS", "0") == arity("hs.partitions"))
    }
}
