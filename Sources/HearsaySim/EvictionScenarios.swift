import HearsayCore

/// Eviction across replicas under the replication workload's faults (loss, partitions, a
/// pause, a crash and restart, skewed clocks): every node is bounded by maxmemory with
/// volatile-lru, and besides the checked keys (which carry no TTL, so no policy evicts them)
/// a client writes filler keys with a TTL, about four times what a node may hold, so nodes
/// evict all along. Once faults stop, the checkers require:
/// 1. evictions happened, on every node that lived through the workload;
/// 2. every node's used_memory stayed within 5% of maxmemory (sampled after every request);
/// 3. within the stated bound, no eviction marker is left and every partition's owners hold
///    identical Merkle leaves;
/// 4. no filler key reads as anything but its own value or nothing;
/// 5. the replication checks on the checked keys: acknowledged writes survive, deletes read
///    as deleted, counters count (eviction of other keys, its markers and their early drops
///    must not disturb them).
/// The rule an eviction follows with a write it did not see (the write survives) is shown
/// with and without sabotage in ClusterEvictionTests.
public enum EvictionScenarios {
    static let second: Int64 = 1_000_000_000
    static let maxMemoryBytes = 20_000
    static let fillersPerOperation = 4
    static let fillerValue = String(repeating: "f", count: 300)
    /// Virtual time allowed after the faults stop for markers to go and replicas to agree.
    static let settleBound: Int64 = 120 * second

    public static let all: [SimulationScenario] = [
        SimulationScenario(
            name: "eviction-faults",
            summary: "nodes bounded by maxmemory evict all along through loss, partitions, a pause and a crash:"
                + " memory stays bounded, markers go, replicas agree, nothing else lost",
            nodeRange: 3...9, defaultNodes: 5
        ) { run(seed: $0, nodes: $1) }
    ]

    static func run(seed: UInt64, nodes: Int) -> SimulationResult {
        var run = ClusterScenarios.Run(
            "eviction-faults", seed: seed, nodes: nodes, extraCheck: nil,
            configure: { settings in
                settings.antiEntropyIntervalMilliseconds = 100
                settings.antiEntropyConcurrency = 2
            })
        guard run.form() else { return run.result() }
        let cluster = run.cluster
        let sim = run.sim
        var history = ReplicationScenarios.History()
        var fillers: [String: String] = [:]
        var peak = Array(repeating: 0, count: nodes)
        var fillerReplies: [String: Int] = [:]
        func writeFillers(_ i: Int) {
            for j in 0..<fillersPerOperation {
                let live = cluster.liveNodes
                guard !live.isEmpty else { return }
                bound(cluster)
                let key = "fill:\(i):\(j)"
                let value = "\(key):" + fillerValue
                let reply = cluster.request(live[sim.random(in: 0..<live.count)], ["SET", key, value, "EX", "3600"])
                let shown = reply.map { $0.hasPrefix("-") ? String($0.prefix(24)) : $0 } ?? "no reply"
                fillerReplies[shown, default: 0] += 1
                if reply == "+OK\r\n" { fillers[key] = value }
                for index in cluster.liveNodes {
                    peak[index] = max(peak[index], cluster.sim.node(index)?.node.keyspace.usedBytes ?? 0)
                }
            }
        }
        let crashed = ReplicationScenarios.workload(&run, nodes: nodes, history: &history, afterEach: writeFillers)
        sim.heal()
        sim.network.lossProbability = 0
        if let victim = crashed { cluster.restart(victim) }
        bound(cluster)
        run.converge("healed after the workload")
        // Partitions can fail most of a small cluster's writes: fill on until something is
        // evicted, so the markers' settling below is always exercised.
        var topUps = 0
        while topUps < 200, cluster.liveNodes.allSatisfy({ cluster.sim.node($0)?.node.store.evictor.evictedKeys == 0 })
        {
            writeFillers(1_000_000 + topUps)
            sim.run(forNanoseconds: 10_000_000)
            topUps += 1
        }
        if topUps > 0 { run.notes.append("\(topUps) rounds of fillers after the heal") }
        let evicted = cluster.liveNodes.map { cluster.sim.node($0)?.node.store.evictor.evictedKeys ?? 0 }
        let quietAt = sim.now
        var outstanding: String? = "not checked"
        while sim.now - quietAt < settleBound {
            sim.run(forNanoseconds: second)
            outstanding = markersLeft(cluster) ?? AntiEntropyScenarios.ownersDisagree(cluster)
            if outstanding == nil { break }
        }
        if let outstanding {
            run.failures.append("\(settleBound / second) s after faults stopped: \(outstanding)")
        } else {
            run.notes.append(
                "no marker left, replicas identical \((sim.now - quietAt) / 1_000_000) ms after faults stopped")
        }
        if evicted.allSatisfy({ $0 == 0 }) { run.failures.append("no node evicted anything: the check is vacuous") }
        for (index, bytes) in peak.enumerated() where Double(bytes) > 1.05 * Double(maxMemoryBytes) {
            run.failures.append("node \(index) held \(bytes) bytes, over maxmemory \(maxMemoryBytes) by more than 5%")
        }
        var present = 0
        for (key, value) in fillers.sorted(by: { $0.key < $1.key }) {
            guard let reply = cluster.request(cluster.liveNodes.first!, ["GET", key]), reply != "$-1\r\n" else {
                continue
            }
            present += 1
            if reply != "$\(value.utf8.count)\r\n\(value)\r\n" {
                run.failures.append("\(key) reads \(reply.debugDescription)")
            }
        }
        sim.run(forNanoseconds: 30 * second)
        ReplicationScenarios.trackCopies(&history, cluster: cluster)
        ReplicationScenarios.check(history, cluster: cluster, run: &run)
        let returned = cluster.liveNodes.reduce(0) {
            $0 + (cluster.sim.node($1)?.node.keyspace.evictedKeysReturned ?? 0)
        }
        let droppedEarly = cluster.liveNodes.reduce(0) {
            $0 + (cluster.sim.node($1)?.node.keyspace.markersDroppedEarly ?? 0)
        }
        run.notes.append(
            "\(fillers.count) fillers acknowledged (replies \(fillerReplies.sorted { $0.key < $1.key })), \(present)"
                + " still held; evicted per node \(evicted), \(droppedEarly) markers dropped early, \(returned) evicted"
                + " keys came back; peak used_memory \(peak.max() ?? 0) of \(maxMemoryBytes)")
        return run.result()
    }

    /// Bounds every live node (a restarted one comes back with the defaults).
    static func bound(_ cluster: HearsayCluster) {
        for index in cluster.liveNodes where cluster.sim.node(index)?.node.keyspace.maxMemoryBytes == 0 {
            _ = cluster.command(index, "CONFIG", "SET", "maxmemory-policy", "volatile-lru")
            _ = cluster.command(index, "CONFIG", "SET", "maxmemory", String(maxMemoryBytes))
            _ = cluster.command(index, "PING")  // evicts down to the new bound before it runs
        }
    }

    static func markersLeft(_ cluster: HearsayCluster) -> String? {
        let left = cluster.liveNodes.compactMap { index -> String? in
            let count = cluster.sim.node(index)?.node.keyspace.markerCount ?? 0
            return count == 0 ? nil : "node \(index) holds \(count) eviction markers"
        }
        return left.isEmpty ? nil : left.joined(separator: ", ")
    }
}
