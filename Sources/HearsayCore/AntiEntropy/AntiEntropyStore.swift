/// What an exchange session needs from a replica's store: its leaf digests, a walk over one
/// partition's entries (tombstones included), and a CRDT merge of a remote object.
///
/// The session never holds the store: every call that touches data takes it `inout`, so the
/// node can keep sessions beside its keyspace and tests can use two plain keyspaces.
/// (riak_core's hashtree likewise takes a function to reach the data.)
public protocol AntiEntropyStore {
    var partitionCount: Int { get }
    var leavesPerPartition: Int { get }
    /// The global leaf of a key hash; its low `log2(leavesPerPartition)` bits are the leaf
    /// within the partition.
    func leaf(ofHash hash: UInt64) -> Int
    func leaves(ofPartition p: Int) -> ArraySlice<UInt64>
    /// Every entry of partition `p`, tombstones included, expired or not.
    func forEachEntry(inPartition p: Int, _ body: (EntryBox) -> Void)
    /// Joins `object` into this replica's copy of `key`. MUST be a CRDT merge (commutative,
    /// idempotent), so a repeated or reordered delivery changes nothing.
    mutating func mergeFromReplica(key: [UInt8], object: StoredObject, now: Now)
    /// Whether the store holds anything for `key`, a tombstone included.
    func holds(key: [UInt8]) -> Bool
    /// Whether `box` is a tombstone past its grace period (sent flagged as settled).
    func isSettledTombstone(_ box: EntryBox, now: Instant) -> Bool
}

extension AntiEntropyStore {
    /// The causal digest of an entry, as the leaf sums count it.
    @inline(__always)
    static func digest(_ box: EntryBox) -> UInt64 { EntryDigest.digest(box) }

    static func object(_ box: EntryBox) -> StoredObject { CompactObject.materialize(box) }
}

/// A bare keyspace as a store: tests, and any single-keyspace tool. A merge that changes
/// nothing writes nothing, so the leaf digests move only when the state does.
extension Keyspace: AntiEntropyStore {
    public mutating func mergeFromReplica(key: [UInt8], object: StoredObject, now: Now) {
        _ = merge(key: key, object, now: now)
    }

    /// Joins `remote` into `key`'s entry and returns the joined object, or nil when the
    /// entry already covered it (nothing written, so no digest moves).
    mutating func merge(key: [UInt8], _ remote: StoredObject, now: Now) -> StoredObject? {
        key.withUnsafeBytes { raw in
            let ref = KeyRef(raw)
            let entry = self.entry(ref, now: now)
            var local = entry.map(CompactObject.materialize) ?? StoredObject()
            let before = local
            local.merge(remote)
            guard entry == nil || local != before else { return nil }
            putObject(ref, existing: entry, object: local, now: now)
            return local
        }
    }
}

/// A node's store: its keyspace, and `mergeRemote`, which also advances the writer's dot
/// counter past anything merged. The node lends its store to a session for each turn.
extension Store: AntiEntropyStore {
    public var partitionCount: Int { keyspace.partitionCount }
    public var leavesPerPartition: Int { keyspace.leavesPerPartition }
    public func leaf(ofHash hash: UInt64) -> Int { keyspace.leaf(ofHash: hash) }
    public func leaves(ofPartition p: Int) -> ArraySlice<UInt64> { keyspace.leaves(ofPartition: p) }
    public func forEachEntry(inPartition p: Int, _ body: (EntryBox) -> Void) {
        keyspace.forEachEntry(inPartition: p, body)
    }
    public mutating func mergeFromReplica(key: [UInt8], object: StoredObject, now: Now) {
        mergeRemote(key, object, now: now)
    }
    public func holds(key: [UInt8]) -> Bool { keyspace.holds(key: key) }
    public func isSettledTombstone(_ box: EntryBox, now: Instant) -> Bool {
        keyspace.isSettledTombstone(box, now: now)
    }
}
