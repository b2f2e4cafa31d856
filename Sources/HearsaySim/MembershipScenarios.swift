import HearsayCore

/// The membership scenarios: each forms a cluster, applies one fault, and checks
/// that every live view converges to the truth, while the checker watches every
/// step. Times are virtual; P is the probe interval (1 s in `.simulation`).
public enum MembershipScenarios {
    static let second: Int64 = 1_000_000_000
    /// How long any convergence may take before the run fails. Virtual nanoseconds.
    static let convergenceTimeout: Int64 = 180 * second

    public static let all: [SimulationScenario] = [
        SimulationScenario(
            name: "membership-form", summary: "nodes join through one seed; all views become identical",
            nodeRange: 1...300, defaultNodes: 20, body: form),
        SimulationScenario(
            name: "membership-crash", summary: "a node crashes; every live node marks it down, no one else",
            nodeRange: 2...300, defaultNodes: 20, body: crash),
        SimulationScenario(
            name: "membership-crash-lossy", summary: "as membership-crash with 5% loss, 1% duplicates, reordering",
            nodeRange: 3...300, defaultNodes: 20, body: lossyCrash),
        SimulationScenario(
            name: "membership-pause", summary: "a node stalls 3-12 s, comes back, refutes, accuses no one",
            nodeRange: 2...300, defaultNodes: 20, body: pause),
        SimulationScenario(
            name: "membership-partition", summary: "a two-way partition for 45 s heals; everyone sees everyone alive",
            nodeRange: 2...300, defaultNodes: 20, body: partition),
        SimulationScenario(
            name: "membership-one-way", summary: "links cut in one direction only for 30 s; no one is marked down",
            nodeRange: 3...300, defaultNodes: 20, body: oneWay),
        SimulationScenario(
            name: "membership-leave", summary: "a node leaves gracefully; it is left (never down) in every view",
            nodeRange: 2...300, defaultNodes: 20, body: leave),
        SimulationScenario(
            name: "membership-restart", summary: "a node restarts on a new address; same member, higher incarnation",
            nodeRange: 2...300, defaultNodes: 20, body: restart),
    ]

    /// Collects failures and produces the result.
    struct Run {
        let name: String
        let seed: UInt64
        let cluster: MembershipCluster
        let startedAt: Int64
        var failures: [String] = []
        var notes: [String] = []

        init(_ name: String, seed: UInt64, nodes: Int, network: NetworkModel = .lan) {
            self.name = name
            self.seed = seed
            cluster = MembershipCluster(seed: seed, nodes: nodes, network: network)
            startedAt = cluster.sim.now
        }

        var sim: Simulator<MembershipNode> { cluster.sim }

        func seconds(since start: Int64) -> String {
            let tenths = (sim.now - start) / 100_000_000
            return "\(tenths / 10).\(tenths % 10) s"
        }

        /// Forms the cluster; false when it did not converge (the failure is recorded).
        mutating func form() -> Bool {
            if let problem = cluster.runUntilAgreement(timeoutNanoseconds: convergenceTimeout) {
                failures.append("cluster did not form: \(problem)")
                return false
            }
            notes.append("formed in \(seconds(since: startedAt))")
            return true
        }

        mutating func converge(_ what: String) {
            let start = sim.now
            if let problem = cluster.runUntilAgreement(timeoutNanoseconds: convergenceTimeout) {
                failures.append("\(what): no agreement after \(seconds(since: start)): \(problem)")
            } else {
                notes.append("\(what) in \(seconds(since: start))")
            }
        }

        mutating func forbidFalseDowns(except allowed: (Int, Int) -> Bool = { _, _ in false }) {
            for entry in cluster.checker.falseDowns where !allowed(entry.observer, entry.subject) {
                failures.append("node \(entry.observer) marked running node \(entry.subject) down")
            }
        }

        func result() -> SimulationResult {
            let all = cluster.checker.violations + failures
            let stats = sim.statistics
            let summary = (notes + ["\(stats.messagesSent) messages", "\(stats.eventsProcessed) events"])
                .joined(separator: ", ")
            return SimulationResult(
                scenario: name, seed: seed, nodes: sim.nodeCount, passed: all.isEmpty, summary: summary,
                failures: all, simulatedSeconds: Double(sim.now - startedAt) / 1e9)
        }
    }

    static func form(seed: UInt64, nodes: Int) -> SimulationResult {
        var run = Run("membership-form", seed: seed, nodes: nodes)
        _ = run.form()
        run.forbidFalseDowns()
        return run.result()
    }

    static func crash(seed: UInt64, nodes: Int) -> SimulationResult {
        crash(Run("membership-crash", seed: seed, nodes: nodes))
    }

    static func lossyCrash(seed: UInt64, nodes: Int) -> SimulationResult {
        var network = NetworkModel.lossy(0.05)
        network.duplicateProbability = 0.01
        network.reorderProbability = 0.05
        return crash(Run("membership-crash-lossy", seed: seed, nodes: nodes, network: network))
    }

    static func crash(_ start: Run) -> SimulationResult {
        var run = start
        guard run.form() else { return run.result() }
        let victim = run.sim.random(in: 0..<run.sim.nodeCount)
        let crashedAt = run.sim.now
        run.cluster.crash(victim)
        run.converge("node \(victim) known down everywhere")
        let latest = run.cluster.checker.firstDown[victim]?.values.max() ?? run.sim.now
        run.notes.append("last observer after \((latest - crashedAt) / run.cluster.probeIntervalNanoseconds) periods")
        run.forbidFalseDowns()
        return run.result()
    }

    static func pause(seed: UInt64, nodes: Int) -> SimulationResult {
        var run = Run("membership-pause", seed: seed, nodes: nodes)
        guard run.form() else { return run.result() }
        let victim = run.sim.random(in: 0..<run.sim.nodeCount)
        let stall = Int64(run.sim.random(in: 3_000..<12_001)) * 1_000_000
        run.cluster.checker.expectedDown.insert(victim)
        run.sim.pause(victim, forNanoseconds: stall)
        run.sim.run(forNanoseconds: stall)
        run.converge("node \(victim) back after a \(stall / 1_000_000) ms stall")
        run.cluster.checker.expectedDown.remove(victim)
        let incarnation = run.cluster.view(victim)?.first { $0.id == run.cluster.ids[victim] }?.incarnation ?? 0
        run.notes.append("its incarnation is \(incarnation)")
        if run.sim.node(victim)?.membership.lagsSeen == 0 {
            run.failures.append("node \(victim) never noticed its lag")
        }
        // Others may have marked the stalled node down (it was unresponsive); the
        // stalled node itself must accuse no one, and no one else may be accused.
        run.forbidFalseDowns { observer, subject in subject == victim && observer != victim }
        return run.result()
    }

    static func partition(seed: UInt64, nodes: Int) -> SimulationResult {
        var run = Run("membership-partition", seed: seed, nodes: nodes)
        guard run.form() else { return run.result() }
        var order = Array(0..<run.sim.nodeCount)
        for i in order.indices.reversed() where i > 0 { order.swapAt(i, run.sim.random(in: 0..<(i + 1))) }
        let cut = max(1, order.count / 2 - run.sim.random(in: 0..<max(1, order.count / 4)))
        let sides = [Array(order[..<cut]).sorted(), Array(order[cut...]).sorted()]
        run.sim.partition(sides)
        run.sim.run(forNanoseconds: 45 * second)
        run.sim.heal()
        run.notes.append("split \(sides[0].count)/\(sides[1].count)")
        run.converge("healed")
        return run.result()
    }

    /// One-way cuts: a ping gets through but its ack does not (or the reverse).
    /// Indirect probes route around them, so nobody may be marked down.
    static func oneWay(seed: UInt64, nodes: Int) -> SimulationResult {
        var run = Run("membership-one-way", seed: seed, nodes: nodes)
        guard run.form() else { return run.result() }
        let cuts = max(1, run.sim.nodeCount / 4)
        var described: [String] = []
        for _ in 0..<cuts {
            let from = run.sim.random(in: 0..<run.sim.nodeCount)
            let to = (from + 1 + run.sim.random(in: 0..<(run.sim.nodeCount - 1))) % run.sim.nodeCount
            run.sim.blockOneWay(from: from, to: to)
            described.append("\(from)->\(to)")
        }
        run.notes.append("cut \(described.joined(separator: " "))")
        run.sim.run(forNanoseconds: 30 * second)
        run.sim.heal()
        run.converge("healed")
        run.forbidFalseDowns()
        return run.result()
    }

    static func leave(seed: UInt64, nodes: Int) -> SimulationResult {
        var run = Run("membership-leave", seed: seed, nodes: nodes)
        guard run.form() else { return run.result() }
        let victim = run.sim.random(in: 0..<run.sim.nodeCount)
        run.cluster.leave(victim)
        run.sim.run(forNanoseconds: 5 * second)
        run.cluster.stopLeft(victim)
        run.converge("node \(victim) left everywhere")
        if let observers = run.cluster.checker.firstDown[victim], !observers.isEmpty {
            run.failures.append("the leaving node was marked down by \(observers.keys.sorted())")
        }
        run.forbidFalseDowns()
        return run.result()
    }

    static func restart(seed: UInt64, nodes: Int) -> SimulationResult {
        var run = Run("membership-restart", seed: seed, nodes: nodes)
        guard run.form() else { return run.result() }
        let victim = run.sim.random(in: 0..<run.sim.nodeCount)
        let id = run.cluster.ids[victim]
        let observer = (victim + 1) % run.sim.nodeCount
        let before = run.cluster.view(observer)?.first { $0.id == id }
        run.cluster.crash(victim)
        run.sim.run(forNanoseconds: Int64(run.sim.random(in: 0..<30)) * second)
        run.cluster.restart(victim, newAddress: true)
        run.converge("node \(victim) back at \(run.sim.address(victim))")
        let after = run.cluster.view(observer)?.first { $0.id == id }
        if let before, let after, after.incarnation <= before.incarnation {
            run.failures.append("incarnation did not grow: \(before) -> \(after)")
        }
        run.forbidFalseDowns()
        return run.result()
    }
}
