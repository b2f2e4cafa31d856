import HearsayCore

/// The replication workload under crash-heavy faults, checked like `replication-faults`:
/// two nodes down at once (the second crash soon after the first), coordinators that crash
/// in the middle of a quorum write, restarts while a partition is still up, nodes that
/// restart with their clock set back (so their new life's hybrid timestamps and incarnation
/// start below the last one's), and running nodes whose wall clock steps back (expiry and
/// hybrid timestamps read it; timers run on the monotonic clock). Loss and a pause as in
/// `replication-faults`.
public enum ReplicationCrashScenarios {
    static let second: Int64 = 1_000_000_000

    public static let all: [SimulationScenario] = [
        SimulationScenario(
            name: "replication-crashes",
            summary: "the W=2 workload with two crashes close together, coordinators crashing mid-write, restarts"
                + " inside a partition, clocks set back across a restart and wall clocks stepping back; the"
                + " replication checks hold",
            nodeRange: 3...12, defaultNodes: 5
        ) { run(seed: $0, nodes: $1) }
    ]

    static func run(seed: UInt64, nodes: Int) -> SimulationResult {
        var run = ClusterScenarios.Run("replication-crashes", seed: seed, nodes: nodes, extraCheck: nil)
        guard run.form() else { return run.result() }
        let cluster = run.cluster
        let sim = run.sim
        var history = ReplicationScenarios.History()
        let crashed = workload(&run, nodes: nodes, history: &history)
        sim.heal()
        sim.network.lossProbability = 0
        for victim in crashed { cluster.restart(victim) }
        run.converge("healed after the workload")
        sim.run(forNanoseconds: 30 * second)
        ReplicationScenarios.trackCopies(&history, cluster: cluster)
        ReplicationScenarios.check(history, cluster: cluster, run: &run)
        return run.result()
    }

    /// At most two nodes are down at once. Returns the nodes still down at the end.
    static func workload(_ run: inout ClusterScenarios.Run, nodes: Int, history: inout ReplicationScenarios.History)
        -> [Int]
    {
        let cluster = run.cluster
        let sim = run.sim
        var crashed: [Int] = []
        var opsSinceCrash = Int.max
        var paused = false
        for i in 0..<240 {
            let roll = sim.random(in: 0..<100)
            // A second crash is likely within a few operations of the first.
            let crashChance = crashed.count == 1 && opsSinceCrash < 4 ? 30 : 4
            if roll < crashChance && crashed.count < 2 {
                let candidates = cluster.liveNodes
                if candidates.count > 1 {
                    let victim = candidates[sim.random(in: 0..<candidates.count)]
                    ReplicationScenarios.noteCrash(victim, cluster: cluster, nodes: nodes, history: &history)
                    crashed.append(victim)
                    opsSinceCrash = 0
                    run.notes.append("crash \(victim) at op \(i)")
                }
            } else if roll < 38 && roll >= 34 && !crashed.isEmpty {
                let victim = crashed.removeFirst()
                if sim.random(in: 0..<2) == 0 {
                    let back = Int64(sim.random(in: 1..<3_001)) * 1_000_000
                    sim.setClock(victim, sim.clock(victim).restarted(at: sim.now, byNanoseconds: -back))
                    run.notes.append("restart \(victim) at op \(i), clock \(back / 1_000_000) ms back")
                } else {
                    run.notes.append("restart \(victim) at op \(i)")
                }
                cluster.restart(victim)
            } else if roll >= 40 && roll < 43 {
                var order = Array(0..<nodes)
                for j in order.indices.reversed() where j > 0 { order.swapAt(j, sim.random(in: 0..<(j + 1))) }
                let cut = 1 + sim.random(in: 0..<max(1, nodes / 2))
                sim.partition([Array(order[..<cut]), Array(order[cut...])])
            } else if roll >= 43 && roll < 46 {
                sim.heal()
            } else if roll == 46 && !paused {
                sim.pause(sim.random(in: 0..<nodes), forNanoseconds: Int64(sim.random(in: 1_000..<4_000)) * 1_000_000)
                paused = true
            } else if roll >= 47 && roll < 50 {
                sim.network.lossProbability = Double(sim.random(in: 0..<6)) / 100
            } else if roll >= 50 && roll < 52, !cluster.liveNodes.isEmpty {
                // The wall clock of a running node steps back (its monotonic clock runs on).
                let live = cluster.liveNodes
                let victim = live[sim.random(in: 0..<live.count)]
                let back = Int64(sim.random(in: 1..<3_001)) * 1_000_000
                sim.setClock(victim, sim.clock(victim).wallStepped(byNanoseconds: -back))
                run.notes.append("wall clock of \(victim) \(back / 1_000_000) ms back at op \(i)")
            }
            opsSinceCrash &+= 1
            let live = cluster.liveNodes
            guard !live.isEmpty else { continue }
            var via = live[sim.random(in: 0..<live.count)]
            let op = ReplicationScenarios.randomOp(i, sim: sim, deletePercent: 10)
            var crashAfter: Int64? = nil
            if sim.random(in: 0..<100) < 4 && crashed.count < 2 && live.count > 1 {
                // The coordinator itself (an owner the client reached) dies mid-write.
                let key = Array(op.words[1].utf8)
                let owners = live.filter { cluster.sim.node($0)?.node.owns(key) == true }
                if !owners.isEmpty {
                    via = owners[sim.random(in: 0..<owners.count)]
                    crashAfter = Int64(sim.random(in: 100..<3_000)) * 1_000
                    crashed.append(via)
                    opsSinceCrash = 0
                }
            }
            ReplicationScenarios.perform(
                op, index: i, via: via, cluster: cluster, history: &history, run: &run,
                crashAfterNanoseconds: crashAfter)
            sim.run(forNanoseconds: Int64(sim.random(in: 1..<200)) * 1_000_000)
            ReplicationScenarios.trackCopies(&history, cluster: cluster)
        }
        return crashed
    }
}
