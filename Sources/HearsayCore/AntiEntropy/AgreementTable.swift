/// When each partition last ended an exchange with each of its other replicas in agreement
/// (`ExchangeSession.agreed`): what HS.AGREEMENT shows and what tombstone purging waits for.
///
/// Bounded by P x N records: each partition keeps one record per peer, and recording drops
/// the records of peers that are no longer among the partition's replicas.
public struct AgreementTable: Sendable {
    public struct Record: Equatable, Sendable {
        public var peer: NodeID
        /// When this node began the agreeing exchange, and when it ended (local time).
        public var startedAt: Instant
        public var endedAt: Instant
        /// This node's root of the partition when the exchange began.
        public var localRoot: UInt64
    }

    var byPartition: [[Record]]

    /// Forgets a partition's records (after this node handed it off and dropped it).
    mutating func removeAll(partition p: Int) { byPartition[p] = [] }

    public init(partitionCount: Int) {
        byPartition = Array(repeating: [], count: partitionCount)
    }

    /// The latest agreement of `partition` with `peer`, if any.
    public func record(partition: Int, peer: NodeID) -> Record? {
        byPartition[partition].first { $0.peer == peer }
    }

    /// Records an agreeing exchange, keeping the one that started last; `replicas` is the
    /// partition's current replica list (records of anyone else are dropped).
    mutating func record<C: Collection<NodeID>>(
        partition p: Int, peer: NodeID, startedAt: Instant, endedAt: Instant, localRoot: UInt64, replicas: C
    ) {
        byPartition[p].removeAll { !replicas.contains($0.peer) }
        guard replicas.contains(peer) else { return }
        let fresh = Record(peer: peer, startedAt: startedAt, endedAt: endedAt, localRoot: localRoot)
        if let i = byPartition[p].firstIndex(where: { $0.peer == peer }) {
            if byPartition[p][i].startedAt <= startedAt { byPartition[p][i] = fresh }
        } else {
            byPartition[p].append(fresh)
        }
    }

    /// Records held, over all partitions.
    public var count: Int { byPartition.reduce(0) { $0 + $1.count } }
}
