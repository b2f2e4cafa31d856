import HearsayCore
import HearsaySim
import Testing

/// Handoff on a placement change: a fourth node joins a loaded three-node cluster (N=3).
/// Every partition that moves to the new node must end with its N new replicas holding
/// every key, the old owner must drop it only after that, and at no sampled moment may a
/// key have fewer than N copies among the nodes.
struct HandoffTests {
    static let second: Int64 = 1_000_000_000

    @Test func joiningNode_isFilled_andOldOwnersDropOnlyWhatTheNewReplicasHold() {
        for seed: UInt64 in [1, 2, 3] {
            let cluster = HearsayCluster(seed: seed, nodes: 4) {
                $0.hintsEnabled = false
                $0.antiEntropyIntervalMilliseconds = 50
                $0.antiEntropyConcurrency = 2
            }
            cluster.crash(3)  // before it ever started: the cluster forms with three nodes
            cluster.sim.run(forNanoseconds: 20 * Self.second)
            let keys = (0..<600).map { "load:\($0)" }
            var acknowledged: [String] = []
            for (i, key) in keys.enumerated() where cluster.request(i % 3, ["SET", key, "v\(i)"]) == "+OK\r\n" {
                acknowledged.append(key)
            }
            #expect(acknowledged.count > 500, "seed=\(seed): \(acknowledged.count) writes acknowledged")
            cluster.restart(3)  // joins through the seeds; placement now spreads over four
            var fewest = Int.max
            var done: Int64?
            let joinedAt = cluster.sim.now
            while cluster.sim.now - joinedAt < 300 * Self.second {
                cluster.sim.run(forNanoseconds: Self.second / 2)
                let counts = acknowledged.map { key in
                    (0..<4).filter { cluster.sim.node($0)?.node.heldValues(of: Array(key.utf8)).isEmpty == false }.count
                }
                fewest = min(fewest, counts.min() ?? 0)
                if Self.handedOff(cluster) == nil && AntiEntropyScenarios.ownersDisagree(cluster) == nil {
                    done = cluster.sim.now - joinedAt
                    break
                }
            }
            #expect(done != nil, "seed=\(seed): \(Self.handedOff(cluster) ?? "owners differ") after 300 s")
            #expect(fewest >= 3, "seed=\(seed): a key had only \(fewest) copies during the handoff")
            let dropped = (0..<4).reduce(0) {
                $0 + (cluster.sim.node($1)?.node.antiEntropy.stats.handoffsCompleted ?? 0)
            }
            #expect(dropped > 0, "seed=\(seed): the old owners handed off nothing")
            for key in acknowledged {
                let read = cluster.request(Int(key.utf8.last!) % 4, ["GET", key])
                #expect(read?.hasPrefix("$") == true && read != "$-1\r\n", "seed=\(seed) \(key): \(read ?? "no reply")")
            }
            print("handoff seed=\(seed): done in \((done ?? 0) / 1_000_000) ms, \(dropped) partitions dropped")
        }
    }

    /// Nil when every node holds keys only in partitions it replicates (the handoffs are over).
    static func handedOff(_ cluster: HearsayCluster) -> String? {
        for index in cluster.liveNodes {
            guard let node = cluster.sim.node(index)?.node else { continue }
            let placement = node.topology.placement
            guard placement.members.count == 4 else { return "node \(index) sees \(placement.members.count) members" }
            for p in 0..<node.keyspace.partitionCount where node.keyspace.keyCount(inPartition: p) > 0 {
                if !placement.isReplica(cluster.ids[index], of: PartitionID(p)) {
                    return "node \(index) still holds partition \(p)"
                }
            }
        }
        return nil
    }
}
