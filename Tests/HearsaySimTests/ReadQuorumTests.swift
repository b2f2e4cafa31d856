import HearsayCore
import HearsaySim
import HearsayTestSupport
import Testing

/// Reads at R >= 2 ask R - 1 other owners, rotating among them, and ask the rest only when
/// those are slow, so one silent owner delays a read but does not fail it.
struct ReadQuorumTests {
    static let second: Int64 = 1_000_000_000

    static func answeredSame(_ cluster: HearsayCluster, _ index: Int) -> Int64 {
        CheckedWriteTests.statistic(cluster, index, "reads_answered_same")
    }

    @Test func quorumRead_asksOneOtherOwner_rotatingBetweenThem() {
        let cluster = FaultInjectionTests.faultyCluster(seed: 7, nodes: 3)
        #expect(cluster.runUntilAgreement(timeoutNanoseconds: 60 * Self.second) == nil)
        #expect(cluster.request(0, ["SET", "k", "v"]) == "+OK\r\n")
        cluster.sim.run(forNanoseconds: Self.second / 10)
        let before = [Self.answeredSame(cluster, 1), Self.answeredSame(cluster, 2)]
        for _ in 0..<10 { #expect(cluster.request(0, ["GET", "k"]) == "$1\r\nv\r\n") }
        let asked = [Self.answeredSame(cluster, 1) - before[0], Self.answeredSame(cluster, 2) - before[1]]
        #expect(asked[0] + asked[1] == 10, "owners answered \(asked) for 10 reads at R=2")
        #expect(asked[0] >= 1 && asked[1] >= 1, "reads did not rotate: \(asked)")
        #expect(CheckedWriteTests.statistic(cluster, 0, "reads_retried") == 0)
    }

    @Test func quorumRead_whenTheAskedOwnerIsSilent_asksTheOtherAndSucceeds() {
        let cluster = FaultInjectionTests.faultyCluster(seed: 8, nodes: 3)
        #expect(cluster.runUntilAgreement(timeoutNanoseconds: 60 * Self.second) == nil)
        #expect(cluster.request(0, ["SET", "k", "v"]) == "+OK\r\n")
        cluster.sim.run(forNanoseconds: Self.second / 10)
        // Node 1 stays a live member but never hears node 0's reads.
        #expect(cluster.command(0, "HS.FAULT", "DROP", cluster.ids[1].description, "OUT") == "+OK\r\n")
        for attempt in 0..<4 {
            let (reply, milliseconds) = FaultInjectionTests.timed(cluster, 0, ["GET", "k"])
            #expect(reply == "$1\r\nv\r\n", "read \(attempt): \(reply ?? "no reply")")
            // The request timeout is 1 s; the wider read goes out after a tenth of it.
            #expect(milliseconds < 500, "read \(attempt) took \(milliseconds) ms")
        }
        #expect(CheckedWriteTests.statistic(cluster, 0, "reads_retried") >= 1)
    }
}
