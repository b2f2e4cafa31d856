import HearsayInspect
import Testing

/// A node that answers from a table of canned replies (by command name), for reply shapes the
/// simulator does not produce.
final class FakeNode: NodeClient {
    let replies: [String: RESPValue]

    init(_ replies: [String: RESPValue]) { self.replies = replies }

    func send(_ words: [String]) throws(InspectError) -> RESPValue {
        replies[words[0]] ?? .error("ERR unknown command '\(words[0])'")
    }
}

struct FakeConnector: NodeConnector {
    let nodes: [String: FakeNode]

    func connect(to address: String) throws(InspectError) -> NodeClient {
        guard let node = nodes[address] else { throw InspectError.unreachable("\(address): connection refused") }
        return node
    }

    func clientAddress(forPeer peerAddress: String) -> String { peerAddress }
}

func bulk(_ text: String) -> RESPValue { .bulk(Array(text.utf8)) }

struct FakeNodeTests {
    /// A single node of four partitions whose replies follow the documented shapes.
    static func node(id: String, agreement: RESPValue?) -> FakeNode {
        var replies: [String: RESPValue] = [
            "INFO": bulk("# Cluster\r\nnode_id:\(id)\r\n# Keyspace\r\ndb0:keys=7,expires=0,avg_ttl=0\r\n"),
            "HS.MEMBERS": .array([
                .array([
                    bulk("id"), bulk(id), bulk("address"), bulk("node:1"), bulk("status"), bulk("alive"),
                    bulk("incarnation"), .integer(1),
                ])
            ]),
            "HS.STATS": .array([bulk("hints_pending"), .integer(0)]),
            "HS.DIGEST": .array([bulk("00"), bulk("01"), bulk("02"), bulk("03")]),
        ]
        replies["HS.AGREEMENT"] = agreement
        return FakeNode(replies)
    }

    @Test func agreementTimesAreTheOldestPairPerPartition_andNeverWhenAPairNeverAgreed() {
        let agreement = RESPValue.array([
            .array([.integer(0), bulk("2"), .integer(1_500)]), .array([.integer(0), bulk("3"), .integer(250)]),
            .array([.integer(1), bulk("2"), .integer(-1)]),
        ])
        let inspector = Inspector(
            connector: FakeConnector(nodes: ["node:1": Self.node(id: "1", agreement: agreement)]), seeds: ["node:1"])
        let s = inspector.sample(now: 100)
        #expect(s.agreementReported)
        #expect(s.partitions[0].sinceExchangeAgreed == 1.5)
        #expect(s.partitions[1].exchangeNeverAgreed == true && s.partitions[1].sinceExchangeAgreed == nil)
        #expect(s.partitions[2].sinceExchangeAgreed == nil)
        #expect(s.nodes.first?.keys == 7)
        #expect(TextReport.render(s).contains("never agreed: 1 partitions"))
    }

    @Test func nodesWithoutTheNewerCommandsShowNotAvailable() {
        let inspector = Inspector(
            connector: FakeConnector(nodes: ["node:1": Self.node(id: "1", agreement: nil)]), seeds: ["node:1"])
        let s = inspector.sample(now: 100)
        #expect(!s.agreementReported)
        #expect(s.converged, "\(s.verdict)")
        #expect(TextReport.render(s).contains("n/a (nodes do not report HS.AGREEMENT)"))
    }

    @Test func aMemberAnsweringWithAnotherIDIsNamed_andAnUnreachableOneToo() {
        let first = FakeNode([
            "INFO": bulk("node_id:1\r\n"),
            "HS.MEMBERS": .array(
                [("1", "node:1"), ("2", "node:2"), ("3", "node:3")].map { id, address in
                    .array([bulk("id"), bulk(id), bulk("address"), bulk(address), bulk("status"), bulk("alive")])
                }),
            "HS.STATS": .array([]), "HS.DIGEST": .array([bulk("00")]),
        ])
        let impostor = Self.node(id: "9", agreement: nil)
        let inspector = Inspector(
            connector: FakeConnector(nodes: ["node:1": first, "node:2": impostor]), seeds: ["node:1"])
        let s = inspector.sample(now: 0)
        #expect(!s.converged)
        #expect(s.problems.contains { $0.contains("answers as node 9, not member 2") }, "\(s.problems)")
        #expect(s.problems.contains { $0.contains("node 3") && $0.contains("unreachable") }, "\(s.problems)")
        #expect(s.verdict.contains("2 nodes could not be inspected"), "\(s.verdict)")
    }
}
