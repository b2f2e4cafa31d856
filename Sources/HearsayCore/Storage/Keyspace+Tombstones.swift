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
            queue(box, storedAt: previous.storedAt)
            return
        }
        box.header.timestamp = HybridTimestamp(rawValue: UInt64(bitPattern: now))
        queue(box, storedAt: now)
    }

    /// Queues tombstone `box` for purging in the queue of its kind.
    private mutating func queue(_ box: EntryBox, storedAt: Int64) {
        let p = partition(ofHash: box.hash)
        if box.header.isEvictionMarker {
            markerQueue.push(storedAt, box, partition: p)
            markerQueue.compactIfSparse(tombstones: tombstoneCount)
        } else {
            tombstoneQueue.push(storedAt, box, partition: p)
            tombstoneQueue.compactIfSparse(tombstones: tombstoneCount)
        }
    }

    /// Whether `box` is a tombstone whose grace period (a marker's, if it is one) has passed
    /// at `now`.
    public func isSettledTombstone(_ box: EntryBox, now: Instant) -> Bool {
        !purgesTombstonesAtOnce && Keyspace.isTombstone(box)
            && Keyspace.tombstoneStoredAt(box) &+ grace(markers: box.header.isEvictionMarker) <= now.milliseconds
    }

    public func grace(markers: Bool) -> Int64 { markers ? markerGraceMilliseconds : tombstoneGraceMilliseconds }

    /// Makes tombstone `box` an eviction marker, or an ordinary tombstone again, stamped with
    /// `now` (ms) and queued with its kind. Changing nothing when it already is that kind.
    mutating func setEvictionMarker(_ box: EntryBox, _ marker: Bool, now: Int64) {
        guard box.header.isLive, Keyspace.isTombstone(box), box.header.isEvictionMarker != marker else { return }
        box.header.isEvictionMarker = marker
        markerCount += marker ? 1 : -1
        markerBytes += marker ? box.footprint : -box.footprint
        box.header.timestamp = HybridTimestamp(rawValue: UInt64(bitPattern: now))
        queue(box, storedAt: now)
    }

    /// Whether the store holds anything (a value or a tombstone) for `key`.
    public func holds(key: [UInt8]) -> Bool {
        key.withUnsafeBytes { peek(KeyRef($0)) != nil }
    }

    /// Items in the tombstone and marker queues (stale ones included): each at most 2x the
    /// tombstones + 1,024.
    public var queuedTombstoneItems: Int { tombstoneQueue.count + markerQueue.count }

    /// The store time of partition `p`'s oldest tombstone (or eviction marker), if any.
    public mutating func oldestTombstone(inPartition p: Int, markers: Bool = false) -> Instant? {
        let head = markers ? markerQueue.head(ofPartition: p) : tombstoneQueue.head(ofPartition: p)
        return head.map { Instant(milliseconds: $0.storedAt) }
    }

    /// Drops one eviction marker before its time, the oldest of the next partition that has
    /// any (partitions taken in turn): for when markers crowd out the data under maxmemory. The
    /// value it removed may come back from a replica the marker had not reached, which costs
    /// memory again (`evictedKeysReturned` counts it). False when there is no marker.
    public mutating func dropMarkerEarly() -> Bool {
        guard markerCount > 0 else { return false }
        for k in 0..<partitionCount {
            let p = (markerDropCursor + k) % partitionCount
            guard let item = markerQueue.head(ofPartition: p) else { continue }
            markerQueue.popHead(ofPartition: p)
            markerGhosts.insert(item.box.hash, marker: CompactObject.materialize(item.box))
            remove(item.box)
            markersDroppedEarly += 1
            markerDropCursor = (p + 1) % partitionCount
            return true
        }
        return false
    }

    /// Removes partition `p`'s tombstones (or eviction markers) stored strictly before
    /// `horizon`, oldest first, at most `budget` of them; stops at the first one stored at or
    /// after it. Returns how many were removed. Removal takes the key's digest out of its leaf.
    public mutating func purgeTombstones(
        inPartition p: Int, storedBefore horizon: Instant, budget: Int, markers: Bool = false
    ) -> Int {
        var purged = 0
        let horizonMilliseconds = horizon.milliseconds
        while purged < budget {
            let head = markers ? markerQueue.head(ofPartition: p) : tombstoneQueue.head(ofPartition: p)
            guard let item = head, item.storedAt < horizonMilliseconds else { break }
            if markers {
                markerQueue.popHead(ofPartition: p)
                markerGhosts.insert(item.box.hash, marker: CompactObject.materialize(item.box))
            } else {
                tombstoneQueue.popHead(ofPartition: p)
            }
            remove(item.box)
            purged += 1
        }
        if markers { purgedMarkerCount += purged } else { purgedTombstoneCount += purged }
        return purged
    }
}
