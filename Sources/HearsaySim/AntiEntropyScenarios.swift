import HearsayCore

/// Anti-entropy alone brings replicas together: hints are off and nobody reads (so no read
/// repair), one node is cut off while a client writes at W=1 through the others, then the
/// partition heals and every partition's owners must end with identical Merkle leaves, and
/// every acknowledged write must be readable from every owner, within the stated bound.
public enum AntiEntropyScenarios {
    static let second: Int64 = 1_000_000_000
    /// Virtual time allowed for convergence after the heal.
    static let convergenceBound: Int64 = 600 * second

    public static let all: [SimulationScenario] = [
        SimulationScenario(
            name: "anti-entropy-converges",
            summary: "hints off, no reads: a node misses writes during a partition; after the heal Merkle"
                + " exchanges alone make every partition's owners identical",
            nodeRange: 3...8, defaultNodes: 4
        ) { run(seed: $0, nodes: $1) }
    ]

    static func run(seed: UInt64, nodes: Int) -> SimulationResult {
        var run = ClusterScenarios.Run(
            "anti-entropy-converges", seed: seed, nodes: nodes, extraCheck: nil,
            configure: { settings in
                settings.hintsEnabled = false
                settings.antiEntropyIntervalMilliseconds = 100
                settings.antiEntropyConcurrency = 2
            })
        guard run.form() else { return run.result() }
        let cluster = run.cluster
        let sim = run.sim
        let victim = sim.random(in: 0..<nodes)
        let others = (0..<nodes).filter { $0 != victim }
        sim.partition([[victim], others])
        sim.run(forNanoseconds: 2 * second)
        var acknowledged: [(String, String)] = []
        for i in 0..<150 {
            let via = others[sim.random(in: 0..<others.count)]
            _ = cluster.request(via, ["HS.CONSISTENCY", "ONE"])
            let key = "ae:\(sim.random(in: 0..<100))"
            let value = "v\(i)"
            if cluster.request(via, ["SET", key, value]) == "+OK\r\n" {
                acknowledged.removeAll { $0.0 == key }
                acknowledged.append((key, value))
            }
            sim.run(forNanoseconds: 5_000_000)
        }
        sim.heal()
        let healedAt = sim.now
        var disagreement: String? = "not checked"
        while sim.now - healedAt < convergenceBound {
            sim.run(forNanoseconds: second)
            disagreement = ownersDisagree(cluster)
            if disagreement == nil { break }
        }
        if let disagreement {
            run.failures.append("replicas still differ \(convergenceBound / second) s after the heal: \(disagreement)")
        } else {
            run.notes.append("owners identical \((sim.now - healedAt) / 1_000_000) ms after the heal")
        }
        // Every acknowledged write is on every owner (read each owner's own copy).
        for (key, value) in acknowledged {
            for index in cluster.liveNodes {
                guard let node = cluster.sim.node(index)?.node else { continue }
                let owned = node.ownedValues(of: Array(key.utf8))
                if !owned.isEmpty && !owned.contains(Array(value.utf8)) {
                    run.failures.append(
                        "\(key): owner \(index) holds \(owned.map { String(decoding: $0, as: UTF8.self) })")
                }
            }
        }
        let stats = cluster.liveNodes.compactMap { cluster.sim.node($0)?.node.antiEntropy.stats }
        run.notes.append(
            "\(acknowledged.count) keys, \(stats.reduce(0) { $0 + $1.started }) exchanges started, \(stats.reduce(0) { $0 + $1.aborted }) aborted, \(stats.reduce(0) { $0 + $1.ignored }) ignored, \(stats.reduce(0) { $0 + $1.finished }) finished, "
                + "\(stats.reduce(0) { $0 + $1.objectsMerged }) objects merged")
        return run.result()
    }

    /// The first partition whose owners' leaf digests differ, or nil when all agree.
    public static func ownersDisagree(_ cluster: HearsayCluster) -> String? {
        guard let first = cluster.liveNodes.first, let placement = cluster.sim.node(first)?.node.topology.placement
        else {
            return "no live node"
        }
        for p in 0..<placement.partitionCount.value {
            var reference: ArraySlice<UInt64>?
            for owner in placement.replicas(for: PartitionID(p)) {
                guard let index = cluster.ids.firstIndex(of: owner), let node = cluster.sim.node(index)?.node else {
                    continue
                }
                let leaves = node.keyspace.leaves(ofPartition: p)
                if let reference, reference != leaves { return "partition \(p)" }
                reference = leaves
            }
        }
        return nil
    }
}
