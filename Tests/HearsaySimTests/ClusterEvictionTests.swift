import Testing

@testable import HearsayCore
@testable import HearsaySim

/// Eviction across replicas, in the simulator: every node of a 3-node cluster (N=3) bounded
/// at a fraction of what a client writes through all of them.
struct ClusterEvictionTests {
    /// Eviction follows memory use, which must not depend on the allocator's heap: a seed
    /// replays identically (here twice in one process, after different heap histories).
    @Test func evictionUnderFaults_replaysIdentically() {
        let scenario = SimulationScenario.named("eviction-faults")!
        let first = scenario.run(seed: 22, nodes: 3)
        let second = scenario.run(seed: 22, nodes: 3)
        #expect(first.summary == second.summary && first.simulatedSeconds == second.simulatedSeconds)
    }

    /// The eviction-faults scenario over seeds (HEARSAY_SIM_SEEDS=N runs N).
    @Test func evictionUnderFaults_keepsMemoryBounded_markersGo_andNothingElseIsLost() {
        MembershipScenarioTests.checkScenario("eviction-faults", ClusterScenarioTests.cases(6, nodes: 3...7))
    }

    /// The scenario's check that a write concurrent with an eviction survives can fail: with
    /// markers that replace everything they meet, rewrites the evictions never saw vanish.
    @Test func evictionUnderFaults_catchesMarkersThatRemoveWritesTheyDidNotSee() {
        let failures = (1...3 as ClosedRange<UInt64>).flatMap { seed in
            EvictionScenarios.run(seed: seed, nodes: 5, sabotaged: true).failures
        }
        #expect(failures.contains { $0.hasSuffix("held nowhere, and no eviction saw it") }, "\(failures)")
        for seed in 1...3 as ClosedRange<UInt64> {
            #expect(EvictionScenarios.run(seed: seed, nodes: 5).failures.isEmpty, "seed \(seed)")
        }
    }

    static let second: Int64 = 1_000_000_000
    static let maxmemory = 120_000
    static let value = String(repeating: "v", count: 200)

    static func bounded(seed: UInt64, policy: String = "allkeys-lru") -> HearsayCluster {
        let cluster = HearsayCluster(seed: seed, nodes: 3) {
            $0.replicationFactor = 3
            // The runtime's anti-entropy pace (the simulator's default is calmer).
            let runtime = ClusterSettings(nodeID: $0.nodeID, address: $0.address)
            $0.antiEntropyIntervalMilliseconds = runtime.antiEntropyIntervalMilliseconds
            $0.antiEntropyConcurrency = runtime.antiEntropyConcurrency
        }
        #expect(cluster.runUntilAgreement(timeoutNanoseconds: 60 * second) == nil)
        for i in 0..<3 {
            #expect(cluster.command(i, "CONFIG", "SET", "maxmemory-policy", policy) == "+OK\r\n")
            #expect(cluster.command(i, "CONFIG", "SET", "maxmemory", String(maxmemory)) == "+OK\r\n")
        }
        return cluster
    }

    static func node(_ cluster: HearsayCluster, _ i: Int) -> Node { cluster.sim.node(i)!.node }

    /// Writes about 3x what a node may hold, keys overwritten now and then, every node
    /// coordinating in turn; returns the last acknowledged value of each key.
    static func load(_ cluster: HearsayCluster, keys: Int = 1_500, writes: Int = 2_000) -> [String: String] {
        var last: [String: String] = [:]
        var peak = 0
        for w in 0..<writes {
            let key = "key:\((w * 7) % keys)"
            let value = "\(w):" + Self.value
            let reply = cluster.request(w % 3, ["SET", key, value])
            #expect(reply == "+OK\r\n", "SET \(key): \(reply ?? "no reply")")
            if reply == "+OK\r\n" { last[key] = value }
            for i in 0..<3 { peak = max(peak, node(cluster, i).keyspace.usedBytes) }
        }
        // Each node evicts before every command and after every peer frame: the bound holds.
        #expect(Double(peak) <= 1.05 * Double(maxmemory), "peak used_memory \(peak)")
        return last
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func evictedKeysLeaveEveryReplica_markersGo_andNothingOlderComesBack(seed: UInt64) {
        let cluster = Self.bounded(seed: seed)
        let last = Self.load(cluster)
        let evicted = (0..<3).reduce(0) { $0 + Self.node(cluster, $1).store.evictor.evictedKeys }
        #expect(evicted > 1_000, "evictions: \(evicted)")
        // Every partition's replicas agree within 10 s of the load stopping ...
        let agreed = cluster.sim.run(until: cluster.sim.now + 10 * Self.second, checkingEvery: Self.second / 10) { _ in
            AntiEntropyScenarios.ownersDisagree(cluster) == nil
        }
        #expect(agreed, "\(AntiEntropyScenarios.ownersDisagree(cluster) ?? "")")
        // ... and the eviction markers are gone within 30 s.
        let purged = cluster.sim.run(until: cluster.sim.now + 30 * Self.second, checkingEvery: Self.second / 10) { _ in
            (0..<3).allSatisfy { Self.node(cluster, $0).keyspace.markerCount == 0 }
        }
        #expect(purged, "markers left: \((0..<3).map { Self.node(cluster, $0).keyspace.markerCount })")
        let returned = (0..<3).reduce(0) { $0 + Self.node(cluster, $1).keyspace.evictedKeysReturned }
        #expect(returned * 100 < evicted, "\(returned) evicted keys returned of \(evicted)")
        // A key reads as its last acknowledged value or as evicted: never an older value.
        var present = 0
        for (key, value) in last {
            let reply = cluster.request(0, ["GET", key])
            if reply == "$-1\r\n" { continue }
            present += 1
            #expect(reply == "$\(value.utf8.count)\r\n\(value)\r\n", "\(key): \(reply ?? "no reply")")
        }
        #expect(present > 100 && present < last.count, "\(present) of \(last.count) keys present")
    }

    /// An eviction removes the versions its node had seen: a write concurrent with it, from a
    /// node the marker had not reached, survives on every replica.
    @Test func aWriteConcurrentWithAnEvictionSurvives() {
        let replies = Self.concurrentWriteAndEviction(seed: 7, sabotaged: false)
        #expect(replies == Array(repeating: "$6\r\nsecond\r\n", count: 3))
    }

    /// The check above fails when a marker removes what its node had not seen.
    @Test func theCheckCatchesAnEvictionThatRemovesConcurrentWrites() {
        let replies = Self.concurrentWriteAndEviction(seed: 7, sabotaged: true)
        #expect(replies.contains { $0 != "$6\r\nsecond\r\n" }, "\(replies)")
    }

    /// Node 0 evicts "kept" while cut off from nodes 1 and 2, which take a new write of it;
    /// after the heal and anti-entropy, what each node's GET returns.
    static func concurrentWriteAndEviction(seed: UInt64, sabotaged: Bool) -> [String] {
        let cluster = Self.bounded(seed: seed)
        for i in 0..<3 {
            _ = cluster.sim.inject(i) { node, _, _ in
                node.node.store.keyspace.sabotageMarkersReplaceEverything = sabotaged
            }
        }
        let first = String(repeating: "f", count: 1_000)
        #expect(cluster.request(0, ["SET", "kept", first]) == "+OK\r\n")
        cluster.sim.run(forNanoseconds: Self.second)
        cluster.sim.partition([[0], [1, 2]])
        #expect(cluster.command(0, "CONFIG", "SET", "maxmemory", "600") == "+OK\r\n")
        #expect(cluster.command(0, "PING") == "+PONG\r\n")  // evicts before the command
        #expect(cluster.command(0, "CONFIG", "SET", "maxmemory", "0") == "+OK\r\n")
        #expect(Self.node(cluster, 0).store.evictor.evictedKeys == 1)
        #expect(Self.node(cluster, 0).keyspace.markerCount == 1)
        #expect(cluster.request(1, ["SET", "kept", "second"]) == "+OK\r\n")
        cluster.sim.heal()
        _ = cluster.sim.run(until: cluster.sim.now + 60 * Self.second, checkingEvery: Self.second) { _ in
            AntiEntropyScenarios.ownersDisagree(cluster) == nil
        }
        #expect(AntiEntropyScenarios.ownersDisagree(cluster) == nil)
        return (0..<3).map { cluster.request($0, ["GET", "kept"]) ?? "no reply" }
    }
}
