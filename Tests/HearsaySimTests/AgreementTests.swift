import HearsayCore
import HearsaySim
import Testing

/// HS.AGREEMENT and tombstone purging on full simulated nodes.
struct AgreementTests {
    static let second: Int64 = 1_000_000_000

    /// The (partition, ms) pairs of an HS.AGREEMENT reply (RESP2: each row is :p, $id, :ms).
    static func rows(_ reply: String) -> [(partition: Int, ms: Int)] {
        let ints = reply.split(separator: "\r\n", omittingEmptySubsequences: false).filter { $0.hasPrefix(":") }
            .compactMap {
                Int($0.dropFirst())
            }
        return stride(from: 0, to: ints.count - 1, by: 2).map { (ints[$0], ints[$0 + 1]) }
    }

    @Test func agreement_listsEveryReplicaPair_neverBeforeAnExchange_recentAfter() {
        for seed: UInt64 in [1, 2] {
            let quiet = HearsayCluster(seed: seed, nodes: 3) { $0.antiEntropyIntervalMilliseconds = 0 }
            #expect(quiet.runUntilAgreement(timeoutNanoseconds: 60 * Self.second) == nil, "seed=\(seed)")
            let never = Self.rows(quiet.command(0, "HS.AGREEMENT") ?? "")
            #expect(never.count == 256 * 2 && never.allSatisfy { $0.ms == -1 }, "seed=\(seed)")

            let cluster = HearsayCluster(seed: seed, nodes: 3) {
                $0.antiEntropyIntervalMilliseconds = 50
                $0.antiEntropyConcurrency = 4
            }
            #expect(cluster.runUntilAgreement(timeoutNanoseconds: 60 * Self.second) == nil, "seed=\(seed)")
            cluster.sim.run(forNanoseconds: 60 * Self.second)
            let rows = Self.rows(cluster.command(1, "HS.AGREEMENT") ?? "")
            #expect(rows.count == 256 * 2, "seed=\(seed): N=3 on 3 nodes: every partition, two peers")
            #expect(Set(rows.map(\.partition)) == Set(0..<256), "seed=\(seed)")
            let worst = rows.map(\.ms).max() ?? -1
            // 256 partitions, an exchange every 50 ms with one of two peers: each pair agrees
            // about every 26 s, so within the last 60 s every pair has.
            #expect(rows.allSatisfy { $0.ms >= 0 } && worst < 60_000, "seed=\(seed): worst \(worst) ms")
        }
    }

    @Test func deletedKeys_arePurgedOnEveryReplica_afterGraceAndAgreement() {
        for seed: UInt64 in [3, 4] {
            let cluster = HearsayCluster(seed: seed, nodes: 4) {
                $0.antiEntropyIntervalMilliseconds = 20
                $0.antiEntropyConcurrency = 4
                $0.tombstoneGraceMilliseconds = 5_000
            }
            #expect(cluster.runUntilAgreement(timeoutNanoseconds: 60 * Self.second) == nil, "seed=\(seed)")
            for i in 0..<40 { _ = cluster.request(i % 4, ["SET", "k\(i)", "v"]) }
            for i in 0..<40 where i % 2 == 0 { _ = cluster.request((i + 1) % 4, ["DEL", "k\(i)"]) }
            let tombstones = { cluster.liveNodes.map { cluster.sim.node($0)!.node.keyspace.tombstoneCount } }
            #expect(tombstones().reduce(0, +) >= 20 * 2, "seed=\(seed): deletes leave tombstones first")
            cluster.sim.run(forNanoseconds: 2 * Self.second)
            #expect(tombstones().reduce(0, +) > 0, "seed=\(seed): not purged within the grace period")
            cluster.sim.run(forNanoseconds: 60 * Self.second)
            #expect(tombstones().allSatisfy { $0 == 0 }, "seed=\(seed): \(tombstones())")
            for i in 0..<40 {
                let reply = cluster.request(i % 4, ["GET", "k\(i)"])
                #expect(reply == (i % 2 == 0 ? "$-1\r\n" : "$1\r\nv\r\n"), "seed=\(seed) k\(i)")
            }
            #expect(
                AntiEntropyScenarios.ownersDisagree(cluster) == nil, "seed=\(seed): replicas identical after purging")
        }
    }
}
