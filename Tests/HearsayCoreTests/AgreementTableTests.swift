import Testing

@testable import HearsayCore

struct AgreementTableTests {
    @Test func records_keepTheLatestStartPerPeer_andOnlyCurrentReplicas() {
        var table = AgreementTable(partitionCount: 4)
        let (a, b, c, d) = (NodeID(1), NodeID(2), NodeID(3), NodeID(4))
        let at = { (ms: Int64) in Instant(milliseconds: ms) }
        table.record(partition: 1, peer: b, startedAt: at(10), endedAt: at(12), localRoot: 7, replicas: [a, b, c])
        table.record(partition: 1, peer: c, startedAt: at(20), endedAt: at(25), localRoot: 7, replicas: [a, b, c])
        // A session that began earlier but ended later does not replace a later start.
        table.record(partition: 1, peer: b, startedAt: at(5), endedAt: at(30), localRoot: 8, replicas: [a, b, c])
        #expect(table.record(partition: 1, peer: b)?.startedAt == at(10))
        table.record(partition: 1, peer: b, startedAt: at(40), endedAt: at(41), localRoot: 9, replicas: [a, b, c])
        #expect(table.record(partition: 1, peer: b)?.localRoot == 9 && table.count == 2)
        // Placement moved c out and d in: c's record goes, a non-replica is never recorded.
        table.record(partition: 1, peer: d, startedAt: at(50), endedAt: at(51), localRoot: 9, replicas: [a, b, d])
        table.record(partition: 1, peer: c, startedAt: at(60), endedAt: at(61), localRoot: 9, replicas: [a, b, d])
        #expect(table.record(partition: 1, peer: c) == nil && table.count == 2, "bounded by N per partition")
        #expect(table.record(partition: 0, peer: b) == nil)
    }
}
