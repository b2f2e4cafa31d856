import HearsayCore
import HearsaySim
import HearsayTestSupport
import Testing

/// Reads at R >= 2 ask R - 1 other owners, the first in the key's preference order, and ask
/// the rest only when those are slow, so one silent owner delays a read but does not fail it.
struct ReadQuorumTests {
    static let second: Int64 = 1_000_000_000

    static func answeredSame(_ cluster: HearsayCluster, _ index: Int) -> Int64 {
        CheckedWriteTests.statistic(cluster, index, "reads_answered_same")
    }

    /// A formed 3-node cluster in which node 0 wrote `count` keys (k0, k1, ...) with value v.
    static func clusterWithKeys(seed: UInt64, count: Int) -> (HearsayCluster, [String]) {
        let cluster = FaultInjectionTests.faultyCluster(seed: seed, nodes: 3)
        #expect(cluster.runUntilAgreement(timeoutNanoseconds: 60 * second) == nil)
        let keys = (0..<count).map { "k\($0)" }
        for key in keys { #expect(cluster.request(0, ["SET", key, "v"]) == "+OK\r\n") }
        cluster.sim.run(forNanoseconds: second / 10)
        return (cluster, keys)
    }

    @Test func quorumRead_asksOneOtherOwner_thesameForOneKey_spreadOverKeys() {
        let (cluster, keys) = Self.clusterWithKeys(seed: 7, count: 20)
        func answered() -> [Int64] { [Self.answeredSame(cluster, 1), Self.answeredSame(cluster, 2)] }
        // One key, read 10 times: one owner answers every read.
        var before = answered()
        for _ in 0..<10 { #expect(cluster.request(0, ["GET", "k0"]) == "$1\r\nv\r\n") }
        var asked = zip(answered(), before).map { $0 - $1 }
        #expect(asked.sorted() == [0, 10], "owners answered \(asked) for 10 reads of one key at R=2")
        // Twenty keys: each read asks one owner, and both owners get some.
        before = answered()
        for key in keys { #expect(cluster.request(0, ["GET", key]) == "$1\r\nv\r\n") }
        asked = zip(answered(), before).map { $0 - $1 }
        #expect(asked[0] + asked[1] == 20, "owners answered \(asked) for 20 reads at R=2")
        #expect(asked[0] >= 1 && asked[1] >= 1, "reads of 20 keys all went to one owner: \(asked)")
        #expect(CheckedWriteTests.statistic(cluster, 0, "reads_retried") == 0)
    }

    @Test func quorumRead_whenTheAskedOwnerIsSilent_asksTheOtherAndSucceeds() {
        let (cluster, keys) = Self.clusterWithKeys(seed: 8, count: 8)
        // Both other owners stay live members, but node 0's frames to node 1 are lost. The
        // owner asked first depends on the key's partition: some of the eight ask node 1.
        #expect(cluster.command(0, "HS.FAULT", "DROP", cluster.ids[1].description, "OUT") == "+OK\r\n")
        for (attempt, key) in keys.enumerated() {
            let (reply, milliseconds) = FaultInjectionTests.timed(cluster, 0, ["GET", key])
            #expect(reply == "$1\r\nv\r\n", "read \(attempt): \(reply ?? "no reply")")
            // The request timeout is 1 s; the wider read goes out after a tenth of it.
            #expect(milliseconds < 500, "read \(attempt) took \(milliseconds) ms")
        }
        #expect(CheckedWriteTests.statistic(cluster, 0, "reads_retried") >= 1)
    }

    /// A write whose arguments could not fit one replica message is refused before anything
    /// is applied, with an error that says why; a write just under the limit succeeds.
    @Test func aWriteTooLargeToReplicate_isRefusedAndNothingIsApplied() {
        let (cluster, _) = Self.clusterWithKeys(seed: 9, count: 1)
        let limit = Coordinator.maximumKeyPayloadBytes
        let tooLarge = String(repeating: "x", count: limit)
        let reply = cluster.request(0, ["SET", "big", tooLarge]) ?? "no reply"
        #expect(reply.hasPrefix("-ERR request too large to replicate"), "\(reply.prefix(80))")
        #expect(cluster.request(0, ["EXISTS", "big"]) == ":0\r\n")
        #expect(cluster.request(0, ["MSET", "a", "1", "big", tooLarge])?.hasPrefix("-ERR request too large") == true)
        #expect(cluster.request(0, ["EXISTS", "a"]) == ":0\r\n", "a refused MSET applies none of its keys")
        let fits = String(repeating: "y", count: limit - 4)
        #expect(cluster.request(0, ["SET", "big", fits]) == "+OK\r\n")
        #expect(cluster.request(0, ["STRLEN", "big"]) == ":\(limit - 4)\r\n")
    }
}
