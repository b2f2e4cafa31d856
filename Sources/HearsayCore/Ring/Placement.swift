/// Where every partition lives: for each partition an ordered preference list
/// of nodes. The first `replicaCount` entries are its replicas (the first of
/// them the most preferred); the rest are fallbacks that take writes with a
/// hint while a replica is down (sloppy quorum), in the order they are tried.
///
/// A pure function of (member set, P, N): it does not depend on the order the
/// members are given in or on any earlier placement, so every node that sees
/// the same members computes the same ring.
///
/// Balance: every node holds floor(P*N/n) or ceil(P*N/n) replicas (exactly).
/// Replicas are the cheapest such assignment under rendezvous-hash costs (see
/// `BalancedAssignment`), so a membership change mostly moves replicas to or
/// from the node that changed; see `PlacementReport` for measured movement.
/// Fallbacks are the remaining members in rendezvous order.
public struct Placement: Sendable, Equatable {
    /// Members in ascending id order, without duplicates.
    public let members: [NodeID]
    public let partitionCount: PartitionCount
    /// The configured N.
    public let replicationFactor: Int
    /// min(N, members.count): a cluster smaller than N keeps a copy on every node.
    public let replicaCount: Int
    /// Entries per preference list: replicaCount plus the fallbacks kept.
    public let listLength: Int
    /// Row-major [partition * listLength + rank]; precomputed so a lookup allocates nothing.
    @usableFromInline let table: [NodeID]

    /// Keep every non-replica member as a fallback.
    public static let allFallbacks = Int.max

    /// - Parameters:
    ///   - members: the member set; order and duplicates do not matter.
    ///   - replicationFactor: N, at least 1.
    ///   - fallbackCount: how many fallbacks to keep after the replicas (capped by the members left).
    public init(
        members: some Sequence<NodeID>, partitionCount: PartitionCount = .default,
        replicationFactor: Int = 3, fallbackCount: Int = Placement.allFallbacks
    ) {
        precondition(replicationFactor >= 1, "replication factor must be at least 1, got \(replicationFactor)")
        precondition(fallbackCount >= 0, "fallback count must not be negative, got \(fallbackCount)")
        var sorted = Array(members)
        sorted.sort()
        var unique: [NodeID] = []
        unique.reserveCapacity(sorted.count)
        for node in sorted where unique.last != node { unique.append(node) }
        let n = unique.count
        let replicas = min(replicationFactor, n)
        self.members = unique
        self.partitionCount = partitionCount
        self.replicationFactor = replicationFactor
        self.replicaCount = replicas
        self.listLength = replicas + min(fallbackCount, n - replicas)
        self.table = Placement.buildTable(
            members: unique, partitions: partitionCount.value,
            replicas: replicas, listLength: listLength)
    }

    private static func buildTable(
        members: [NodeID], partitions: Int, replicas: Int,
        listLength: Int
    ) -> [NodeID] {
        let n = members.count
        guard n > 0 else { return [] }
        let seeds = members.map(RendezvousScore.nodeSeed)
        var scores = [UInt64](repeating: 0, count: partitions * n)
        var cost = [Int64](repeating: 0, count: partitions * n)
        for p in 0..<partitions {
            for v in 0..<n {
                let score = RendezvousScore.score(nodeSeed: seeds[v], partition: p)
                scores[p * n + v] = score
                cost[p * n + v] = Int64(score >> 32)
            }
        }
        let total = partitions * replicas
        var solver = BalancedAssignment(
            partitionCount: partitions, nodeCount: n, replicas: replicas,
            loadMinimum: total / n, loadMaximum: (total + n - 1) / n, cost: cost)
        solver.solve()
        var table: [NodeID] = []
        table.reserveCapacity(partitions * listLength)
        var order = Array(0..<n)
        for p in 0..<partitions {
            let row = p * n
            // Replicas first, each group in rendezvous order; ties by id keep it total.
            order.sort { a, b in
                let ra = solver.assigned[row + a]
                let rb = solver.assigned[row + b]
                if ra != rb { return ra }
                return (scores[row + a], a) < (scores[row + b], b)
            }
            for rank in 0..<listLength { table.append(members[order[rank]]) }
        }
        return table
    }

    /// The full preference list: replicas, then fallbacks. Allocates nothing.
    @inlinable
    public func preferenceList(for partition: PartitionID) -> ArraySlice<NodeID> {
        let start = partition.index * listLength
        return table[start..<start + listLength]
    }

    /// The first `replicaCount` entries of the preference list. Allocates nothing.
    @inlinable
    public func replicas(for partition: PartitionID) -> ArraySlice<NodeID> {
        let start = partition.index * listLength
        return table[start..<start + replicaCount]
    }

    /// Entry `rank` of the preference list (rank 0 is the preferred replica).
    @inlinable
    public func node(for partition: PartitionID, rank: Int) -> NodeID {
        precondition(rank >= 0 && rank < listLength, "rank \(rank) outside 0..<\(listLength)")
        return table[partition.index * listLength + rank]
    }

    @inlinable
    public func isReplica(_ node: NodeID, of partition: PartitionID) -> Bool {
        replicas(for: partition).contains(node)
    }

    /// Replicas held by each member, in `members` order.
    public func replicaLoads() -> [Int] {
        var loads = [Int](repeating: 0, count: members.count)
        for p in 0..<partitionCount.value {
            for node in replicas(for: PartitionID(p)) {
                if let i = Placement.index(of: node, in: members) { loads[i] += 1 }
            }
        }
        return loads
    }

    /// Partitions (ascending) of which `node` is a replica.
    public func partitions(replicatedOn node: NodeID) -> [PartitionID] {
        (0..<partitionCount.value).lazy.map(PartitionID.init).filter { isReplica(node, of: $0) }
    }

    static func index(of node: NodeID, in sorted: [NodeID]) -> Int? {
        var low = 0
        var high = sorted.count
        while low < high {
            let mid = (low + high) / 2
            if sorted[mid] < node { low = mid + 1 } else { high = mid }
        }
        return low < sorted.count && sorted[low] == node ? low : nil
    }
}
