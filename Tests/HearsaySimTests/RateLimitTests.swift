import HearsayCore
import HearsaySim
import Testing

/// The anti-entropy byte-rate limit, in the simulator: a replica that missed a few hundred
/// kilobytes of writes is repaired by exchanges alone (hints off, no reads), and no node
/// sends more exchange bytes in any one-second window than the limit allows.
struct RateLimitTests {
    static let second: Int64 = 1_000_000_000
    static let rate = 6_000

    @Test func repair_staysUnderTheByteRate_andStillConverges() {
        for seed: UInt64 in [1, 2, 3] {
            let cluster = HearsayCluster(seed: seed, nodes: 3) {
                $0.hintsEnabled = false
                $0.antiEntropyIntervalMilliseconds = 100
                $0.antiEntropyConcurrency = 2
                $0.antiEntropyBytesPerSecond = Self.rate
            }
            #expect(cluster.runUntilAgreement(timeoutNanoseconds: 60 * Self.second) == nil, "seed=\(seed)")
            cluster.sim.partition([[2], [0, 1]])
            cluster.sim.run(forNanoseconds: 2 * Self.second)
            let value = String(repeating: "x", count: 100)
            for i in 0..<1_500 {
                _ = cluster.request(i % 2, ["HS.CONSISTENCY", "ONE"])
                _ = cluster.request(i % 2, ["SET", "big:\(i)", value])
            }
            cluster.sim.heal()
            // One sample per 100 ms of every node's transmitted exchange bytes.
            var samples: [[Int]] = []
            let transmitted = { (0..<3).map { cluster.sim.node($0)?.node.antiEntropy.stats.bytesTransmitted ?? 0 } }
            samples.append(transmitted())
            let healedAt = cluster.sim.now
            var converged: Int64?
            while cluster.sim.now - healedAt < 300 * Self.second {
                cluster.sim.run(forNanoseconds: Self.second / 10)
                samples.append(transmitted())
                if converged == nil && samples.count % 10 == 0, AntiEntropyScenarios.ownersDisagree(cluster) == nil {
                    converged = cluster.sim.now - healedAt
                    break
                }
            }
            #expect(converged != nil, "seed=\(seed): no convergence within 300 s under the limit")
            // Any one-second window: at most the rate, the burst (a tenth of a second) and one message.
            let allowed = Self.rate + Self.rate / 10 + ExchangeSettings.simulation.maxMessageBytes + 64
            var busiest = 0
            for node in 0..<3 {
                for end in stride(from: 10, to: samples.count, by: 1) {
                    busiest = max(busiest, samples[end][node] - samples[end - 10][node])
                }
            }
            #expect(busiest <= allowed, "seed=\(seed): \(busiest) bytes in one second, allowed \(allowed)")
            // The limit was what paced the repair (else this test would show nothing).
            let deferred = (0..<3).reduce(0) {
                $0 + (cluster.sim.node($1)?.node.antiEntropy.stats.sendsDeferred ?? 0)
            }
            #expect(busiest >= Self.rate / 2 && deferred > 0, "seed=\(seed): busiest \(busiest), deferred \(deferred)")
            let total = (0..<3).reduce(0) { $0 + samples.last![$1] - samples[0][$1] }
            let seconds = Double(converged ?? 0) / 1e9
            #expect(Double(total) <= Double(3 * Self.rate) * seconds + 3.0 * Double(allowed), "seed=\(seed)")
            print("rate-limit seed=\(seed): \(total) exchange bytes in \(seconds) s, busiest second \(busiest)")
        }
    }
}
