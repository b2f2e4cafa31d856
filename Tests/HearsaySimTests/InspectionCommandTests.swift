import HearsayCore
import HearsaySim
import HearsayTestSupport
import Testing

/// The inspector's commands on cluster nodes: each node answers from its own copy.
struct InspectionCommandTests {
    static let second: Int64 = 1_000_000_000

    static func parse(_ reply: String?) -> RESPTestValue {
        reply.flatMap(RESPTestValue.parse) ?? .error("no reply or unparsable: \(reply ?? "nil")")
    }

    @Test func partitions_onEveryNode_shouldMarkExactlyItsPlacementsReplicas() {
        for seed: UInt64 in [3, 4, 5] {
            let cluster = HearsayCluster(seed: seed, nodes: 5)
            #expect(cluster.runUntilAgreement(timeoutNanoseconds: 60 * Self.second) == nil, "seed \(seed)")
            var replicaFlags = 0
            for index in cluster.liveNodes {
                let rows = Self.parse(cluster.command(index, "HS.PARTITIONS")).items
                guard let placement = cluster.sim.node(index)?.placement, rows.count == 256 else {
                    Issue.record("seed \(seed) node \(index): \(rows.count) rows")
                    continue
                }
                for (p, row) in rows.enumerated() {
                    let isReplica = placement.replicas(for: PartitionID(p)).contains(cluster.ids[index])
                    #expect(row.fields["replica"] == .integer(isReplica ? 1 : 0), "seed \(seed) node \(index) p \(p)")
                    replicaFlags += isReplica ? 1 : 0
                }
            }
            #expect(replicaFlags == 256 * 3, "seed \(seed)")
        }
    }

    @Test func partitions_requests_shouldCountOnTheNodeTheClientReached() {
        let cluster = HearsayCluster(seed: 21, nodes: 5)
        #expect(cluster.runUntilAgreement(timeoutNanoseconds: 60 * Self.second) == nil)
        let key = "inspected"
        let partition = PartitionCount(256).partition(of: Array(key.utf8)).index
        // A node that does not replicate the key forwards it; a replica coordinates it.
        let placement = cluster.sim.node(0)!.placement!
        let owners = Set(placement.replicas(for: PartitionID(partition)))
        let forwarder = cluster.liveNodes.first { !owners.contains(cluster.ids[$0]) }!
        let owner = cluster.liveNodes.first { owners.contains(cluster.ids[$0]) }!
        #expect(cluster.request(forwarder, ["SET", key, "v"]) == "+OK\r\n")
        #expect(cluster.request(forwarder, ["GET", key]) == "$1\r\nv\r\n")
        #expect(cluster.request(owner, ["GET", key]) == "$1\r\nv\r\n")
        cluster.sim.run(forNanoseconds: Self.second)  // the third replica's copy arrives
        for index in cluster.liveNodes {
            let rows = Self.parse(cluster.command(index, "HS.PARTITIONS")).items
            let expected: Int64 = index == forwarder ? 2 : index == owner ? 1 : 0
            #expect(rows[partition].fields["requests"] == .integer(expected), "node \(index)")
            let keys = rows[partition].fields["keys"]
            #expect(
                keys == .integer(owners.contains(cluster.ids[index]) ? 1 : 0),
                "node \(index) keys \(String(describing: keys))")
        }
    }
}

extension InspectionCommandTests {
    /// Per owner, the hints HS.STATS says a node holds now ("pending").
    static func pendingHints(_ cluster: HearsayCluster, _ index: Int, owner: NodeID) -> Int64? {
        let stats = parse(cluster.command(index, "HS.STATS")).fields
        return stats["hints_by_owner"]?.fields[owner.description]?.fields["pending"]?.int
    }

    @Test func stats_hintsByOwner_shouldShowThePendingHintsAndDrainAfterReplay() {
        let cluster = HearsayCluster(seed: 33, nodes: 5)
        #expect(cluster.runUntilAgreement(timeoutNanoseconds: 60 * Self.second) == nil)
        let down = 4
        let owner = cluster.ids[down]
        cluster.crash(down)
        #expect(cluster.runUntilAgreement(timeoutNanoseconds: 120 * Self.second) == nil)
        // Keys that node 4 owns: each write leaves exactly one hint for it on some stand-in.
        let placement = cluster.sim.node(0)!.placement!
        let keys = (0..<400).map { "hinted-\($0)" }.filter {
            placement.replicas(for: PartitionCount(256).partition(of: Array($0.utf8))).contains(owner)
        }
        #expect(keys.count > 20)
        for key in keys { #expect(cluster.request(0, ["SET", key, "v"]) == "+OK\r\n") }
        cluster.sim.run(forNanoseconds: Self.second)
        var shown: Int64 = 0
        for index in cluster.liveNodes {
            let truth = cluster.sim.node(index)?.node.hints.stats[owner]?.pending ?? 0
            let pending = Self.pendingHints(cluster, index, owner: owner)
            #expect(pending ?? 0 == Int64(truth), "node \(index)")
            shown += pending ?? 0
        }
        #expect(shown == Int64(keys.count))
        // The hints' bytes are memory eviction cannot free: HS.STATS and INFO show them beside used_memory.
        for index in cluster.liveNodes {
            let node = cluster.sim.node(index)!.node
            let stats = Self.parse(cluster.command(index, "HS.STATS")).fields
            #expect(stats["used_memory"]?.int == Int64(node.keyspace.usedBytes))
            #expect(stats["evicted_keys"]?.int == 0)
            #expect(stats["mem_not_counted_for_evict"]?.int == Int64(node.memoryReport.notCountedForEviction))
            #expect(node.memoryReport.hints == node.hints.pendingBytes)
            #expect((node.hints.pendingBytes > 0) == (node.hints.pendingCount > 0))
        }
        cluster.restart(down)
        #expect(cluster.runUntilAgreement(timeoutNanoseconds: 120 * Self.second) == nil)
        let drained = cluster.sim.run(until: cluster.sim.now + 60 * Self.second, checkingEvery: Self.second) { _ in
            cluster.liveNodes.allSatisfy { Self.pendingHints(cluster, $0, owner: owner) ?? 0 == 0 }
        }
        #expect(drained)
    }
}
