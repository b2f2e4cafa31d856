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
/// 4. no filler key reads as anything but one of the values written to it, or nothing;
/// 5. a write concurrent with an eviction survives it: a third of the filler writes rewrite
///    an earlier filler key, and every filler key's last acknowledged value is, at the end,
///    held by some replica or was seen by an eviction (its dot is in the context some node
///    evicted, from the nodes' eviction logs). Excused: keys whose later write failed (it
///    may have replaced the value) and values the crashed node owned or held when it
///    crashed (the crash may have taken both a copy and the log of its eviction);
/// 6. the replication checks on the checked keys: acknowledged writes survive, deletes read
///    as deleted, counters count (eviction of other keys, its markers and their early drops
///    must not disturb them).
/// With markers sabotaged to replace everything, check 5 fails (EvictionScenarioTests).
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

    /// One write of a filler key as the client saw it, and where its value was at the
    /// acknowledgement.
    struct FillerWrite {
        var value: String
        var acked: Bool
        var op: Int
        var dot: Dot?
        var heldBy: Set<Int> = []
    }

    static func run(seed: UInt64, nodes: Int, sabotaged: Bool = false) -> SimulationResult {
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
        var fillers: [String: [FillerWrite]] = [:]
        var ackedFillerKeys: [String] = []
        var peak = Array(repeating: 0, count: nodes)
        var fillerReplies: [String: Int] = [:]
        var evictionLog: [String: [CausalContext]] = [:]
        var live = Set(cluster.liveNodes)
        var crash: (node: Int, op: Int)? = nil
        /// Moves every live node's eviction log into `evictionLog` (a crash loses what the
        /// crashed node logged since the last harvest: `crash` excuses its keys).
        func harvestEvictions() {
            for index in cluster.liveNodes {
                cluster.sim.actNow(index) { node, _, _ in
                    for (key, context) in node.node.drainEvictionLog() {
                        evictionLog[String(decoding: key, as: UTF8.self), default: []].append(context)
                    }
                }
            }
        }
        func writeFillers(_ i: Int) {
            let now = Set(cluster.liveNodes)
            if let gone = live.subtracting(now).first, crash == nil { crash = (gone, i) }
            live = now
            harvestEvictions()
            for j in 0..<fillersPerOperation {
                let live = cluster.liveNodes
                guard !live.isEmpty else { return }
                bound(cluster, sabotaged: sabotaged)
                // A third of the writes rewrite an earlier key: concurrent with its eviction
                // on some node, now and then.
                let rewrite = !ackedFillerKeys.isEmpty && sim.random(in: 0..<3) == 0
                let key = rewrite ? ackedFillerKeys[sim.random(in: 0..<ackedFillerKeys.count)] : "fill:\(i):\(j)"
                let value = "\(key):\(i).\(j):" + fillerValue
                let reply = cluster.request(live[sim.random(in: 0..<live.count)], ["SET", key, value, "EX", "3600"])
                let shown = reply.map { $0.hasPrefix("-") ? String($0.prefix(24)) : $0 } ?? "no reply"
                fillerReplies[shown, default: 0] += 1
                var write = FillerWrite(value: value, acked: reply == "+OK\r\n", op: i)
                if write.acked {
                    if fillers[key, default: []].allSatisfy({ !$0.acked }) { ackedFillerKeys.append(key) }
                    (write.dot, write.heldBy) = whereHeld(key, value, cluster)
                }
                fillers[key, default: []].append(write)
                for index in cluster.liveNodes {
                    peak[index] = max(peak[index], cluster.sim.node(index)?.node.keyspace.usedBytes ?? 0)
                }
            }
        }
        let crashed = ReplicationScenarios.workload(&run, nodes: nodes, history: &history, afterEach: writeFillers)
        sim.heal()
        sim.network.lossProbability = 0
        if let victim = crashed { cluster.restart(victim) }
        bound(cluster, sabotaged: sabotaged)
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
        harvestEvictions()
        var present = 0
        for (key, writes) in fillers.sorted(by: { $0.key < $1.key }) where writes.contains(where: \.acked) {
            guard let reply = cluster.request(cluster.liveNodes.first!, ["GET", key]), reply != "$-1\r\n" else {
                continue
            }
            present += 1
            if !writes.contains(where: { reply == "$\($0.value.utf8.count)\r\n\($0.value)\r\n" }) {
                run.failures.append("\(key) reads \(reply.debugDescription)")
            }
        }
        let concurrency = checkConcurrentWrites(fillers, evictionLog: evictionLog, crash: crash, cluster: cluster)
        run.failures += concurrency.failures
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
            "\(ackedFillerKeys.count) filler keys acknowledged (replies \(fillerReplies.sorted { $0.key < $1.key })),"
                + " \(present) still held, \(concurrency.seen) last values removed by evictions that saw them,"
                + " \(concurrency.excused) excused; evicted per node \(evicted), \(droppedEarly) markers dropped early,"
                + " \(returned) evicted keys came back; peak used_memory \(peak.max() ?? 0) of \(maxMemoryBytes)")
        return run.result()
    }

    /// The dot `value` was written with, and which nodes hold it (data or hints).
    static func whereHeld(_ key: String, _ value: String, _ cluster: HearsayCluster) -> (Dot?, Set<Int>) {
        let keyBytes = Array(key.utf8)
        let bytes = Array(value.utf8)
        var dot: Dot?
        var holders: Set<Int> = []
        for index in cluster.liveNodes {
            guard
                let sibling = cluster.sim.node(index)?.node.heldObject(of: keyBytes)?.register.first(where: {
                    $0.value == bytes
                })
            else { continue }
            dot = sibling.stamp.dot
            holders.insert(index)
        }
        return (dot, holders)
    }

    /// Check 5: each filler key's last acknowledged value is still held somewhere, or an
    /// eviction saw it. Returns the failures, how many values evictions had seen, and how
    /// many were excused.
    static func checkConcurrentWrites(
        _ fillers: [String: [FillerWrite]], evictionLog: [String: [CausalContext]], crash: (node: Int, op: Int)?,
        cluster: HearsayCluster
    ) -> (failures: [String], seen: Int, excused: Int) {
        var failures: [String] = []
        var seen = 0
        var excused = 0
        for (key, writes) in fillers.sorted(by: { $0.key < $1.key }) {
            guard let last = writes.lastIndex(where: \.acked), let dot = writes[last].dot else { continue }
            let write = writes[last]
            let keyBytes = Array(key.utf8)
            let held = cluster.liveNodes.contains { index in
                cluster.sim.node(index)?.node.heldValues(of: keyBytes).contains(Array(write.value.utf8)) == true
            }
            if held { continue }
            if evictionLog[key]?.contains(where: { $0.contains(dot) }) == true {
                seen += 1
                continue
            }
            let laterFailed = writes[(last + 1)...].contains { !$0.acked }
            let crashTook =
                crash.map { crash in
                    crash.op >= write.op
                        && (write.heldBy.contains(crash.node)
                            || cluster.sim.node(crash.node)?.node.owns(keyBytes) != false)
                } ?? false
            if laterFailed || crashTook {
                excused += 1
                continue
            }
            failures.append(
                "\(key): acknowledged \(write.value.prefix(24))... (op \(write.op), \(dot)) held nowhere, and no eviction saw it"
            )
        }
        return (failures, seen, excused)
    }

    /// Bounds every live node (a restarted one comes back with the defaults) and turns on its
    /// eviction log (and, for the sabotage test, markers that replace everything).
    static func bound(_ cluster: HearsayCluster, sabotaged: Bool = false) {
        for index in cluster.liveNodes where cluster.sim.node(index)?.node.keyspace.maxMemoryBytes == 0 {
            cluster.sim.actNow(index) { node, _, _ in node.node.logEvictions(sabotaged: sabotaged) }
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
