import HearsayCore
import HearsaySim
import Testing

/// MULTI/EXEC through one node of a 3-node cluster: commands queue, run at EXEC through
/// their coordinators with their quorums, and EXEC answers with every reply in order; the
/// writes are then read from the other nodes. WATCH aborts when another node changed the key.
struct TransactionTests {
    static let second: Int64 = 1_000_000_000

    static func formed(seed: UInt64) -> HearsayCluster? {
        let cluster = HearsayCluster(seed: seed, nodes: 3) { $0.faultInjectionEnabled = true }
        return cluster.runUntilAgreement(timeoutNanoseconds: 60 * second) == nil ? cluster : nil
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func execRunsQueuedCommandsThroughTheirCoordinators_andOtherNodesReadTheWrites(seed: UInt64) throws {
        let cluster = try #require(Self.formed(seed: seed))
        #expect(cluster.request(0, ["MULTI"]) == "+OK\r\n")
        for words in [["SET", "a", "1"], ["INCR", "counter"], ["SET", "b", "2"], ["GET", "a"], ["INCR", "a"]] {
            #expect(cluster.request(0, words) == "+QUEUED\r\n")
        }
        // Nothing ran before EXEC.
        #expect(cluster.request(1, ["GET", "a"]) == "$-1\r\n")
        let exec = cluster.request(0, ["EXEC"])
        #expect(exec == "*5\r\n+OK\r\n:1\r\n+OK\r\n$1\r\n1\r\n:2\r\n", "\(exec ?? "no reply")")
        cluster.sim.run(forNanoseconds: Self.second / 10)
        for node in 1..<3 {
            #expect(cluster.request(node, ["MGET", "a", "b", "counter"]) == "*3\r\n$1\r\n2\r\n$1\r\n2\r\n$1\r\n1\r\n")
        }
        // Django's set_many: MSET and one EXPIRE per key, in one transaction.
        #expect(cluster.request(2, ["MULTI"]) == "+OK\r\n")
        #expect(cluster.request(2, ["MSET", "x", "1", "y", "2"]) == "+QUEUED\r\n")
        #expect(cluster.request(2, ["EXPIRE", "x", "100"]) == "+QUEUED\r\n")
        #expect(cluster.request(2, ["EXPIRE", "y", "100"]) == "+QUEUED\r\n")
        #expect(cluster.request(2, ["EXEC"]) == "*3\r\n+OK\r\n:1\r\n:1\r\n")
        #expect([":99\r\n", ":100\r\n"].contains(cluster.request(0, ["TTL", "y"]) ?? ""))
    }

    /// Through a node that holds no copy of the key (5 nodes, N=3), WATCH reads it through its
    /// coordinator, and EXEC reads it again before running anything.
    @Test(arguments: [5, 6] as [UInt64])
    func watchThroughANodeThatDoesNotOwnTheKey_abortsWhenItChanged(seed: UInt64) throws {
        let cluster = HearsayCluster(seed: seed, nodes: 5) { $0.faultInjectionEnabled = true }
        try #require(cluster.runUntilAgreement(timeoutNanoseconds: 60 * Self.second) == nil)
        let node = try #require(cluster.sim.node(0)?.node)
        let key = try #require((0..<100).map { "w\($0)" }.first { !node.owns(Array($0.utf8)) })
        let other = try #require((1..<5).first { cluster.sim.node($0)?.node.owns(Array(key.utf8)) == true })
        #expect(cluster.request(other, ["SET", key, "1"]) == "+OK\r\n")
        cluster.sim.run(forNanoseconds: Self.second / 10)
        #expect(cluster.request(0, ["WATCH", key]) == "+OK\r\n")
        #expect(cluster.request(other, ["SET", key, "2"]) == "+OK\r\n")
        cluster.sim.run(forNanoseconds: Self.second / 10)
        #expect(cluster.request(0, ["MULTI"]) == "+OK\r\n")
        #expect(cluster.request(0, ["SET", key, "3"]) == "+QUEUED\r\n")
        #expect(cluster.request(0, ["EXEC"]) == "*-1\r\n")
        #expect(cluster.request(other, ["GET", key]) == "$1\r\n2\r\n")
        // Unchanged, it goes through; UNWATCH forgets what WATCH read.
        #expect(cluster.request(0, ["WATCH", key]) == "+OK\r\n")
        #expect(cluster.request(0, ["MULTI"]) == "+OK\r\n")
        #expect(cluster.request(0, ["SET", key, "3"]) == "+QUEUED\r\n")
        #expect(cluster.request(0, ["EXEC"]) == "*1\r\n+OK\r\n")
        #expect(cluster.request(0, ["WATCH", key]) == "+OK\r\n")
        #expect(cluster.request(0, ["UNWATCH"]) == "+OK\r\n")
        #expect(cluster.request(other, ["SET", key, "4"]) == "+OK\r\n")
        #expect(cluster.request(0, ["MULTI"]) == "+OK\r\n")
        #expect(cluster.request(0, ["GET", key]) == "+QUEUED\r\n")
        #expect(cluster.request(0, ["EXEC"]) == "*1\r\n$1\r\n4\r\n")
    }

    @Test func watchAborts_whenAnotherNodeChangedTheKeyBeforeExec() throws {
        let cluster = try #require(Self.formed(seed: 4))
        #expect(cluster.request(0, ["SET", "w", "1"]) == "+OK\r\n")
        cluster.sim.run(forNanoseconds: Self.second / 10)
        #expect(cluster.request(0, ["WATCH", "w"]) == "+OK\r\n")
        #expect(cluster.request(1, ["SET", "w", "2"]) == "+OK\r\n")
        cluster.sim.run(forNanoseconds: Self.second / 10)
        #expect(cluster.request(0, ["MULTI"]) == "+OK\r\n")
        #expect(cluster.request(0, ["SET", "w", "3"]) == "+QUEUED\r\n")
        #expect(cluster.request(0, ["EXEC"]) == "*-1\r\n")
        #expect(cluster.request(2, ["GET", "w"]) == "$1\r\n2\r\n")
        // Unchanged, the same transaction goes through.
        #expect(cluster.request(0, ["WATCH", "w"]) == "+OK\r\n")
        #expect(cluster.request(0, ["MULTI"]) == "+OK\r\n")
        #expect(cluster.request(0, ["SET", "w", "3"]) == "+QUEUED\r\n")
        #expect(cluster.request(0, ["EXEC"]) == "*1\r\n+OK\r\n")
    }
}
