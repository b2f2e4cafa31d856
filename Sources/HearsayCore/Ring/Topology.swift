/// Where keys live as this node sees the cluster: the placement computed from its membership
/// view, which members answer, and per partition the routes replica traffic takes. The node
/// refreshes it after every membership change (`refresh`); placement is recomputed only when
/// the member set changed (a status change alone moves no partition), routes lazily, one
/// partition at a time.
public struct Topology {
    public let me: NodeID
    public let partitionCount: PartitionCount
    /// N, as configured.
    public let replicationFactor: Int
    let hintsEnabled: Bool
    /// Started without seeds: it founded its cluster (see `Coordinator.quorums`).
    let founder: Bool
    /// The current placement (members that have not left; down members keep their partitions).
    public private(set) var placement: Placement
    /// Members this node's view says answer (alive or suspect), itself included.
    private var reachable: Set<NodeID>
    /// Where each member in the view is reached (its cluster address).
    private var addresses: [NodeID: String] = [:]
    /// True while a founder knows no other member: it answers every key itself.
    public private(set) var isAlone: Bool
    /// Whether this node has learned its cluster (`Membership.isJoined`): until then its view
    /// may hold only some members, and its placement is not the cluster's.
    public internal(set) var joined: Bool
    /// Bumped on every refresh; routes computed before it are stale.
    private var version: UInt64 = 0
    /// Per partition, where replica traffic goes (see `PartitionRoutes`); nil until used.
    private var routeCache: [PartitionRoutes?]

    init(me: NodeID, settings: ClusterSettings, partitionCount: PartitionCount) {
        self.me = me
        self.partitionCount = partitionCount
        replicationFactor = settings.replicationFactor
        hintsEnabled = settings.hintsEnabled
        founder = settings.seeds.isEmpty
        placement = Placement(members: [me], partitionCount: partitionCount, replicationFactor: replicationFactor)
        reachable = [me]
        isAlone = founder
        joined = founder
        routeCache = Array(repeating: nil, count: partitionCount.value)
    }

    /// Takes in a membership change: the member set and who answers.
    mutating func refresh(_ view: [Member]) {
        version &+= 1
        let members = view.filter { $0.status != .left }.map(\.id).sorted()
        if members != placement.members {
            placement = Placement(
                members: members, partitionCount: partitionCount, replicationFactor: replicationFactor)
        }
        reachable = Set(view.filter { $0.status.isReachable }.map(\.id))
        reachable.insert(me)
        addresses = Dictionary(view.map { ($0.id, $0.address) }, uniquingKeysWith: { _, last in last })
        isAlone = founder && view.count <= 1
    }

    /// Whether this node's view says `id` answers (itself always does).
    public func isReachable(_ id: NodeID) -> Bool { reachable.contains(id) }

    /// The cluster address of member `id`, if the view holds it.
    func address(of id: NodeID) -> String? { addresses[id] }

    /// The routes of `partition`, from the cache unless membership changed since.
    mutating func routes(_ partition: PartitionID) -> PartitionRoutes {
        if let cached = routeCache[partition.index], cached.version == version { return cached }
        let all = writeTargets(partition)
        let fresh = PartitionRoutes(
            version: version,
            reachableOwners: placement.replicas(for: partition).filter { $0 != me && isReachable($0) },
            writeTargets: all.filter { $0.0 != me }, localHints: all.filter { $0.0 == me }.compactMap(\.1))
        routeCache[partition.index] = fresh
        return fresh
    }

    /// The nodes a write goes to besides this one: every reachable owner, and for each owner
    /// that is down the next reachable non-owner of the preference list, with a hint for it.
    /// A down owner left without a stand-in (a cluster no larger than N) gets its hint kept
    /// by the coordinator itself, as Cassandra's coordinators do.
    func writeTargets(_ partition: PartitionID) -> [(NodeID, NodeID?)] {
        let list = placement.preferenceList(for: partition)
        let n = placement.replicaCount
        var targets: [(NodeID, NodeID?)] = []
        var standIns = list.dropFirst(n).filter { $0 != me && isReachable($0) }.makeIterator()
        for owner in list.prefix(n) where owner != me {
            if isReachable(owner) {
                targets.append((owner, nil))
            } else if !hintsEnabled {
                continue
            } else if let standIn = standIns.next() {
                targets.append((standIn, owner))
            } else {
                targets.append((me, owner))
            }
        }
        return targets
    }
}
