import HearsayCore

/// Tombstones purged by causal stability, under the replication workload's faults (loss,
/// partitions, a pause, a crash and restart, skewed clocks) with many deletes, anti-entropy
/// on, and a grace period of a few seconds (hints are kept for less, as the real defaults
/// require; odd seeds switch hints off). Once
/// faults stop, the checkers require, within the stated bound:
/// 1. every live replica's tombstone count reaches 0 (everything deleted is purged);
/// 2. every partition's owners hold identical Merkle leaves;
/// 3. no owner holds, in its own data, a value acknowledged before a key's last acknowledged
///    DEL (checked when converged, and again after another minute of anti-entropy), except
///    the replication checker's exclusions (operations through hints, and values whose
///    acknowledged copies included a node that crashed later);
/// 4. the replication checks: acknowledged writes survive, deletes read as deleted, counters count.
public enum TombstoneScenarios {
    static let second: Int64 = 1_000_000_000
    /// Virtual time allowed after the faults stop for purging and convergence.
    static let purgeBound: Int64 = 300 * second
    static let graceMilliseconds: Int64 = 4_000

    public static let all: [SimulationScenario] = [
        SimulationScenario(
            name: "tombstone-purge",
            summary: "many deletes through loss, partitions, a pause and a crash, a 4 s grace period: tombstones"
                + " end purged everywhere, replicas identical, nothing deleted comes back, no write lost",
            nodeRange: 3...9, defaultNodes: 5
        ) { run(seed: $0, nodes: $1) }
    ]

    static func run(seed: UInt64, nodes: Int) -> SimulationResult {
        var run = ClusterScenarios.Run(
            "tombstone-purge", seed: seed, nodes: nodes, extraCheck: nil,
            configure: { settings in
                settings.antiEntropyIntervalMilliseconds = 100
                settings.antiEntropyConcurrency = 2
                settings.tombstoneGraceMilliseconds = graceMilliseconds
                settings.hintLimits.maxAgeMilliseconds = 1_500
                // Odd seeds run without hints: anti-entropy alone repairs what a down owner missed.
                settings.hintsEnabled = seed % 2 == 0
            })
        guard run.form() else { return run.result() }
        let cluster = run.cluster
        let sim = run.sim
        var history = ReplicationScenarios.History()
        let crashed = ReplicationScenarios.workload(&run, nodes: nodes, deletePercent: 30, history: &history)
        let deletes = history.writes.values.reduce(0) { $0 + $1.filter { $0.value == nil && $0.acked }.count }
        let purgedDuringFaults = purged(cluster)
        sim.heal()
        sim.network.lossProbability = 0
        if let victim = crashed { cluster.restart(victim) }
        run.converge("healed after the workload")
        ReplicationScenarios.trackCopies(&history, cluster: cluster)
        let quietAt = sim.now
        var outstanding: String? = "not checked"
        while sim.now - quietAt < purgeBound {
            sim.run(forNanoseconds: second)
            ReplicationScenarios.trackCopies(&history, cluster: cluster)
            outstanding = tombstonesLeft(cluster) ?? AntiEntropyScenarios.ownersDisagree(cluster)
            if outstanding == nil { break }
        }
        if let outstanding {
            run.failures.append("\(purgeBound / second) s after faults stopped: \(outstanding)")
        } else {
            run.notes.append("purged and identical \((sim.now - quietAt) / 1_000_000) ms after faults stopped")
        }
        resurrections(history, cluster: cluster, when: "when converged", run: &run)
        sim.run(forNanoseconds: 60 * second)
        resurrections(history, cluster: cluster, when: "a minute later", run: &run)
        if let still = tombstonesLeft(cluster) { run.failures.append("a minute later: \(still)") }
        ReplicationScenarios.trackCopies(&history, cluster: cluster)
        ReplicationScenarios.check(history, cluster: cluster, run: &run)
        run.notes.append(
            "\(deletes) DELs acknowledged, \(purgedDuringFaults) tombstones purged during faults, \(purged(cluster)) in all"
        )
        return run.result()
    }

    static func purged(_ cluster: HearsayCluster) -> Int {
        cluster.liveNodes.reduce(0) { $0 + (cluster.sim.node($1)?.node.keyspace.purgedTombstoneCount ?? 0) }
    }

    static func tombstonesLeft(_ cluster: HearsayCluster) -> String? {
        let left = cluster.liveNodes.compactMap { index -> String? in
            let count = cluster.sim.node(index)?.node.keyspace.tombstoneCount ?? 0
            return count == 0 ? nil : "node \(index) holds \(count) tombstones"
        }
        return left.isEmpty ? nil : left.joined(separator: ", ")
    }

    /// Check 3: no owner's own data holds a value acknowledged before the key's last
    /// acknowledged DEL (nothing attempted after it; the sloppy-quorum exclusions apply, as
    /// in the replication checker).
    static func resurrections(
        _ history: ReplicationScenarios.History, cluster: HearsayCluster, when: String,
        run: inout ClusterScenarios.Run
    ) {
        for key in history.writes.keys.sorted() {
            let ops = history.writes[key]!
            guard let last = ops.lastIndex(where: { $0.acked }), ops[last].value == nil, last == ops.count - 1,
                !history.hintedDeletes.contains(ops[last].index)
            else { continue }
            let deleted = Set(ops[..<last].filter(\.acked).compactMap(\.value)).subtracting(history.hintedAcks)
                .subtracting(history.crashedCopies)
            for index in cluster.liveNodes {
                guard let node = cluster.sim.node(index)?.node else { continue }
                let back = node.ownedValues(of: Array(key.utf8)).map { String(decoding: $0, as: UTF8.self) }
                    .filter(deleted.contains)
                if !back.isEmpty {
                    run.failures.append(
                        "\(when): \(key) deleted at op \(ops[last].index) but node \(index) holds \(back.sorted())")
                }
            }
        }
    }
}
