/// Everything one sample found, ready for the text, JSON and HTML renderers.
public struct Snapshot: Codable, Sendable {
    /// Seconds since the Unix epoch (or since the simulation began), and since the first sample.
    public var time: Double
    public var elapsed: Double
    public var seed: String
    public var nodes: [NodeStatus]
    public var membership: MembershipMatrix
    public var partitionCount: Int
    public var replicationFactor: Int
    public var partitions: [PartitionStatus]
    public var divergentKeys: Int
    public var divergentPartitions: Int
    public var unknownPartitions: Int
    public var hotPartitions: [Int]
    /// Whether the nodes report HS.AGREEMENT (false: "n/a").
    public var agreementReported: Bool
    public var keysWithSiblings: Int
    public var siblingKeys: [KeySiblings]
    public var hintsPendingByOwner: [String: Int64]
    public var hintsPending: Int64
    public var antiEntropy: ActivityTotals
    public var partitionDetail: PartitionDetail?
    public var problems: [String]
    public var converged: Bool
    public var verdict: String
}

public struct NodeStatus: Codable, Sendable {
    public var id: String
    public var address: String
    public var reachable: Bool
    public var problem: String?
    public var keys: Int64?
    public var requests: Int64?
    /// Partitions this node replicates per the ring.
    public var replicaOf: Int
    public var hintsPending: Int64
    public var exchangesFinished: Int64
    public var objectsMerged: Int64
    public var readRepairs: Int64
    /// HS.STATS `used_memory` and `evicted_keys` (nil from a node that does not report them).
    public var usedMemory: Int64? = nil
    public var evictedKeys: Int64? = nil
}

/// Rows are observers (reachable nodes), columns subjects (every member anyone knows);
/// a cell is the status the observer gives the subject, "-" when it does not know it.
public struct MembershipMatrix: Codable, Sendable {
    public var observers: [String]
    public var subjects: [String]
    public var cells: [[String]]
    /// Subjects that observers see differently.
    public var disagreements: [String]
}

public struct PartitionStatus: Codable, Sendable {
    public var partition: Int
    public var replicas: [String]
    /// true: every replica has the same Merkle root; false: they differ; nil: some replica
    /// did not answer.
    public var agree: Bool?
    /// Keys whose digests differ between reachable replicas (nil when not walked).
    public var divergentKeys: Int?
    public var keys: Int64?
    public var requests: Int64?
    public var hot: Bool
    /// Seconds since this inspector last saw the replicas' roots agree (nil: not yet seen).
    public var sinceAgreed: Double?
    /// Seconds since every pair of its replicas last ended an exchange in agreement, as the
    /// nodes report it (HS.AGREEMENT; nil when a node does not report it, or a pair never agreed).
    public var sinceExchangeAgreed: Double?
    public var exchangeNeverAgreed: Bool?
}

public struct KeySiblings: Codable, Sendable, Equatable {
    public var key: String
    public var siblings: Int
}

public struct ActivityTotals: Codable, Sendable {
    public var exchangesStarted: Int64
    public var exchangesFinished: Int64
    public var exchangesAborted: Int64
    public var objectsMerged: Int64
    public var objectsSent: Int64
    public var readRepairs: Int64
    public var hintsReplayed: Int64
    public var hintsStored: Int64
}

/// `--partition P`: every key any replica holds, and each replica's version of it.
public struct PartitionDetail: Codable, Sendable {
    public var partition: Int
    public var replicas: [String]
    public var keys: [KeyVersions]
    public var note: String?
}

public struct KeyVersions: Codable, Sendable {
    public var key: String
    public var differs: Bool
    /// Per replica id: "digest type siblings version", or nil where the replica lacks the key.
    public var byReplica: [String: String?]
}
