/// What one node told the inspector in one sample. A node that could not be asked has a
/// `problem` and nothing else.
public struct NodeSample: Sendable {
    /// The address the inspector used (a client port) and the member id it expected there.
    public var address: String
    public var expectedID: String?
    public var problem: String?
    public var id: String?
    public var info: [String: String] = [:]
    public var members: [MemberEntry]?
    public var counters: [String: Int64] = [:]
    public var hintsByOwner: [String: [String: Int64]] = [:]
    public var roots: [String]?
    /// nil when the node does not know HS.PARTITIONS / HS.SIBLINGKEYS / HS.AGREEMENT.
    public var partitions: [PartitionLoad]?
    public var siblingKeys: [String: Int]?
    /// HS.AGREEMENT rows: partition, peer, milliseconds since the pair last agreed (-1 never).
    public var agreement: [(partition: Int, peer: String, milliseconds: Int64)]?
    public var ring: RingLayout?

    public var isReachable: Bool { problem == nil }

    /// Keys this node holds, from INFO keyspace: the sum of its databases' lines
    /// (db0:keys=N,..., db1:...).
    public var keyCount: Int64? {
        if info.isEmpty { return nil }
        var total: Int64 = 0
        for (name, line) in info where name.hasPrefix("db") && Int(name.dropFirst(2)) != nil {
            for part in line.split(separator: ",") where part.hasPrefix("keys=") {
                guard let keys = Int64(part.dropFirst(5)) else { return nil }
                total += keys
            }
        }
        return total
    }

    /// The commands of one sample, in the order `init(address:replies:)` reads them.
    static let commands: [[String]] = [
        ["INFO", "cluster", "keyspace"], ["HS.MEMBERS"], ["HS.STATS"], ["HS.DIGEST"], ["HS.PARTITIONS"],
        ["HS.SIBLINGKEYS", "10000"], ["HS.AGREEMENT"], ["HS.RING"],
    ]

    init(address: String, expectedID: String?, problem: String) {
        self.address = address
        self.expectedID = expectedID
        self.problem = problem
    }

    /// Parses the replies to `commands`; the first reply that has the wrong shape becomes the
    /// node's problem (optional commands a node does not know are left nil).
    init(address: String, expectedID: String?, replies: [RESPValue]) {
        self.address = address
        self.expectedID = expectedID
        func fail(_ what: String, _ reply: RESPValue) -> String {
            let shown = reply.errorText.map { "error '\($0)'" } ?? "a reply of another shape"
            return "answers \(what) with \(shown): not a Hearsay node?"
        }
        guard let info = NodeReplies.info(replies[0]), let id = info["node_id"] else {
            problem = fail("INFO cluster", replies[0])
            return
        }
        self.info = info
        self.id = id
        guard let members = NodeReplies.members(replies[1]) else {
            problem = fail("HS.MEMBERS", replies[1])
            return
        }
        self.members = members
        guard let stats = NodeReplies.stats(replies[2]) else {
            problem = fail("HS.STATS", replies[2])
            return
        }
        counters = stats.counters
        hintsByOwner = stats.hints
        guard let roots = NodeReplies.digests(replies[3]) else {
            problem = fail("HS.DIGEST", replies[3])
            return
        }
        self.roots = roots
        partitions = NodeReplies.partitions(replies[4])
        siblingKeys = NodeReplies.siblingKeys(replies[5])
        agreement = NodeReplies.agreement(replies[6])
        ring = NodeReplies.ring(replies[7])
        if let expectedID, expectedID != id {
            problem =
                "answers as node \(id), not member \(expectedID): a node of a different cluster, or a cluster port "
                + "that is not its client port + the offset (--cluster-port-offset)"
        }
    }

    /// Pending hints this node holds, per owner.
    public var pendingHints: [String: Int64] { hintsByOwner.compactMapValues { $0["pending"] } }
}
