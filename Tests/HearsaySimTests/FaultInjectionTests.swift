import HearsayCore
import HearsaySim
import HearsayTestSupport
import Testing

/// HS.FAULT in the simulator: dropped traffic partitions a cluster (SWIM marks the other side
/// down, replication stops), CLEAR heals it, and delays hold frames without losing them.
struct FaultInjectionTests {
    static let second: Int64 = 1_000_000_000

    static func faultyCluster(seed: UInt64, nodes: Int) -> HearsayCluster {
        HearsayCluster(seed: seed, nodes: nodes) { $0.faultInjectionEnabled = true }
    }

    static func parse(_ reply: String?) -> RESPTestValue {
        reply.flatMap(RESPTestValue.parse) ?? .error("no reply or unparsable: \(reply ?? "nil")")
    }

    /// How `observer` sees `subject`.
    static func status(_ cluster: HearsayCluster, _ observer: Int, _ subject: Int) -> MemberStatus? {
        cluster.view(observer)?.first { $0.id == cluster.ids[subject] }?.status
    }

    /// Whether node `index` holds `key` (a value or a tombstone), by its own HS.DIGEST.
    static func holds(_ cluster: HearsayCluster, _ index: Int, _ key: String) -> Bool {
        let partition = PartitionCount(256).partition(of: Array(key.utf8)).index
        let rows = parse(cluster.command(index, "HS.DIGEST", "\(partition)", "KEYS")).items
        return rows.contains { $0.items.first?.text == key }
    }

    /// Splits 5 nodes 3 against 2 with HS.FAULT DROP on every cross link, writes on one side,
    /// then clears. Returns what went wrong (empty on success).
    static func partitionAndHeal(seed: UInt64) -> [String] {
        var failures: [String] = []
        let cluster = faultyCluster(seed: seed, nodes: 5)
        if let problem = cluster.runUntilAgreement(timeoutNanoseconds: 60 * second) { return ["formed: \(problem)"] }
        let sides = [[0, 1, 2], [3, 4]]
        // Rules on side A only, both directions: side B keeps sending, so incoming drops count too.
        for a in sides[0] {
            for b in sides[1] where cluster.command(a, "HS.FAULT", "DROP", cluster.ids[b].description) != "+OK\r\n" {
                failures.append("node \(a) refused DROP \(b)")
            }
        }
        // A key replicated on both sides, written on side A at ONE while split.
        let placement = cluster.sim.node(0)!.placement!
        let key = (0..<1_000).map { "split-\($0)" }.first { key in
            let owners = placement.replicas(for: PartitionCount(256).partition(of: Array(key.utf8)))
            return owners.contains(cluster.ids[0]) && owners.contains { [cluster.ids[3], cluster.ids[4]].contains($0) }
        }!
        let ownersB = sides[1].filter {
            placement.replicas(for: PartitionCount(256).partition(of: Array(key.utf8))).contains(cluster.ids[$0])
        }
        _ = cluster.request(0, ["HS.CONSISTENCY", "ONE"])
        if cluster.request(0, ["SET", key, "written while split"]) != "+OK\r\n" { failures.append("SET refused") }
        let split = cluster.sim.run(until: cluster.sim.now + 120 * second, checkingEvery: second / 2) { _ in
            sides[0].allSatisfy { a in sides[1].allSatisfy { status(cluster, a, $0) == .down } }
                && sides[1].allSatisfy { b in sides[0].allSatisfy { status(cluster, b, $0) == .down } }
        }
        if !split { failures.append("the sides did not mark each other down within 120 s") }
        for side in sides {
            for a in side {
                for b in side where status(cluster, a, b) != .alive { failures.append("node \(a) sees \(b) not alive") }
            }
        }
        for b in ownersB where holds(cluster, b, key) { failures.append("node \(b) got the write across the split") }
        let rules = parse(cluster.command(0, "HS.FAULT")).items
        if rules.count != 4 { failures.append("node 0 lists \(rules.count) rules, expected 4") }
        for rule in rules where (rule.fields["dropped"]?.int ?? 0) == 0 {
            failures.append("a rule of node 0 dropped nothing: \(rule)")
        }
        for (index, expected) in [(0, 4), (1, 4), (2, 4), (3, 0), (4, 0)] {
            let cleared = cluster.command(index, "HS.FAULT", "CLEAR")
            if cleared != ":\(expected)\r\n" { failures.append("node \(index) CLEAR answered \(cleared ?? "nothing")") }
        }
        if let problem = cluster.runUntilAgreement(timeoutNanoseconds: 180 * second) {
            failures.append("no agreement after CLEAR: \(problem)")
        }
        // The replica write was dropped before anyone saw the split, so no hint exists: the
        // partitions' anti-entropy exchanges (one a second per node here) repair it.
        let repaired = cluster.sim.run(until: cluster.sim.now + 400 * second, checkingEvery: second) { _ in
            ownersB.allSatisfy { holds(cluster, $0, key) }
        }
        if !repaired { failures.append("the write did not reach side B's owners \(ownersB) within 400 s of healing") }
        failures += cluster.checker.violations
        return failures
    }

    @Test func drop_betweenTwoSides_shouldPartitionMembershipAndReplication_andClearShouldHealIt() {
        let failing = MembershipScenarioTests.failingSeeds(default: 4, Self.partitionAndHeal(seed:))
        #expect(failing.isEmpty, "\(failing)")
    }

    /// Milliseconds of simulated time a request to node `index` takes.
    static func timed(_ cluster: HearsayCluster, _ index: Int, _ words: [String]) -> (String?, Int64) {
        let start = cluster.sim.now
        let reply = cluster.request(index, words)
        return (reply, (cluster.sim.now - start) / 1_000_000)
    }

    @Test func delay_shouldHoldFramesForTheirDelayAndLoseNone() {
        for seed: UInt64 in [1, 2, 3] {
            let cluster = Self.faultyCluster(seed: seed, nodes: 3)
            #expect(cluster.runUntilAgreement(timeoutNanoseconds: 60 * Self.second) == nil)
            _ = cluster.request(0, ["HS.CONSISTENCY", "ALL"])
            let (fast, baseline) = Self.timed(cluster, 0, ["SET", "k", "before"])
            #expect(fast == "+OK\r\n" && baseline < 100, "seed \(seed): \(baseline) ms")
            // Outgoing to node 1: the (checked) write waits 200 ms on the way there.
            let peer = cluster.ids[1].description
            #expect(cluster.command(0, "HS.FAULT", "DELAY", peer, "200", "OUT") == "+OK\r\n")
            let (slow, delayed) = Self.timed(cluster, 0, ["SET", "k", "after"])
            #expect(slow == "+OK\r\n", "seed \(seed)")
            #expect(delayed >= 200 && delayed < 1_000, "seed \(seed): \(delayed) ms")
            // A SET XX keeps the pre-read: it and the write each wait 200 ms.
            let (conditional, delayedTwice) = Self.timed(cluster, 0, ["SET", "k", "again", "XX"])
            #expect(conditional == "+OK\r\n", "seed \(seed)")
            #expect(delayedTwice >= 400 && delayedTwice < 1_000, "seed \(seed): \(delayedTwice) ms")
            // Incoming from node 2: its read reply waits 300 ms.
            #expect(cluster.command(0, "HS.FAULT", "DELAY", cluster.ids[2].description, "300", "IN") == "+OK\r\n")
            let (read, readTime) = Self.timed(cluster, 0, ["GET", "k"])
            #expect(read == "$5\r\nagain\r\n", "seed \(seed)")
            #expect(readTime >= 300 && readTime < 1_000, "seed \(seed): \(readTime) ms")
            let rules = Self.parse(cluster.command(0, "HS.FAULT")).items
            #expect(rules.count == 2, "seed \(seed): \(rules)")
            for rule in rules {
                #expect(rule.items.count == 14)
                #expect(rule.fields["action"] == .bulk("delay"))
                let delayed = rule.fields["delayed"]?.int ?? 0
                let held = rule.fields["held"]?.int ?? -1
                #expect(delayed > 0 && held >= 0 && held <= delayed, "seed \(seed): \(rule)")
                #expect(rule.fields["dropped"] == .integer(0), "seed \(seed): \(rule)")
            }
            let outRule = rules.first { $0.fields["direction"] == .bulk("out") }
            #expect(outRule?.fields["peer"] == .bulk(peer) && outRule?.fields["delay_ms"] == .integer(200))
            // A 200-300 ms delay is under the probe timeout: nobody is suspected or marked down.
            #expect(cluster.viewDisagreement() == nil, "seed \(seed)")
            #expect(cluster.checker.falseDowns.isEmpty, "seed \(seed)")
            #expect(cluster.command(0, "HS.FAULT", "CLEAR", peer) == ":1\r\n")
            #expect(cluster.command(0, "HS.FAULT", "CLEAR") == ":1\r\n")
            #expect(cluster.command(0, "HS.FAULT") == "*0\r\n")
            // Frames held when the rules went are still delivered, none lost.
            cluster.sim.run(forNanoseconds: Self.second)
            let faults = cluster.sim.node(0)?.node.faults
            #expect(faults?.heldCount == 0 && faults?.heldDropped == 0, "seed \(seed)")
        }
    }

    @Test func fault_onANodeStartedWithoutTheFlag_shouldBeRefused() {
        let cluster = HearsayCluster(seed: 9, nodes: 3)
        #expect(cluster.runUntilAgreement(timeoutNanoseconds: 60 * Self.second) == nil)
        let refusal = "-ERR fault injection is disabled (start the node with --enable-fault-injection)\r\n"
        #expect(cluster.command(0, "HS.FAULT", "DROP", cluster.ids[1].description) == refusal)
        #expect(cluster.command(0, "HS.FAULT") == refusal)
        #expect(cluster.command(0, "HS.FAULT", "CLEAR") == refusal)
    }
}
