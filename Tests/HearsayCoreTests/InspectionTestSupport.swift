import HearsayTestSupport
import RESP

@testable import HearsayCore

extension CommandHarness {
    /// A harness whose node is a cluster member of a cluster of one: commands run locally as
    /// on a single node, but tombstones are kept (as on every cluster node).
    static func clustered(settings: NodeSettings = NodeSettings(), faults: Bool = false) -> CommandHarness {
        var harness = CommandHarness(settings: settings)
        var cluster = ClusterSettings(nodeID: NodeID(0xA1), address: "10.0.0.1:17379")
        cluster.faultInjectionEnabled = faults
        harness.node.joinCluster(cluster)
        // Tombstones stay as on a member of a larger cluster (a member alone drops them at once).
        harness.node.store.keyspace.purgesTombstonesAtOnce = false
        return harness
    }

    /// The partition of `key` on this node.
    func partition(of key: String) -> Int { node.keyspace.partition(ofHash: StableHash.hash(key)) }

    /// The Merkle leaf (0..<64) of `key` within its partition.
    func leaf(of key: String) -> Int {
        node.keyspace.leaf(ofHash: StableHash.hash(key)) & (node.keyspace.leavesPerPartition - 1)
    }

    /// Runs a command and parses its reply (an unparsable reply becomes an error value).
    mutating func value(_ words: String...) -> RESPTestValue {
        let text = run(words)
        return RESPTestValue.parse(text) ?? .error("unparsable reply: \(text)")
    }

    /// `count` keys named `prefix-i` that fall in partition `partition`.
    func keys(inPartition partition: Int, count: Int, prefix: String = "k") -> [String] {
        var found: [String] = []
        var i = 0
        while found.count < count {
            let key = "\(prefix)-\(i)"
            if self.partition(of: key) == partition { found.append(key) }
            i += 1
        }
        return found
    }
}
