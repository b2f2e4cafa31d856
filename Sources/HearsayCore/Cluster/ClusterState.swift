import RESP

/// A node's cluster side: its membership view and the placement computed from it.
public struct ClusterState {
    /// Boxed: inline, the settings made this struct 2 KB, and reading one field through
    /// `cluster!` copied all of it (two memcpys of 1.5 KB and more per coordinated request).
    private let settingsBox: Box<ClusterSettings>
    public var settings: ClusterSettings { settingsBox.value }
    public internal(set) var membership: Membership
    /// Reused buffer for the membership instance's effects.
    var membershipEffects: [MembershipEffect] = []
    /// The placement and routes as this node's view has them.
    public internal(set) var topology: Topology
    public var partitionCount: PartitionCount { topology.partitionCount }
    /// Peer frames that could not be decoded (counted, then dropped).
    public internal(set) var malformedFrames = 0
    /// Requests this node coordinates, by request id (bounded by settings.maxPendingRequests).
    var pending = PendingTable()
    /// A `.requestDeadlines` timer is set and has not fired yet.
    var deadlineSweepArmed = false
    /// When an exchange last found something to repair (see `antiEntropyTick`).
    var lastDifferenceAt: Instant?
    /// Partitions an exchange left unsettled, to exchange first (each once; at most P).
    var differingPartitions: [Int] = []
    var differingSet: Set<Int> = []

    mutating func notePartitionDiffers(_ partition: Int) {
        if differingSet.insert(partition).inserted { differingPartitions.append(partition) }
    }
    /// Reused to encode the object a coordinator replicates (see `replicate`).
    var encodeScratch = ByteWriter(capacity: 256)
    /// Reused by `runStored`: argument spans and the reply of a request run after its replicas.
    /// The reply buffer is taken out while in use (see `takeStoredReply`): swapping in a fresh
    /// placeholder cost two allocations per coordinated read.
    var storedSpans: [Int] = []
    var storedReply: ReplyBuffer? = ReplyBuffer(capacity: 256)
    /// Starts at a seeded random point below 2^40, so that answers still in flight to this
    /// node's previous life (a quick restart) do not match the new life's requests.
    var nextRequestID: UInt64 = 1
    /// Pre-reads in flight, counted by a hash of their key (see `Node+WriteOrder`); 32-bit
    /// counts, since up to `maxPendingRequests` (100,000) may share a slot.
    var preReadsInFlight = [UInt32](repeating: 0, count: 1024)
    public internal(set) var hints: HintStore
    /// Open anti-entropy exchanges, by peer, session id and role.
    var exchanges: [Node.ExchangeKey: ExchangeSession] = [:]
    var nextExchangeID: UInt64 = 1
    var nextExchangePartition = 0
    public internal(set) var antiEntropy = AntiEntropyStats()
    /// The byte budget of anti-entropy, and messages waiting for it (one per session at most).
    var exchangeRate: ByteRateLimit
    var deferredSends: [Node.ExchangeKey: ExchangeMessage] = [:]
    /// When each partition last agreed with each of its other replicas (HS.AGREEMENT).
    public internal(set) var agreements: AgreementTable
    /// Partitions this node holds data for but no longer replicates, since when it knows.
    var handoffSince: [Int: Instant] = [:]
    /// The partition the tombstone purge looks at first on its next tick (fairness).
    var nextPurgePartition = 0
    public internal(set) var replication = ReplicationStats()
    /// HS.FAULT's rules and the frames its delays hold.
    public internal(set) var faults = FaultInjector()
    /// The latest `now` an event brought, for effects taken without one (`takeEffects(into:)`).
    var lastEventTime = Instant.zero

    /// Whether this state came from `joinCluster` (a cluster of one that never joined keeps
    /// purging tombstones at once: no other replica can ever need them).
    public internal(set) var joined = false

    init(settings: ClusterSettings, partitionCount: Int, seed: UInt64, joined: Bool = false) {
        self.joined = joined
        settingsBox = Box(settings)
        membership = Membership(
            id: settings.nodeID, address: settings.address, incarnation: settings.incarnation,
            settings: settings.membership, seed: seed)
        topology = Topology(me: settings.nodeID, settings: settings, partitionCount: PartitionCount(partitionCount))
        hints = HintStore(limits: settings.hintLimits)
        agreements = AgreementTable(partitionCount: partitionCount)
        exchangeRate = ByteRateLimit(bytesPerSecond: settings.antiEntropyBytesPerSecond)
        membershipEffects.reserveCapacity(64)
        nextRequestID = 1 + (StableHash.combine(seed, 0x7265_7175_6573_7473) & ((1 << 40) - 1))
    }

    /// Lends out the reusable effects buffer, emptied (swap, so no copy and no allocation).
    mutating func takeMembershipEffects() -> [MembershipEffect] {
        var buffer: [MembershipEffect] = []
        swap(&buffer, &membershipEffects)
        buffer.removeAll(keepingCapacity: true)
        return buffer
    }

    mutating func returnMembershipEffects(_ buffer: [MembershipEffect]) { membershipEffects = buffer }

    /// The current placement (see `Topology`).
    public var placement: Placement { topology.placement }

    /// A connection's quorums. A node that founded its cluster (started without seeds)
    /// caps them by the replicas a partition has while the cluster is smaller than N, so a
    /// node run alone answers at the default quorums. A node that joins through seeds never
    /// caps: until it has learned the cluster it refuses (NOQUORUM) rather than acknowledge
    /// a write fewer nodes hold than the client asked for. Mutating only so that callers
    /// reach it through `cluster!` in place: a non-mutating call copied the whole state.
    mutating func quorums(_ session: ClientSession) -> (read: Int, write: Int) {
        let factor = settings.replicationFactor
        let replicas = settings.seeds.isEmpty ? max(1, min(factor, topology.placement.replicaCount)) : factor
        return (
            min(replicas, session.readQuorum > 0 ? session.readQuorum : settings.readQuorum),
            min(replicas, session.writeQuorum > 0 ? session.writeQuorum : settings.writeQuorum)
        )
    }

    var isAlone: Bool { topology.isAlone }

    /// Whether this node's view says `id` answers (itself always does).
    func isReachable(_ id: NodeID) -> Bool { topology.isReachable(id) }

    func address(of id: NodeID) -> String? { membership.member(id)?.address }
}
