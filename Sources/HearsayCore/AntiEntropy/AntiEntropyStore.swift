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
    /// idempotent), so a repeated or reordered delivery changes nothing. `marker`: the object
    /// is an eviction's tombstone (`Keyspace.merge`).
    mutating func mergeFromReplica(key: [UInt8], object: StoredObject, marker: Bool, now: Now)
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
    public mutating func mergeFromReplica(key: [UInt8], object: StoredObject, marker: Bool, now: Now) {
        _ = merge(key: key, object, marker: marker, now: now)
    }

    /// Joins `remote` into `key`'s entry and returns the joined object, or nil when the
    /// entry already covered it (nothing written, so no digest moves).
    ///
    /// An eviction marker (`remote` is one when `marker`) is a tombstone that may be purged
    /// sooner than a delete's: the joined entry, if a tombstone, is a marker when either side
    /// was one and neither side was a delete's tombstone, for a delete's context must outlive
    /// the copies it removed. (Which of the two a tombstone is decides only how long it waits.)
    mutating func merge(key: [UInt8], _ remote: StoredObject, marker: Bool = false, now: Now) -> StoredObject? {
        key.withUnsafeBytes { raw in
            let ref = KeyRef(raw)
            let entry = self.entry(ref, now: now)
            // A marker is not stored where the key is absent: it has nothing to remove there,
            // and storing it anew would restart its grace (replicas purging a marker in turn
            // would pass it round for ever).
            if marker && entry == nil { return nil }
            let localTombstone = entry.map(Keyspace.isTombstone) ?? false
            let localMarker = entry?.header.isEvictionMarker ?? false
            var local = entry.map(CompactObject.materialize) ?? StoredObject()
            // Where the key is absent because its marker went, what comes back meets the marker.
            let ghost = entry == nil && !remote.isTombstone ? markerGhosts.take(ref.hash) : nil
            if let ghost { local = ghost }
            let before = local
            if sabotageMarkersReplaceEverything && (marker || localMarker) {
                if marker { local = remote }
            } else {
                local.merge(remote)
            }
            let changed = entry == nil || local != before
            let box = changed ? putObject(ref, existing: entry, object: local, now: now) : entry
            if ghost != nil, let box {
                if Keyspace.isTombstone(box) { markersRevived += 1 } else { evictedKeysReturned += 1 }
            }
            if let box, Keyspace.isTombstone(box) {
                let deleteSeen = (localTombstone && !localMarker) || (remote.isTombstone && !remote.isBottom && !marker)
                setEvictionMarker(
                    box, (marker || localMarker || ghost != nil) && !deleteSeen, now: now.monotonic.milliseconds)
            }
            return changed ? local : nil
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
    public mutating func mergeFromReplica(key: [UInt8], object: StoredObject, marker: Bool, now: Now) {
        mergeRemote(key, object, marker: marker, now: now)
    }
    public func holds(key: [UInt8]) -> Bool { keyspace.holds(key: key) }
    public func isSettledTombstone(_ box: EntryBox, now: Instant) -> Bool {
        keyspace.isSettledTombstone(box, now: now)
    }
}
