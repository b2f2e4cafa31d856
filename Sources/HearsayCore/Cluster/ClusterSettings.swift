/// How a node takes part in a cluster. The command line of `hearsay server` fills these.
public struct ClusterSettings: Sendable {
    /// This node's stable identity (kept across restarts by passing the same `--node-id`).
    public var nodeID: NodeID
    /// Where peers reach this node: "host:clusterPort" (TCP for streams, UDP for datagrams).
    public var address: String
    /// Peers to join through ("host:clusterPort"); empty starts a new cluster.
    public var seeds: [String] = []
    /// Incarnation to start at. A restarted node passes a larger one than it ever used
    /// (the runtime uses its start time in milliseconds), so it need not refute first.
    public var incarnation: UInt64 = 0
    /// SWIM timing and bounds.
    public var membership: MembershipSettings = .lan
    /// Replicas per partition (N).
    public var replicationFactor: Int = 3

    public init(nodeID: NodeID, address: String) {
        self.nodeID = nodeID
        self.address = address
    }
}
