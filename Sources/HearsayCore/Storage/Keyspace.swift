/// The node's in-memory keyspace: versioned entries in one hash table per partition,
/// Merkle leaf digests kept current on every change, lazy and active expiry, tombstones,
/// and byte accounting.
///
/// Keys are split by partition so that iteration (SCAN), repair and handoff walk one
/// partition at a time, and a SCAN cursor stays valid while keys come and go. Look-ups
/// borrow the caller's key bytes; only a new key (or a value outgrowing its box) allocates.
///
/// Bounds: keys, values, versions and tombstones count in `usedBytes`, which the store keeps
/// within `maxMemoryBytes` (0 = unbounded) by evicting or refusing writes (`Store.makeRoom`).
public struct Keyspace {
    public let partitionShift: UInt64
    @usableFromInline var partitions: [KeyTable]
    /// `leavesPerPartition` digests per partition: the sum of the causal digests of the keys
    /// whose hash falls in that leaf. Updated in O(1) on every change (subtract old, add new).
    public private(set) var leafDigests: [UInt64]
    public let leafBits: Int
    @usableFromInline var expiry: ExpiryHeap
    /// Entries, tombstones included.
    public private(set) var count: Int
    public private(set) var tombstoneCount: Int
    /// Estimated bytes held by keys and values: each entry's allocation with its allocator
    /// overhead, and the hash table slots the tables grew by (an empty keyspace's tables, a
    /// fixed few KiB, are not counted). The table never shrinks, so neither does that part.
    public private(set) var usedBytes: Int
    public var maxMemoryBytes: Int
    /// Whether a tombstone may be dropped as soon as it is made. True only while this node
    /// is the sole replica of everything; in a cluster tombstones wait for causal stability.
    public var purgesTombstonesAtOnce: Bool
    /// Keys removed or turned into tombstones by expiry.
    public private(set) var expiredCount = 0
    /// Tombstones in the order they were stored, per partition (see `purgeTombstones`): one
    /// queue for deletes' tombstones and one for eviction markers, whose grace is shorter.
    var tombstoneQueue: TombstoneQueue
    var markerQueue: TombstoneQueue
    /// Entries that are eviction markers now, and their footprint (part of `usedBytes`).
    public internal(set) var markerCount = 0
    public internal(set) var markerBytes = 0
    /// How long a tombstone is kept at least, in ms of local time since it was stored. A
    /// tombstone past it is *settled*: an exchange tells a replica that holds nothing for the
    /// key not to store it (see `isSettledTombstone`). Set from `ClusterSettings`.
    public var tombstoneGraceMilliseconds: Int64 = 4 * 3_600_000
    /// The same for eviction markers: an evicted value that comes back costs memory, not
    /// correctness, so its marker need not outlive hints as a delete's tombstone does.
    public var markerGraceMilliseconds: Int64 = 5_000
    /// Tombstones and eviction markers removed by `purgeTombstones`.
    public internal(set) var purgedTombstoneCount = 0
    public internal(set) var purgedMarkerCount = 0
    /// The last 4,096 purged or dropped markers (`MarkerGhosts`); how many values came back for
    /// their keys anyway (writes the marker had not seen: memory eviction has to free again;
    /// HS.STATS `evicted_keys_returned`), and how many removed copies came back and met the
    /// ghost instead, which stored the marker again (`eviction_markers_revived`).
    var markerGhosts = MarkerGhosts(capacity: 4_096)
    public internal(set) var evictedKeysReturned = 0
    /// Whether a key was ever stored under `Databases.marker` (another database, or an
    /// escaped key of database 0) since the last flush.
    var hasMarkedKeys = false
    public internal(set) var markersRevived = 0
    /// Bytes the marker ghosts hold (memory eviction cannot free).
    public var markerGhostBytes: Int { markerGhosts.bytes }
    /// Tests only: an eviction marker wins every merge (it replaces what the entry held, and
    /// nothing replaces it), so a test can show its checks catch an eviction that removes
    /// writes it had not seen.
    var sabotageMarkersReplaceEverything = false
    /// Markers dropped before every owner had agreed on them (`dropMarkerEarly`).
    public internal(set) var markersDroppedEarly = 0
    var markerDropCursor = 0
    /// How lookups record accesses in each entry's access bits (LRU or LFU, `AccessClock`).
    public var accessTracking = AccessTracking()
    /// Whether lookups record an access: false while a CLIENT NO-TOUCH client's command runs.
    public var recordsAccess = true
    /// The time of the latest lookup: a key that a write then creates starts from it.
    @usableFromInline var accessNow = Instant.zero
    /// xorshift64 state for the LFU counter's coin flips.
    @usableFromInline var accessRandom: UInt64 = 0x9E37_79B9_7F4A_7C15

    /// - Parameter partitionCount: a power of two (256 by default).
    public init(partitionCount: Int = 256, leavesPerPartition: Int = 64, maxMemoryBytes: Int = 0) {
        precondition(partitionCount > 0 && partitionCount & (partitionCount - 1) == 0, "partitions: power of two")
        precondition(
            leavesPerPartition > 0 && leavesPerPartition & (leavesPerPartition - 1) == 0, "leaves: power of two")
        partitionShift = UInt64(64 - partitionCount.trailingZeroBitCount)
        partitions = (0..<partitionCount).map { _ in KeyTable() }
        leafBits = leavesPerPartition.trailingZeroBitCount
        leafDigests = Array(repeating: 0, count: partitionCount * leavesPerPartition)
        expiry = ExpiryHeap()
        count = 0
        tombstoneCount = 0
        usedBytes = 0
        self.maxMemoryBytes = maxMemoryBytes
        purgesTombstonesAtOnce = true
        tombstoneQueue = TombstoneQueue(partitionCount: partitionCount, markers: false)
        markerQueue = TombstoneQueue(partitionCount: partitionCount, markers: true)
    }

    public var partitionCount: Int { partitions.count }
    public var leavesPerPartition: Int { 1 << leafBits }
    /// Keys with a visible or expired-but-unprocessed value (what DBSIZE shows).
    public var liveCount: Int { count - tombstoneCount }
    public var expiringCount: Int { expiry.liveCount }

    /// The partition of a key hash, exactly as placement computes it (`PartitionCount`):
    /// the top bits of the hash times 2^64/phi.
    @inlinable public func partition(ofHash hash: UInt64) -> Int {
        partitionShift == 64 ? 0 : Int(truncatingIfNeeded: (hash &* 0x9E37_79B9_7F4A_7C15) >> partitionShift)
    }

    /// The Merkle leaf of a key hash: the partition, then the mixed bits just below its bits.
    @inlinable public func leaf(ofHash hash: UInt64) -> Int {
        let mixed = hash &* 0x9E37_79B9_7F4A_7C15
        let partitionBits = 64 - Int(partitionShift)
        let within =
            leafBits == 0 ? 0 : Int(truncatingIfNeeded: (mixed << UInt64(partitionBits)) >> UInt64(64 - leafBits))
        return partition(ofHash: hash) << leafBits | within
    }

    /// The sum of a partition's leaf digests (its Merkle root is built over the leaves).
    public func leaves(ofPartition p: Int) -> ArraySlice<UInt64> {
        leafDigests[(p << leafBits)..<((p + 1) << leafBits)]
    }

    // MARK: Reading

    /// The entry for `key`, tombstones included, after applying expiry at `now` (an expired
    /// value becomes a tombstone, which may then be purged). Writes start here.
    /// The lookup records an access unless `touching` is false (OBJECT, TYPE, TTL, EXISTS, as
    /// in Redis) or `recordsAccess` is off.
    @inlinable
    public mutating func entry(_ key: KeyRef, now: Now, touching: Bool = true) -> EntryBox? {
        accessNow = now.monotonic
        let table = partitions[partition(ofHash: key.hash)]
        guard let slot = table.slot(of: key.bytes, hash: key.hash) else { return nil }
        let box = table.box(at: slot)
        let expires = box.header.expiresAtMilliseconds
        if expires != 0 && expires <= now.wall.milliseconds { return expire(box, now: now) }
        if touching && recordsAccess { touch(box, now: now.monotonic) }
        return box
    }

    /// Records one access in `box`'s access bits.
    @inlinable
    mutating func touch(_ box: EntryBox, now: Instant) {
        var random: UInt64 = 0
        if accessTracking.mode == .frequency {
            accessRandom ^= accessRandom << 13
            accessRandom ^= accessRandom >> 7
            accessRandom ^= accessRandom << 17
            random = accessRandom
        }
        box.header.access = AccessClock.touched(box.header.access, accessTracking, now: now, random: random)
    }

    /// The entry for `key` as stored, expired or not, changing nothing (checkers, digests).
    public func peek(_ key: KeyRef) -> EntryBox? {
        let table = partitions[partition(ofHash: key.hash)]
        return table.slot(of: key.bytes, hash: key.hash).map(table.box(at:))
    }

    /// `peek` for a caller that holds the keyspace mutably, on the hot paths: mutating only so
    /// that it is reached in place (through the non-mutating `peek` the 136-byte struct was
    /// copied first, on every read and write a replica answered).
    mutating func peekInPlace(_ key: KeyRef) -> EntryBox? {
        let table = partitions[partition(ofHash: key.hash)]
        return table.slot(of: key.bytes, hash: key.hash).map(table.box(at:))
    }

    /// The entry for `key` if it has a visible value at `now`.
    @inlinable
    public mutating func find(_ key: KeyRef, now: Now, touching: Bool = true) -> EntryBox? {
        guard let box = entry(key, now: now, touching: touching) else { return nil }
        switch box.header.state {
        case .string, .counter: return box
        case .tombstone: return nil
        case .extended: return box.header.extended!.object.exists(at: now.wall) ? box : nil
        }
    }

    // MARK: Writing

    /// Makes `key` a compact string register: one write `dot` with `value`.
    @discardableResult
    public mutating func putString(
        _ key: KeyRef, existing: EntryBox?, value: UnsafeRawBufferPointer,
        expiresAt: Int64, dot: Dot, timestamp: HybridTimestamp
    ) -> EntryBox {
        update(key, existing: existing, valueCapacity: value.count) { box in
            box.header.state = .string
            box.header.extended = nil
            box.header.writer = dot.node.rawValue
            box.header.counter = dot.counter
            box.header.timestamp = timestamp
            box.header.expiresAtMilliseconds = expiresAt
            box.storeValue(value)
        }
    }

    /// Makes `key` a compact counter: one chain entry of `dot.node`.
    @discardableResult
    public mutating func putCounter(
        _ key: KeyRef, existing: EntryBox?, origin: UInt64, net: Int64,
        expiresAt: Int64, dot: Dot, timestamp: HybridTimestamp
    ) -> EntryBox {
        update(key, existing: existing, valueCapacity: 16) { box in
            box.header.state = .counter
            box.header.extended = nil
            box.header.writer = dot.node.rawValue
            box.header.counter = dot.counter
            box.header.timestamp = timestamp
            box.header.expiresAtMilliseconds = expiresAt
            box.storeCounter(origin: origin, net: net)
        }
    }

    /// Makes `key` a compact tombstone remembering `dot` (DEL of a compact key), or removes
    /// it at once when tombstones need not wait.
    /// `now.monotonic` is when the tombstone is stored, from which its grace period runs.
    @discardableResult
    public mutating func putTombstone(_ key: KeyRef, existing: EntryBox?, dot: Dot, now: Now) -> EntryBox? {
        if purgesTombstonesAtOnce {
            if let existing { remove(existing) }
            return nil
        }
        let previous = existing.flatMap(Keyspace.tombstoneState)
        let box = update(key, existing: existing, valueCapacity: 0) { box in
            box.header.state = .tombstone
            box.header.extended = nil
            box.header.writer = dot.node.rawValue
            box.header.counter = dot.counter
            box.header.timestamp = .zero
            box.header.expiresAtMilliseconds = 0
            box.header.valueCount = 0
        }
        noteTombstone(box, existing: existing, previous: previous, now: now.monotonic.milliseconds)
        return box
    }

    /// Stores any object, in compact form when it has one. Returns the entry, or nil when
    /// the object is a tombstone that was purged at once.
    @discardableResult
    public mutating func putObject(
        _ key: KeyRef, existing: EntryBox?, object: StoredObject,
        now: Now
    ) -> EntryBox? {
        switch CompactObject.form(of: object) {
        case .string(let dot, let timestamp, let expiresAt, let value)?:
            return value.withUnsafeBytes {
                putString(key, existing: existing, value: $0, expiresAt: expiresAt, dot: dot, timestamp: timestamp)
            }
        case .counter(let dot, let timestamp, let expiresAt, let origin, let net)?:
            return putCounter(
                key, existing: existing, origin: origin, net: net, expiresAt: expiresAt,
                dot: dot, timestamp: timestamp)
        case .tombstone(let dot)?:
            return putTombstone(key, existing: existing, dot: dot, now: now)
        case nil:
            // The empty object (nothing written, nothing deleted: what a read of an absent or
            // purged key merges to) needs no entry, and an entry of it would be a difference
            // between replicas that no exchange could settle.
            if object.isBottom || (object.isTombstone && purgesTombstonesAtOnce) {
                if let existing { remove(existing) }
                return nil
            }
            let previous = existing.flatMap(Keyspace.tombstoneState)
            let visibleExpiry =
                object.expiry(at: now.wall).map { CompactObject.expiryMilliseconds($0.nanoseconds) } ?? 0
            let box = update(key, existing: existing, valueCapacity: 0) { box in
                box.header.state = .extended
                box.header.extended = ExtendedObject(object)
                box.header.expiresAtMilliseconds = visibleExpiry
                box.header.valueCount = 0
            }
            if object.isTombstone {
                noteTombstone(box, existing: existing, previous: previous, now: now.monotonic.milliseconds)
            }
            return box
        }
    }

    /// Removes an entry outright (tombstone purge, FLUSHALL, a sole replica's DEL).
    public mutating func remove(_ box: EntryBox) {
        let table = partitions[partition(ofHash: box.hash)]
        guard let slot = box.withKey({ table.slot(of: $0, hash: box.hash) }) else { return }
        leafDigests[leaf(ofHash: box.hash)] &-= EntryDigest.digest(box)
        table.remove(at: slot)
        box.header.isLive = false
        if box.header.isEvictionMarker {
            markerCount -= 1
            markerBytes -= box.footprint
        }
        if box.header.expiresAtMilliseconds != 0 { expiry.liveCount -= 1 }
        count -= 1
        usedBytes -= box.footprint
        if Keyspace.isTombstone(box) {
            tombstoneCount -= 1
            tombstoneQueue.compactIfSparse(tombstones: tombstoneCount)
            markerQueue.compactIfSparse(tombstones: tombstoneCount)
        }
    }

    /// Whether an entry holds no surviving write (compact or extended).
    @inlinable
    public static func isTombstone(_ box: EntryBox) -> Bool {
        switch box.header.state {
        case .tombstone: return true
        case .string, .counter: return false
        case .extended: return box.header.extended!.object.isTombstone
        }
    }

    /// Removes every key.
    public mutating func removeAll() {
        for p in partitions.indices {
            partitions[p].forEachBox { $0.header.isLive = false }
            partitions[p] = KeyTable()
        }
        for i in leafDigests.indices { leafDigests[i] = 0 }
        expiry = ExpiryHeap()
        tombstoneQueue.removeAll()
        markerQueue.removeAll()
        markerCount = 0
        markerBytes = 0
        markerGhosts.removeAll()
        hasMarkedKeys = false
        count = 0
        tombstoneCount = 0
        usedBytes = 0
    }

    /// Unused value bytes an entry may keep when a write shrinks it: past this the entry moves
    /// to a smaller box, so a tombstone (an eviction's above all) frees its value's memory.
    static let slackBytesKept = 32

    /// The common step of every write: reuses `existing` when the value fits without more
    /// than `slackBytesKept` to spare (else moves to a box of the right size), runs `write`,
    /// then brings the leaf digest, byte count, tombstone count and expiry heap up to date.
    @usableFromInline
    mutating func update(
        _ key: KeyRef, existing: EntryBox?, valueCapacity: Int,
        _ write: (EntryBox) -> Void
    ) -> EntryBox {
        var oldDigest: UInt64 = 0
        var oldFootprint = 0
        var oldExpiry: Int64 = 0
        let box: EntryBox
        if let existing {
            oldDigest = EntryDigest.digest(existing)
            oldFootprint = existing.footprint
            oldExpiry = existing.header.expiresAtMilliseconds
            if Keyspace.isTombstone(existing) { tombstoneCount -= 1 }
            if valueCapacity <= existing.valueCapacity
                && existing.valueCapacity - valueCapacity <= Keyspace.slackBytesKept
            {
                box = existing
            } else {
                box = EntryBox.make(
                    key: key.bytes, hash: key.hash, valueCapacity: valueCapacity, access: existing.header.access)
                partitions[partition(ofHash: key.hash)].insert(box)
                existing.header.isLive = false
            }
        } else {
            box = EntryBox.make(
                key: key.bytes, hash: key.hash, valueCapacity: valueCapacity,
                access: AccessClock.initial(accessTracking, now: accessNow))
            let table = partitions[partition(ofHash: key.hash)]
            let slotsBefore = table.slotCount
            table.insert(box)
            if key.bytes.count > 0 && key.bytes[0] == 0xFF { hasMarkedKeys = true }
            usedBytes += (table.slotCount - slotsBefore) * KeyTable.bytesPerSlot
            count += 1
        }
        let wasTombstone = existing.map(Keyspace.isTombstone) ?? false
        // A marker stays one while the entry stays a tombstone (`setEvictionMarker` changes it).
        let wasMarker = existing?.header.isEvictionMarker ?? false
        if let existing, box !== existing { existing.header.isEvictionMarker = false }
        box.header.isEvictionMarker = wasMarker
        write(box)
        leafDigests[leaf(ofHash: key.hash)] &+= EntryDigest.digest(box) &- oldDigest
        usedBytes += box.footprint - oldFootprint
        if wasMarker { markerBytes += box.footprint - oldFootprint }
        if Keyspace.isTombstone(box) {
            tombstoneCount += 1
        } else if wasTombstone {
            if wasMarker {
                box.header.isEvictionMarker = false
                markerCount -= 1
                markerBytes -= box.footprint
            }
            tombstoneQueue.compactIfSparse(tombstones: tombstoneCount)
            markerQueue.compactIfSparse(tombstones: tombstoneCount)
        }
        let newExpiry = box.header.expiresAtMilliseconds
        if oldExpiry != 0 { expiry.liveCount -= 1 }
        if newExpiry != 0 {
            expiry.liveCount += 1
            if newExpiry != oldExpiry || box !== existing { expiry.push(newExpiry, box) }
        }
        return box
    }

    // MARK: Expiry

    /// Applies expiry to an entry whose visible expiry has passed: its expired writes are
    /// dropped (a compact value becomes a tombstone). Returns the entry, or nil if purged.
    @usableFromInline
    mutating func expire(_ box: EntryBox, now: Now) -> EntryBox? {
        expiredCount += 1
        let key = box.withKey { Array($0) }
        return key.withUnsafeBytes { bytes -> EntryBox? in
            let ref = KeyRef(bytes, hash: box.hash)
            switch box.header.state {
            case .string, .counter:
                let dot = Dot(node: NodeID(box.header.writer), counter: box.header.counter)
                return putTombstone(ref, existing: box, dot: dot, now: now)
            case .tombstone:
                return box
            case .extended:
                var object = box.header.extended!.object
                object.purgeExpired(at: now.wall)
                return putObject(ref, existing: box, object: object, now: now)
            }
        }
    }

    /// Active expiry: handles keys whose time has come, at most `budget` per call, so a
    /// mass expiry never stalls the loop. Returns how many were handled.
    public mutating func expireDue(now: Now, budget: Int) -> Int {
        var handled = 0
        let wall = now.wall.milliseconds
        while handled < budget, let top = expiry.peek(), top.at <= wall {
            expiry.pop()
            let box = top.box
            guard box.header.isLive, box.header.expiresAtMilliseconds == top.at else { continue }
            _ = expire(box, now: now)
            handled += 1
        }
        expiry.compactIfSparse()
        return handled
    }

    // MARK: Iteration

    /// Calls `body` with every entry of `partition` that has a visible value at `now`.
    public func forEachKey(inPartition partition: Int, now: WallTime, _ body: (EntryBox) -> Void) {
        let wall = now.milliseconds
        partitions[partition].forEachBox { box in
            let e = box.header.expiresAtMilliseconds
            if e != 0 && e <= wall { return }
            switch box.header.state {
            case .string, .counter: body(box)
            case .tombstone: return
            case .extended: if box.header.extended!.object.exists(at: now) { body(box) }
            }
        }
    }

    /// Calls `body` with every entry of `partition`, tombstones included (repair, digests).
    public func forEachEntry(inPartition partition: Int, _ body: (EntryBox) -> Void) {
        partitions[partition].forEachBox(body)
    }

    public func keyCount(inPartition partition: Int) -> Int { partitions[partition].count }

    /// A random entry with a visible value, or nil if there is none.
    public func randomEntry<G: RandomNumberGenerator>(now: WallTime, using rng: inout G) -> EntryBox? {
        guard liveCount > 0 else { return nil }
        for _ in 0..<(partitions.count * 4) {
            let p = Int.random(in: 0..<partitions.count, using: &rng)
            let table = partitions[p]
            guard let box = table.entry(nearSlot: Int.random(in: 0..<table.slotCount, using: &rng)) else { continue }
            let e = box.header.expiresAtMilliseconds
            guard e == 0 || e > now.milliseconds else { continue }
            switch box.header.state {
            case .string, .counter: return box
            case .tombstone: continue
            case .extended: if box.header.extended!.object.exists(at: now) { return box }
            }
        }
        return nil
    }
}

/// A key as a request names it: borrowed bytes and their `KeyHash`, computed once.
public struct KeyRef {
    public var bytes: UnsafeRawBufferPointer
    public var hash: UInt64
    @inlinable @inline(__always) public init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
        self.hash = KeyHash.hash(bytes)
    }
    @inlinable public init(_ bytes: UnsafeRawBufferPointer, hash: UInt64) {
        self.bytes = bytes
        self.hash = hash
    }
}
