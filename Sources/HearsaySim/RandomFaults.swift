import HearsayCore

/// The VOPR-style run (tigerbeetle's vopr.zig): one seed picks the network, then a
/// bounded sequence of faults (partitions, one-way cuts, crashes with or without a
/// restart, pauses, clock steps, at most one graceful leave); then faults stop, and a
/// convergence phase must reach one view and one placement everywhere.
enum RandomFaults {
    static let second: Int64 = 1_000_000_000

    /// The node count when none is given: 3 to 16, small ones more often.
    @Sendable static func pickNodes(seed: UInt64) -> Int {
        var rng = SeededGenerator(seed: StableHash.combine(seed, 0x4E0D))
        let u = Double.random(in: 0..<1, using: &rng)
        return 3 + Int(13 * u * u)
    }

    /// Two random sides of `nodes`, each non-empty.
    static func split<N>(_ nodes: [Int], sim: Simulator<N>) -> [[Int]] {
        var order = nodes
        for i in order.indices.reversed() where i > 0 { order.swapAt(i, sim.random(in: 0..<(i + 1))) }
        let cut = max(1, order.count / 2 - sim.random(in: 0..<max(1, order.count / 4)))
        return [Array(order[..<cut]).sorted(), Array(order[cut...]).sorted()]
    }

    /// A network drawn from the seed: latency, loss up to 10%, duplicates, reordering.
    static func network<N>(_ sim: Simulator<N>) -> NetworkModel {
        let maximum = Int64(sim.random(in: 200..<5_000)) * 1_000
        var model = NetworkModel(
            latency: .longTail(
                minimumNanoseconds: 100_000, maximumNanoseconds: maximum,
                tailProbability: Double(sim.random(in: 0..<5)) / 100, tailMaximumNanoseconds: 50_000_000))
        model.lossProbability = Double(sim.random(in: 0..<11)) / 100
        model.duplicateProbability = Double(sim.random(in: 0..<3)) / 100
        model.reorderProbability = Double(sim.random(in: 0..<11)) / 100
        return model
    }

    /// What will undo a fault, and when.
    enum Undo {
        case heal
        case restart(Int)
        case stopLeft(Int)
    }

    static func run(seed: UInt64, nodes: Int, extraCheck: ClusterScenarios.Check?) -> SimulationResult {
        var run = ClusterScenarios.Run("cluster-random-faults", seed: seed, nodes: nodes, extraCheck: extraCheck)
        guard run.form() else { return run.result() }
        let sim = run.sim
        sim.network = network(sim)
        let faultsUntil = sim.now + Int64(sim.random(in: 30..<121)) * second
        var pending: [(at: Int64, undo: Undo)] = []
        var log: [String] = []
        var hasLeft = false
        // Bounded: at most one fault per simulated second of the fault phase.
        while sim.now < faultsUntil {
            let next = min(faultsUntil, sim.now + Int64(sim.random(in: 1_000..<8_001)) * 1_000_000)
            advance(&run, to: next, pending: &pending)
            guard sim.now < faultsUntil else { break }
            inject(&run, pending: &pending, log: &log, hasLeft: &hasLeft)
            if let problem = run.cluster.samePlacementForSameView() { run.failures.append(problem) }
        }
        // Faults stop: links heal, pauses run out, planned restarts happen now.
        sim.heal()
        for entry in pending {
            if case .restart(let index) = entry.undo { run.cluster.restart(index) }
            if case .stopLeft(let index) = entry.undo { run.cluster.stopLeft(index) }
        }
        for index in run.cluster.left.sorted() where !run.cluster.leaveHeard.contains(index) {
            run.notes.append("no one heard node \(index) leave; it ends down")
        }
        run.notes.append(
            "loss \(Int(sim.network.lossProbability * 100))%, \(log.count) faults: "
                + log.prefix(12).joined(separator: ", ") + (log.count > 12 ? ", ..." : ""))
        // Loss is a fault too; convergence is judged on a network that delivers.
        sim.network.lossProbability = 0
        run.converge("converged")
        return run.result()
    }

    /// Runs to `deadline`, undoing faults as they come due.
    static func advance(
        _ run: inout ClusterScenarios.Run, to deadline: Int64,
        pending: inout [(at: Int64, undo: Undo)]
    ) {
        while true {
            let due = pending.indices.filter { pending[$0].at <= deadline }.min { pending[$0].at < pending[$1].at }
            guard let index = due else { break }
            let entry = pending.remove(at: index)
            run.sim.run(until: entry.at)
            switch entry.undo {
            case .heal: run.sim.heal()
            case .restart(let node): run.cluster.restart(node)
            case .stopLeft(let node): run.cluster.stopLeft(node)
            }
        }
        run.sim.run(until: deadline)
    }

    /// One fault, chosen by the seed among those the cluster can take right now.
    static func inject(
        _ run: inout ClusterScenarios.Run, pending: inout [(at: Int64, undo: Undo)],
        log: inout [String], hasLeft: inout Bool
    ) {
        let sim = run.sim
        let cluster = run.cluster
        let live = cluster.liveNodes.filter { !sim.isPaused($0) }
        let leaving = pending.contains { if case .stopLeft = $0.undo { return true } else { return false } }
        let downBudget = (sim.nodeCount - 1) / 3 - cluster.crashed.count
        let choice = sim.random(in: 0..<100)
        switch choice {
        case 0..<20 where !leaving:
            let sides = split(cluster.liveNodes, sim: sim)
            sim.partition(sides)
            pending.append((sim.now + Int64(sim.random(in: 5..<41)) * second, .heal))
            log.append("split \(sides[0].count)/\(sides[1].count)")
        case 20..<30 where !leaving && sim.nodeCount > 1:
            let from = sim.random(in: 0..<sim.nodeCount)
            let to = (from + 1 + sim.random(in: 0..<(sim.nodeCount - 1))) % sim.nodeCount
            sim.blockOneWay(from: from, to: to)
            pending.append((sim.now + Int64(sim.random(in: 5..<31)) * second, .heal))
            log.append("cut \(from)->\(to)")
        case 30..<50 where downBudget > 0 && live.count > 2:
            let victim = live[sim.random(in: 0..<live.count)]
            cluster.crash(victim)
            if sim.random(in: 0..<10) < 7 {
                pending.append((sim.now + Int64(sim.random(in: 1..<31)) * second, .restart(victim)))
                log.append("crash \(victim) (restarts)")
            } else {
                log.append("crash \(victim)")
            }
        case 50..<70 where !live.isEmpty:
            let victim = live[sim.random(in: 0..<live.count)]
            let stall = Int64(sim.random(in: 1_000..<15_001)) * 1_000_000
            sim.pause(victim, forNanoseconds: stall)
            log.append("pause \(victim) \(stall / 1_000_000) ms")
        case 70..<90 where !live.isEmpty:
            let victim = live[sim.random(in: 0..<live.count)]
            let step = Int64(sim.random(in: 0..<3_001)) * 1_000_000
            let drift = Int64(sim.random(in: -200..<201))
            sim.setClock(
                victim,
                sim.clock(victim).stepped(
                    at: sim.now, byNanoseconds: step,
                    driftPartsPerMillion: drift))
            log.append("clock \(victim) +\(step / 1_000_000) ms \(drift) ppm")
        case 90..<100 where !hasLeft && !leaving && live.count > 2:
            // A leave needs its announcement to get out: no cut links while it runs.
            let victim = live[sim.random(in: 0..<live.count)]
            sim.heal()
            pending.removeAll { if case .heal = $0.undo { return true } else { return false } }
            cluster.leave(victim)
            pending.append((sim.now + 5 * second, .stopLeft(victim)))
            hasLeft = true
            log.append("leave \(victim)")
        default:
            log.append("quiet")
        }
    }
}
