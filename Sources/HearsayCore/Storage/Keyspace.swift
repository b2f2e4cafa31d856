/// The node's in-memory keyspace: one hash set per partition, lazy and active
/// expiry, and byte accounting.
///
/// Keys are split by partition so that iteration (SCAN), repair and handoff can
/// walk one partition at a time, and a SCAN cursor stays valid while keys come
/// and go. Look-ups borrow the caller's key bytes; only inserting a new key allocates.
///
/// Bounds: the number of keys is bounded by `maxMemoryBytes` (0 = unbounded) and
/// writes that would exceed it fail with OOM, as Redis's `noeviction` policy does.
public struct Keyspace {
    public let partitionShift: UInt64
    @usableFromInline var partitions: [KeyTable]
    @usableFromInline var expiry: ExpiryHeap
    public private(set) var count: Int
    /// Estimated bytes held by keys and values, including per-entry overhead.
    public private(set) var usedBytes: Int
    public var maxMemoryBytes: Int

    /// - Parameter partitionCount: a power of two (256 by default).
    public init(partitionCount: Int = 256, maxMemoryBytes: Int = 0) {
        precondition(partitionCount > 0 && partitionCount & (partitionCount - 1) == 0, "partitions: power of two")
        partitionShift = UInt64(64 - partitionCount.trailingZeroBitCount)
        partitions = (0..<partitionCount).map { _ in KeyTable() }
        expiry = ExpiryHeap()
        count = 0
        usedBytes = 0
        self.maxMemoryBytes = maxMemoryBytes
    }

    public var partitionCount: Int { partitions.count }
    public var expiringCount: Int { expiry.liveCount }

    /// The partition of a key hash: its top bits (the bottom bits feed the hash set).
    @inlinable public func partition(ofHash hash: UInt64) -> Int {
        partitionShift == 64 ? 0 : Int(truncatingIfNeeded: hash >> partitionShift)
    }

    /// The live entry for `key`, removing it first if it has expired at `now`.
    @inlinable
    public mutating func find(_ key: KeyRef, now: Int64) -> EntryBox? {
        let table = partitions[partition(ofHash: key.hash)]
        guard let slot = table.slot(of: key.bytes, hash: key.hash) else { return nil }
        let box = table.box(at: slot)
        let expires = box.header.expiresAtMilliseconds
        if expires != 0 && expires <= now {
            removeStored(at: slot, table: table, box: box)
            return nil
        }
        return box
    }

    /// Whether a write of `additional` bytes fits under `maxMemoryBytes`.
    @inlinable public func hasRoom(for additional: Int) -> Bool {
        maxMemoryBytes == 0 || usedBytes + additional <= maxMemoryBytes
    }

    /// Stores `value` under `key` (overwriting in place when it fits) and sets its expiry
    /// (0 = none). Returns the entry.
    @discardableResult
    public mutating func store(_ key: KeyRef, value: UnsafeRawBufferPointer, expiresAt: Int64, now: Int64) -> EntryBox {
        if let box = find(key, now: now), value.count <= box.valueCapacity {
            box.storeValue(value)
            setExpiry(box, expiresAt)
            return box
        }
        let box = EntryBox.make(key: key.bytes, hash: key.hash, valueCapacity: value.count)
        box.storeValue(value)
        insert(box)
        setExpiry(box, expiresAt)
        return box
    }

    /// Grows `box` so that its value can take `needed` bytes, replacing it in the
    /// table; returns the box to use from now on (the same one if it already fits).
    public mutating func reserve(_ box: EntryBox, valueCapacity needed: Int) -> EntryBox {
        if needed <= box.valueCapacity { return box }
        let grown = box.withKey { key in
            EntryBox.make(key: key, hash: box.hash, valueCapacity: max(needed, box.valueCount * 2))
        }
        box.withValue { grown.storeValue($0) }
        let expires = box.header.expiresAtMilliseconds
        insert(grown)  // replaces the old box, which is marked dead
        setExpiry(grown, expires)
        return grown
    }

    /// Deletes `key`; true if it existed (and had not expired).
    @discardableResult
    public mutating func remove(_ key: KeyRef, now: Int64) -> Bool {
        guard let box = find(key, now: now) else { return false }
        let table = partitions[partition(ofHash: key.hash)]
        guard let slot = table.slot(of: key.bytes, hash: key.hash) else { return false }
        removeStored(at: slot, table: table, box: box)
        return true
    }

    /// Sets or clears (0) the absolute expiry of a live entry.
    public mutating func setExpiry(_ box: EntryBox, _ expiresAt: Int64) {
        let old = box.header.expiresAtMilliseconds
        if old == expiresAt { return }
        box.header.expiresAtMilliseconds = expiresAt
        if old != 0 { expiry.liveCount -= 1 }
        if expiresAt != 0 {
            expiry.liveCount += 1
            expiry.push(expiresAt, box)
        }
    }

    /// Removes every key.
    public mutating func removeAll() {
        for p in partitions.indices {
            partitions[p].forEach { $0.header.isLive = false }
            partitions[p] = KeyTable()
        }
        expiry = ExpiryHeap()
        count = 0
        usedBytes = 0
    }

    /// Active expiry: removes keys whose time has come, at most `budget` per call,
    /// so a mass expiry never stalls the loop. Returns how many were removed.
    public mutating func expireDue(now: Int64, budget: Int) -> Int {
        var removed = 0
        while removed < budget, let top = expiry.peek(), top.at <= now {
            expiry.pop()
            let box = top.box
            guard box.header.isLive, box.header.expiresAtMilliseconds == top.at else { continue }
            let table = partitions[partition(ofHash: box.hash)]
            if let slot = box.withKey({ table.slot(of: $0, hash: box.hash) }) {
                removeStored(at: slot, table: table, box: box)
                removed += 1
            }
        }
        expiry.compactIfSparse()
        return removed
    }

    // MARK: Iteration

    /// Calls `body` with every live key of `partition` (expired keys are skipped, not removed).
    public func forEachKey(inPartition partition: Int, now: Int64, _ body: (EntryBox) -> Void) {
        partitions[partition].forEach { box in
            let e = box.header.expiresAtMilliseconds
            if e == 0 || e > now { body(box) }
        }
    }

    public func keyCount(inPartition partition: Int) -> Int { partitions[partition].count }

    /// A random live entry, or nil if the keyspace is empty.
    public func randomEntry<G: RandomNumberGenerator>(now: Int64, using rng: inout G) -> EntryBox? {
        guard count > 0 else { return nil }
        for _ in 0..<(partitions.count * 4) {
            let p = Int.random(in: 0..<partitions.count, using: &rng)
            let table = partitions[p]
            guard let box = table.entry(nearSlot: Int.random(in: 0..<table.slotCount, using: &rng)) else { continue }
            let e = box.header.expiresAtMilliseconds
            if e == 0 || e > now { return box }
        }
        return nil
    }

    // MARK: Internals

    @usableFromInline
    mutating func insert(_ box: EntryBox) {
        if let oldBox = partitions[partition(ofHash: box.hash)].insert(box) {
            oldBox.header.isLive = false
            if oldBox.header.expiresAtMilliseconds != 0 { expiry.liveCount -= 1 }
            usedBytes -= oldBox.footprint
        } else {
            count += 1
        }
        usedBytes += box.footprint
    }

    @usableFromInline
    mutating func removeStored(at slot: Int, table: KeyTable, box: EntryBox) {
        table.remove(at: slot)
        box.header.isLive = false
        if box.header.expiresAtMilliseconds != 0 { expiry.liveCount -= 1 }
        count -= 1
        usedBytes -= box.footprint
    }
}

/// A key as a request names it: borrowed bytes and their StableHash, computed once.
public struct KeyRef {
    public var bytes: UnsafeRawBufferPointer
    public var hash: UInt64
    @inlinable public init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
        self.hash = StableHash.hash(bytes)
    }
}
