/// Tombstone bookkeeping for purging by causal stability.
///
/// A tombstone's local store time (monotonic ms) lives in its header's `timestamp` word, which no
/// tombstone otherwise uses (a compact tombstone's digest and object ignore it). It is set
/// whenever an entry becomes a tombstone or its tombstone state changes (a merge that adds
/// dots), and kept when a merge changes nothing; each new time queues the entry once.
/// The node decides *when* a partition's tombstones are stable (Node+TombstonePurge); the
/// keyspace removes them oldest first.
extension Keyspace {
    /// The monotonic time (ms) a tombstone entry was stored at.
    @inlinable
    public static func tombstoneStoredAt(_ box: EntryBox) -> Int64 {
        Int64(bitPattern: box.header.timestamp.rawValue)
    }

    /// A tombstone entry's store time and causal digest (nil for a live entry).
    static func tombstoneState(_ box: EntryBox) -> (storedAt: Int64, digest: UInt64)? {
        isTombstone(box) ? (tombstoneStoredAt(box), EntryDigest.digest(box)) : nil
    }

    /// Stamps a freshly written tombstone with its store time and queues it, unless the write
    /// left the same tombstone state in place (then it keeps its original time).
    mutating func noteTombstone(
        _ box: EntryBox, existing: EntryBox?, previous: (storedAt: Int64, digest: UInt64)?, now: Int64
    ) {
        guard Keyspace.isTombstone(box) else { return }
        if let previous, previous.digest == EntryDigest.digest(box) {
            box.header.timestamp = HybridTimestamp(rawValue: UInt64(bitPattern: previous.storedAt))
            if box === existing { return }
            tombstoneQueue.push(previous.storedAt, box, partition: partition(ofHash: box.hash))
            return
        }
        box.header.timestamp = HybridTimestamp(rawValue: UInt64(bitPattern: now))
        tombstoneQueue.push(now, box, partition: partition(ofHash: box.hash))
        tombstoneQueue.compactIfSparse(tombstones: tombstoneCount)
    }

    /// Whether `box` is a tombstone whose grace period has passed at `now`.
    public func isSettledTombstone(_ box: EntryBox, now: Instant) -> Bool {
        !purgesTombstonesAtOnce && Keyspace.isTombstone(box)
            && Keyspace.tombstoneStoredAt(box) &+ tombstoneGraceMilliseconds <= now.milliseconds
    }

    /// Whether the store holds anything (a value or a tombstone) for `key`.
    public func holds(key: [UInt8]) -> Bool {
        key.withUnsafeBytes { peek(KeyRef($0)) != nil }
    }

    /// Items in the tombstone queues (stale ones included): at most 2x the tombstones + 1,024.
    public var queuedTombstoneItems: Int { tombstoneQueue.count }

    /// The store time of partition `p`'s oldest tombstone, if it has any.
    public mutating func oldestTombstone(inPartition p: Int) -> Instant? {
        tombstoneQueue.head(ofPartition: p).map { Instant(milliseconds: $0.storedAt) }
    }

    /// Removes partition `p`'s tombstones stored strictly before `horizon`, oldest first, at
    /// most `budget` of them; stops at the first one stored at or after it. Returns how many
    /// were removed. Removal takes the key's digest out of its leaf.
    public mutating func purgeTombstones(inPartition p: Int, storedBefore horizon: Instant, budget: Int) -> Int {
        var purged = 0
        let horizonMilliseconds = horizon.milliseconds
        while purged < budget, let item = tombstoneQueue.head(ofPartition: p), item.storedAt < horizonMilliseconds {
            tombstoneQueue.popHead(ofPartition: p)
            remove(item.box)
            purged += 1
        }
        purgedTombstoneCount += purged
        return purged
    }
}
