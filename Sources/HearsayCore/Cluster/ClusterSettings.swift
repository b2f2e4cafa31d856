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
    /// Replicas a read must hear from (R) and a write must be acknowledged by (W), counting
    /// the coordinator itself, unless a connection overrides them with HS.CONSISTENCY.
    public var readQuorum: Int = 2
    public var writeQuorum: Int = 2
    /// How long a coordinator waits for replicas (or a forwarded request) before failing it.
    public var requestTimeoutMilliseconds: Int64 = 1_000
    /// Requests a coordinator keeps in flight; past it new ones fail at once ("-BUSY").
    public var maxPendingRequests: Int = 100_000
    /// Bounds of the hints kept for down replicas.
    public var hintLimits = HintStore.Limits()
    /// How often hints are offered to owners that are alive, and resent if unacknowledged.
    public var hintReplayIntervalMilliseconds: Int64 = 1_000
    /// Whether writes for a down owner go to a stand-in with a hint (sloppy quorum). Off,
    /// such writes reach only the reachable owners and anti-entropy repairs the rest.
    public var hintsEnabled = true
    /// How often a node starts an anti-entropy exchange, in milliseconds (0 = never).
    public var antiEntropyIntervalMilliseconds: Int64 = 20
    /// Exchanges a node initiates at once.
    public var antiEntropyConcurrency = 16
    /// Exchanges a tick may start while exchanges keep finding differences (one otherwise).
    public var antiEntropyRepairBurst = 4
    /// Bounds and timeouts of one exchange.
    public var exchange = ExchangeSettings.lan
    /// Bytes per second anti-entropy may send (both roles; 0 = no limit). Exchanges defer
    /// their next message, and no new one starts, while the node's token bucket is empty.
    public var antiEntropyBytesPerSecond = 16 << 20
    /// A tombstone is purged only once every replica of its partition has agreed with this
    /// node in an exchange that began at least this long after the tombstone was stored here
    /// (local ms). MUST exceed the hints' maximum age (3 hours) plus the clock skew between
    /// nodes, and any delay a message can spend in flight (README, "Tombstones").
    public var tombstoneGraceMilliseconds: Int64 = 4 * 3_600_000
    /// The same wait for an eviction marker (a tombstone an eviction left): an evicted value
    /// that comes back costs memory, not a delete, so its marker need not outlive hints
    /// (README, "Using Hearsay as a cache").
    public var evictionMarkerGraceMilliseconds: Int64 = 5_000
    /// Tombstones purged per anti-entropy tick at most (the rest wait for the next tick).
    public var tombstonePurgeBudget = 1_000
    /// Hints sent to one owner per replay round (a budget, so replay never starves clients).
    public var hintReplayBatch: Int = 1_000
    /// Whether HS.FAULT may drop or delay this node's traffic with given peers (demos and
    /// tests; `hearsay server --enable-fault-injection`). Off, HS.FAULT is refused.
    public var faultInjectionEnabled = false

    public init(nodeID: NodeID, address: String) {
        self.nodeID = nodeID
        self.address = address
    }
}
