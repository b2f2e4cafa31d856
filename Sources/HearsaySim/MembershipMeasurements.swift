import HearsayCore

/// Numbers for the README, measured on simulated clusters that start preformed
/// (every node knows every other), so the cost of joining does not blur them.
/// Run them from a release build; `report()` prints the tables.
public enum MembershipMeasurements {
    static let second: Int64 = 1_000_000_000

    public struct Detection: Sendable {
        public let nodes: Int
        public let runs: Int
        /// From the crash until the last live node marks it down. Protocol periods.
        public let meanPeriods: Double
        public let worstPeriods: Double
        /// Steady state, before the crash. Messages sent per node per period.
        public let messagesPerNodePerPeriod: Double
    }

    /// Crashes one node per seed in a preformed cluster on a loss-free LAN.
    public static func detection(nodes: Int, seeds: [UInt64], settings: MembershipSettings = .simulation)
        -> Detection
    {
        precondition(nodes >= 3 && !seeds.isEmpty, "detection needs 3 nodes and a seed")
        var total = 0.0
        var worst = 0.0
        var messageRate = 0.0
        for seed in seeds {
            let cluster = MembershipCluster(seed: seed, nodes: nodes, settings: settings, formation: .preformed)
            let sim = cluster.sim
            let period = cluster.probeIntervalNanoseconds
            sim.run(forNanoseconds: 10 * period)
            let sentBefore = sim.statistics.messagesSent
            sim.run(forNanoseconds: 10 * period)
            messageRate += Double(sim.statistics.messagesSent - sentBefore) / Double(nodes * 10)
            let victim = sim.random(in: 0..<nodes)
            let crashedAt = sim.now
            cluster.crash(victim)
            _ = sim.run(until: sim.now + 600 * second, checkingEvery: period / 4) { _ in
                (cluster.checker.firstDown[victim]?.count ?? 0) >= nodes - 1
            }
            let last = cluster.checker.firstDown[victim]?.values.max() ?? sim.now
            let periods = Double(last - crashedAt) / Double(period)
            total += periods
            worst = max(worst, periods)
        }
        return Detection(
            nodes: nodes, runs: seeds.count, meanPeriods: total / Double(seeds.count),
            worstPeriods: worst, messagesPerNodePerPeriod: messageRate / Double(seeds.count))
    }

    public struct FalseDowns: Sendable {
        public let nodes: Int
        public let lossPercent: Int
        public let nodePeriods: Int
        public let falseDowns: Int
        public let falseSuspicions: Int
        public var perTenThousandNodePeriods: Double { Double(falseDowns) * 10_000 / Double(max(1, nodePeriods)) }
    }

    /// Runs a preformed cluster with no fault but message loss and counts how often
    /// any node marks a running node down.
    public static func falseDowns(
        nodes: Int, lossPercent: Int, periods: Int, seed: UInt64,
        settings: MembershipSettings = .simulation
    ) -> FalseDowns {
        let cluster = MembershipCluster(
            seed: seed, nodes: nodes, settings: settings,
            network: .lossy(Double(lossPercent) / 100), formation: .preformed)
        cluster.sim.run(forNanoseconds: Int64(periods) * cluster.probeIntervalNanoseconds)
        return FalseDowns(
            nodes: nodes, lossPercent: lossPercent, nodePeriods: nodes * periods,
            falseDowns: cluster.checker.falseDowns.count,
            falseSuspicions: cluster.checker.falseSuspicions)
    }

    public struct Speed: Sendable {
        public let nodes: Int
        public let simulatedSeconds: Double
        public let wallSeconds: Double
        public var ratio: Double { simulatedSeconds / max(wallSeconds, 1e-9) }
    }

    /// Simulated seconds per wall-clock second for a steady cluster (setup excluded).
    public static func speed(nodes: Int, simulatedSeconds: Int, seed: UInt64 = 1) -> Speed {
        let cluster = MembershipCluster(seed: seed, nodes: nodes, formation: .preformed)
        cluster.sim.run(forNanoseconds: 5 * second)
        let clock = ContinuousClock()
        let elapsed = clock.measure { cluster.sim.run(forNanoseconds: Int64(simulatedSeconds) * second) }
        let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Speed(nodes: nodes, simulatedSeconds: Double(simulatedSeconds), wallSeconds: wall)
    }

    /// The README tables for 10, 100 and 1000 nodes (takes minutes in a release build).
    public static func report(sizes: [Int] = [10, 100, 1000]) -> String {
        var lines = [
            "| nodes | runs | detection mean (periods) | worst | messages/node/period |",
            "|---:|---:|---:|---:|---:|",
        ]
        for n in sizes {
            let runs = n >= 1000 ? 5 : n >= 100 ? 20 : 50
            let d = detection(nodes: n, seeds: (1...UInt64(runs)).map { $0 })
            lines.append(
                "| \(n) | \(runs) | \(format(d.meanPeriods)) | \(format(d.worstPeriods)) | "
                    + "\(format(d.messagesPerNodePerPeriod)) |")
        }
        lines += [
            "",
            "| nodes | loss | node-periods | false downs | per 10,000 node-periods "
                + "| suspect markings (all observers) |",
            "|---:|---:|---:|---:|---:|---:|",
        ]
        for n in sizes {
            for loss in [0, 5, 10] {
                let periods = max(300, 100_000 / n)
                let f = falseDowns(nodes: n, lossPercent: loss, periods: periods, seed: UInt64(n + loss))
                lines.append(
                    "| \(n) | \(loss)% | \(f.nodePeriods) | \(f.falseDowns) | "
                        + "\(format(f.perTenThousandNodePeriods)) | \(f.falseSuspicions) |")
            }
        }
        lines += ["", "| nodes | simulated s | wall s | simulated s per wall s |", "|---:|---:|---:|---:|"]
        for n in sizes {
            let s = speed(nodes: n, simulatedSeconds: n >= 1000 ? 60 : 300)
            lines.append("| \(n) | \(format(s.simulatedSeconds)) | \(format(s.wallSeconds)) | \(format(s.ratio)) |")
        }
        return lines.joined(separator: "\n")
    }

    static func format(_ x: Double) -> String {
        let hundredths = Int64((x * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}
