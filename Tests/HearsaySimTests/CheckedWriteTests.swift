import HearsayCore
import HearsaySim
import HearsayTestSupport
import Testing

/// Checked writes (a plain SET at W >= 2 in one round trip): when the coordinator's copy is
/// behind an owner's, the owner's copy comes back and the write is made again on the merge,
/// so the SET still replaces the write acknowledged before it instead of becoming its sibling.
struct CheckedWriteTests {
    static let second: Int64 = 1_000_000_000

    /// The siblings node `index` itself holds (read at consistency ONE: its own copy).
    static func siblings(_ cluster: HearsayCluster, _ index: Int, _ key: String) -> [RESPTestValue] {
        _ = cluster.request(index, ["HS.CONSISTENCY", "ONE"])
        defer { _ = cluster.request(index, ["HS.CONSISTENCY", "QUORUM"]) }
        return FaultInjectionTests.parse(cluster.request(index, ["HS.SIBLINGS", key])).items
    }

    static func statistic(_ cluster: HearsayCluster, _ index: Int, _ name: String) -> Int64 {
        FaultInjectionTests.parse(cluster.command(index, "HS.STATS")).fields[name]?.int ?? -1
    }

    /// Node 0 misses v1 (node 1 drops its frames to node 0 while writing it), then writes v2
    /// at W=2 from its stale copy: v2 must replace v1 on every replica, with one sibling.
    static func staleCoordinator(seed: UInt64) -> [String] {
        var failures: [String] = []
        let cluster = FaultInjectionTests.faultyCluster(seed: seed, nodes: 3)
        if let problem = cluster.runUntilAgreement(timeoutNanoseconds: 60 * second) { return ["formed: \(problem)"] }
        let key = "checked"
        if cluster.request(0, ["SET", key, "v0"]) != "+OK\r\n" { failures.append("SET v0 refused") }
        cluster.sim.run(forNanoseconds: second / 10)
        let repeatedBefore = statistic(cluster, 0, "checked_writes_repeated")
        let node0 = cluster.ids[0].description
        if cluster.command(1, "HS.FAULT", "DROP", node0, "OUT") != "+OK\r\n" { failures.append("DROP refused") }
        // Node 1 coordinates v1; node 2 matches, so it is acknowledged without node 0.
        if cluster.request(1, ["SET", key, "v1"]) != "+OK\r\n" { failures.append("SET v1 not acknowledged") }
        _ = cluster.command(1, "HS.FAULT", "CLEAR")
        if cluster.command(0, "HS.GETCTX", key).map({ $0.contains("v1") }) == true {
            failures.append("node 0 got v1 despite the drop")
        }
        if cluster.request(0, ["SET", key, "v2"]) != "+OK\r\n" { failures.append("SET v2 not acknowledged") }
        if statistic(cluster, 0, "checked_writes_repeated") <= repeatedBefore {
            failures.append("node 0 did not repeat its write on the merge")
        }
        cluster.sim.run(forNanoseconds: second)
        for index in 0..<3 {
            let found = siblings(cluster, index, key)
            if found.count != 1 || found.first?.fields["value"]?.text != "v2" {
                failures.append("node \(index) holds \(found), expected v2 alone")
            }
        }
        failures += cluster.checker.violations
        return failures
    }

    @Test func staleCoordinator_shouldRepeatItsWriteOnTheMerge_andReplaceTheAcknowledgedValue() {
        let failing = MembershipScenarioTests.failingSeeds(default: 4, Self.staleCoordinator(seed:))
        #expect(failing.isEmpty, "\(failing)")
    }

    /// The common case: copies agree, so a W=2 SET takes one round trip and repeats nothing.
    @Test func agreeingCopies_shouldAcknowledgeInOneRoundTrip() {
        let cluster = FaultInjectionTests.faultyCluster(seed: 5, nodes: 3)
        #expect(cluster.runUntilAgreement(timeoutNanoseconds: 60 * Self.second) == nil)
        #expect(cluster.request(0, ["SET", "k", "v0"]) == "+OK\r\n")
        cluster.sim.run(forNanoseconds: Self.second / 10)
        // 100 ms each way to node 1 and 2: one round trip is 200 ms, a pre-read and a write 400.
        for peer in [1, 2] {
            #expect(cluster.command(0, "HS.FAULT", "DELAY", cluster.ids[peer].description, "100") == "+OK\r\n")
        }
        let (reply, milliseconds) = FaultInjectionTests.timed(cluster, 0, ["SET", "k", "v1"])
        #expect(reply == "+OK\r\n")
        #expect(milliseconds >= 200 && milliseconds < 400, "\(milliseconds) ms")
        #expect(Self.statistic(cluster, 0, "checked_writes_repeated") == 0)
    }

    /// Commands pipelined on one connection keep their order when a pre-read write (DEL,
    /// INCR, SET NX) is followed by a plain SET of the same key, which alone would go as a
    /// checked write and run first.
    @Test func pipelinedWrites_toOneKey_takeEffectInOrder() {
        let cases: [(first: [String], then: [String], expected: String)] = [
            (["DEL", "k"], ["SET", "k", "after-del"], "$9\r\nafter-del\r\n"),
            (["INCR", "k"], ["SET", "k", "0"], "$1\r\n0\r\n"),
            (["SET", "k", "nx", "NX"], ["SET", "k", "last"], "$4\r\nlast\r\n"),
            (["SET", "k", "one"], ["SET", "k", "two"], "$3\r\ntwo\r\n"),
        ]
        for (index, c) in cases.enumerated() {
            let cluster = FaultInjectionTests.faultyCluster(seed: 40 + UInt64(index), nodes: 3)
            #expect(cluster.runUntilAgreement(timeoutNanoseconds: 60 * Self.second) == nil)
            #expect(cluster.request(0, ["SET", "k", "7"]) == "+OK\r\n")
            cluster.sim.run(forNanoseconds: Self.second / 10)
            let first = cluster.submit(0, c.first)
            let then = cluster.submit(0, c.then)
            cluster.sim.run(forNanoseconds: Self.second)
            #expect(first.flatMap(cluster.reply(for:)) != nil, "case \(index): no reply to \(c.first)")
            #expect(then.flatMap(cluster.reply(for:)) == "+OK\r\n", "case \(index)")
            for node in 0..<3 {
                #expect(cluster.request(node, ["GET", "k"]) == c.expected, "case \(index) node \(node)")
            }
        }
    }
}
