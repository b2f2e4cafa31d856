import HearsayCore

/// Scenarios over full Hearsay nodes (store, commands and cluster side). Each forms a
/// cluster through one seed, applies faults, and checks that every live view and
/// every placement converge to the truth while the membership checker watches every
/// step. Times are virtual; P is the probe interval (1 s in `.simulation`).
public enum ClusterScenarios {
    static let second: Int64 = 1_000_000_000
    /// How long any convergence may take before the run fails. Virtual nanoseconds.
    static let convergenceTimeout: Int64 = 180 * second

    /// An extra check over the whole cluster, run whenever the scenario checks agreement
    /// and once at the end; a non-nil answer fails the run.
    public typealias Check = @Sendable (HearsayCluster) -> String?

    public static let all: [SimulationScenario] = scenarios(extraCheck: nil)

    /// The cluster scenarios, each also judged by `extraCheck` (tests use it to prove that
    /// a failing checker fails the run and prints how to replay it).
    public static func scenarios(extraCheck: Check?) -> [SimulationScenario] {
        [
            SimulationScenario(
                name: "cluster-form",
                summary: "full nodes join through one seed; identical views, placement, HS.RING; SET/GET work",
                nodeRange: 1...300, defaultNodes: 10
            ) { form(seed: $0, nodes: $1, extraCheck: extraCheck) },
            SimulationScenario(
                name: "cluster-crash",
                summary: "a node crashes; every live node marks it down, it keeps its partitions",
                nodeRange: 2...300, defaultNodes: 10
            ) { crash(seed: $0, nodes: $1, extraCheck: extraCheck) },
            SimulationScenario(
                name: "cluster-pause",
                summary: "a node stalls 3-12 s; it refutes, stays a member and accuses no one",
                nodeRange: 2...300, defaultNodes: 10
            ) { pause(seed: $0, nodes: $1, extraCheck: extraCheck) },
            SimulationScenario(
                name: "cluster-partition",
                summary: "a two-way partition for 45 s heals; everyone alive everywhere, one placement",
                nodeRange: 2...300, defaultNodes: 10
            ) { partition(seed: $0, nodes: $1, extraCheck: extraCheck) },
            SimulationScenario(
                name: "cluster-leave",
                summary: "a node leaves gracefully; left in every view, gone from every placement",
                nodeRange: 2...300, defaultNodes: 10
            ) { leave(seed: $0, nodes: $1, extraCheck: extraCheck) },
            SimulationScenario(
                name: "cluster-restart",
                summary: "a node crashes and restarts empty; same id, new writer, higher incarnation",
                nodeRange: 2...300, defaultNodes: 10
            ) { restart(seed: $0, nodes: $1, extraCheck: extraCheck) },
            SimulationScenario(
                name: "cluster-steady",
                summary: "forms, then runs 120 s untouched with checks only at the end (a speed benchmark)",
                nodeRange: 1...1_000, defaultNodes: 100
            ) { steady(seed: $0, nodes: $1, extraCheck: extraCheck) },
            SimulationScenario(
                name: "cluster-random-faults",
                summary: "the seed picks size, network and a run of partitions, crashes, pauses and clock steps;"
                    + " then faults stop and the cluster must converge",
                nodeRange: 3...200, defaultNodes: 8, pickNodes: RandomFaults.pickNodes
            ) {
                RandomFaults.run(seed: $0, nodes: $1, extraCheck: extraCheck)
            },
        ]
    }

    /// Collects failures and notes, and produces the result.
    struct Run {
        let name: String
        let seed: UInt64
        let cluster: HearsayCluster
        let startedAt: Int64
        let extraCheck: Check?
        var failures: [String] = []
        var notes: [String] = []

        init(
            _ name: String, seed: UInt64, nodes: Int, network: NetworkModel = .lan, extraCheck: Check?,
            configure: @escaping @Sendable (inout ClusterSettings) -> Void = { _ in }
        ) {
            self.name = name
            self.seed = seed
            self.extraCheck = extraCheck
            cluster = HearsayCluster(seed: seed, nodes: nodes, network: network, configure: configure)
            startedAt = cluster.sim.now
        }

        var sim: Simulator<HearsayNode> { cluster.sim }

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
            runExtraCheck()
            return failures.isEmpty
        }

        mutating func converge(_ what: String) {
            let start = sim.now
            if let problem = cluster.runUntilAgreement(timeoutNanoseconds: convergenceTimeout) {
                failures.append("\(what): no agreement after \(seconds(since: start)): \(problem)")
            } else {
                notes.append("\(what) in \(seconds(since: start))")
            }
            runExtraCheck()
        }

        mutating func runExtraCheck() {
            guard let extraCheck, let complaint = extraCheck(cluster) else { return }
            failures.append("extra check: \(complaint)")
        }

        mutating func forbidFalseDowns(except allowed: (Int, Int) -> Bool = { _, _ in false }) {
            for entry in cluster.checker.falseDowns where !allowed(entry.observer, entry.subject) {
                failures.append("node \(entry.observer) marked running node \(entry.subject) down")
            }
        }

        /// Every node serves writes and reads of keys it may not own (they are coordinated by
        /// the keys' replicas at the default quorums).
        mutating func checkLocalCommands(on nodes: [Int]) {
            for index in nodes {
                let key = "key-\(index)"
                let value = "value-\(seed)-\(index)"
                let set = cluster.request(index, ["SET", key, value])
                let get = cluster.request(index, ["GET", key])
                if set != "+OK\r\n" || get != "$\(value.utf8.count)\r\n\(value)\r\n" {
                    failures.append("node \(index): SET answered \(set ?? "nothing"), GET \(get ?? "nothing")")
                }
            }
        }

        func result() -> SimulationResult {
            let all = cluster.checker.violations + failures
            let stats = sim.statistics
            var facts = ["\(stats.messagesSent) messages", "\(stats.eventsProcessed) events"]
            if stats.injectionsHeldBack > 0 {
                facts.append("\(stats.injectionsHeldBack) requests waited for a paused node")
            }
            let summary = (notes + facts)
                .joined(separator: ", ")
            return SimulationResult(
                scenario: name, seed: seed, nodes: sim.nodeCount, passed: all.isEmpty, summary: summary,
                failures: all, simulatedSeconds: Double(sim.now - startedAt) / 1e9)
        }
    }

    static func form(seed: UInt64, nodes: Int, extraCheck: Check?) -> SimulationResult {
        var run = Run("cluster-form", seed: seed, nodes: nodes, extraCheck: extraCheck)
        guard run.form() else { return run.result() }
        run.checkLocalCommands(on: run.cluster.liveNodes)
        run.forbidFalseDowns()
        return run.result()
    }

    static func steady(seed: UInt64, nodes: Int, extraCheck: Check?) -> SimulationResult {
        var run = Run("cluster-steady", seed: seed, nodes: nodes, extraCheck: extraCheck)
        guard run.form() else { return run.result() }
        run.sim.run(forNanoseconds: 120 * second)
        run.converge("still agreed after 120 s")
        run.forbidFalseDowns()
        return run.result()
    }

    static func crash(seed: UInt64, nodes: Int, extraCheck: Check?) -> SimulationResult {
        var run = Run("cluster-crash", seed: seed, nodes: nodes, extraCheck: extraCheck)
        guard run.form() else { return run.result() }
        let victim = run.sim.random(in: 0..<run.sim.nodeCount)
        let crashedAt = run.sim.now
        run.cluster.crash(victim)
        // Agreement includes the placement check: a down member keeps its partitions.
        run.converge("node \(victim) known down everywhere")
        let latest = run.cluster.checker.firstDown[victim]?.values.max() ?? run.sim.now
        run.notes.append("last observer after \((latest - crashedAt) / run.cluster.probeIntervalNanoseconds) periods")
        run.forbidFalseDowns()
        return run.result()
    }

    static func pause(seed: UInt64, nodes: Int, extraCheck: Check?) -> SimulationResult {
        var run = Run("cluster-pause", seed: seed, nodes: nodes, extraCheck: extraCheck)
        guard run.form() else { return run.result() }
        let victim = run.sim.random(in: 0..<run.sim.nodeCount)
        let stall = Int64(run.sim.random(in: 3_000..<12_001)) * 1_000_000
        run.cluster.checker.expectedDown.insert(victim)
        run.sim.pause(victim, forNanoseconds: stall)
        run.sim.run(forNanoseconds: stall)
        run.converge("node \(victim) back after a \(stall / 1_000_000) ms stall")
        run.cluster.checker.expectedDown.remove(victim)
        if run.sim.node(victim)?.node.cluster.membership.lagsSeen == 0 {
            run.failures.append("node \(victim) never noticed its lag")
        }
        // Others may have marked the stalled node down (it was unresponsive); it must
        // have refuted since (agreement says alive), and it must accuse no one.
        run.forbidFalseDowns { observer, subject in subject == victim && observer != victim }
        return run.result()
    }

    static func partition(seed: UInt64, nodes: Int, extraCheck: Check?) -> SimulationResult {
        var run = Run("cluster-partition", seed: seed, nodes: nodes, extraCheck: extraCheck)
        guard run.form() else { return run.result() }
        let sides = RandomFaults.split(Array(0..<run.sim.nodeCount), sim: run.sim)
        run.sim.partition(sides)
        run.sim.run(forNanoseconds: 45 * second)
        if let problem = run.cluster.samePlacementForSameView() { run.failures.append("while split: \(problem)") }
        run.sim.heal()
        run.notes.append("split \(sides[0].count)/\(sides[1].count)")
        run.converge("healed")
        return run.result()
    }

    static func leave(seed: UInt64, nodes: Int, extraCheck: Check?) -> SimulationResult {
        var run = Run("cluster-leave", seed: seed, nodes: nodes, extraCheck: extraCheck)
        guard run.form() else { return run.result() }
        let victim = run.sim.random(in: 0..<run.sim.nodeCount)
        run.cluster.leave(victim)
        run.sim.run(forNanoseconds: 5 * second)
        run.cluster.stopLeft(victim)
        // Agreement includes the placement check: the left node owns nothing anywhere.
        run.converge("node \(victim) left everywhere")
        if let observers = run.cluster.checker.firstDown[victim], !observers.isEmpty {
            run.failures.append("the leaving node was marked down by \(observers.keys.sorted())")
        }
        if !run.cluster.leaveHeard.contains(victim) { run.failures.append("no node heard the leave") }
        run.forbidFalseDowns()
        return run.result()
    }

    static func restart(seed: UInt64, nodes: Int, extraCheck: Check?) -> SimulationResult {
        var run = Run("cluster-restart", seed: seed, nodes: nodes, extraCheck: extraCheck)
        guard run.form() else { return run.result() }
        let victim = run.sim.random(in: 0..<run.sim.nodeCount)
        let id = run.cluster.ids[victim]
        let observer = (victim + 1) % run.sim.nodeCount
        let before = run.cluster.view(observer)?.first { $0.id == id }
        run.checkLocalCommands(on: [victim])
        run.cluster.crash(victim)
        run.sim.run(forNanoseconds: Int64(run.sim.random(in: 0..<30)) * second)
        run.cluster.restart(victim)
        // Memory is lost at once; hints and anti-entropy may refill the node while it converges.
        if run.nodeKeys(victim) != 0 { run.failures.append("the restarted node kept its keys") }
        run.converge("node \(victim) back")
        let after = run.cluster.view(observer)?.first { $0.id == id }
        if let before, let after, after.incarnation <= before.incarnation {
            run.failures.append("incarnation did not grow: \(before) -> \(after)")
        }
        let writers = run.cluster.writersByNode[victim]
        if writers.count != 2 || writers[0] == writers[1] {
            run.failures.append("the restarted node did not draw a fresh writer id: \(writers)")
        }
        run.forbidFalseDowns()
        return run.result()
    }
}

extension ClusterScenarios.Run {
    /// Keys node `index` holds (DBSIZE), or -1 when it does not answer.
    func nodeKeys(_ index: Int) -> Int {
        guard let reply = cluster.command(index, "DBSIZE"), reply.hasPrefix(":") else { return -1 }
        // Swift reads "\r\n" as one Character, so take the digits rather than split on "\r".
        return Int(String(reply.unicodeScalars.dropFirst().prefix { $0.properties.numericType != nil })) ?? -1
    }
}
