/// One partition's keys: an open-addressing hash table with linear probing,
/// keyed by the precomputed StableHash and compared with the key bytes.
///
/// It replaces `Set` because Swift's per-process-seeded SipHash of every probe was
/// a tenth of the instructions of a GET (callgrind), while the StableHash is already
/// computed for placement. Deletion shifts later entries back (no tombstones), so
/// probe lengths stay short under churn. Load factor at most 3/4.
///
/// A slot is one word, 8 bytes: the entry's address (x86-64 and arm64 user addresses fit in
/// 48 bits) with the top 16 bits of the key's hash above it, so a probe skips other keys
/// without touching their entries; 0 marks an empty slot. The table holds a strong
/// reference to each entry through its word (retained on insert, released on removal).
/// Two words a slot, hash and reference, had cost 16 bytes a slot: about 39 bytes a key at
/// the load a partition of a million-key node runs at.
public final class KeyTable {
    @usableFromInline var slots: UnsafeMutablePointer<UInt>
    @usableFromInline var mask: Int
    public private(set) var count = 0

    @usableFromInline static let addressBits: UInt = 48
    @usableFromInline static let addressMask: UInt = (1 << addressBits) - 1

    public init(capacity: Int = 8) {
        var size = 8
        while size < capacity { size <<= 1 }
        slots = .allocate(capacity: size)
        slots.initialize(repeating: 0, count: size)
        mask = size - 1
    }

    deinit {
        for i in 0...mask where slots[i] != 0 { KeyTable.release(slots[i]) }
        slots.deallocate()
    }

    public var slotCount: Int { mask + 1 }
    /// One word.
    public static let bytesPerSlot = MemoryLayout<UInt>.stride

    @inlinable @inline(__always)
    static func tag(_ hash: UInt64) -> UInt { UInt(truncatingIfNeeded: hash >> 48) }

    /// Where a hash's probe run starts.
    @inlinable @inline(__always)
    func home(_ hash: UInt64) -> Int { Int(truncatingIfNeeded: hash >> 1) & mask }

    @inlinable @inline(__always)
    static func entry(_ word: UInt) -> EntryBox {
        let address = UnsafeRawPointer(bitPattern: word & addressMask).unsafelyUnwrapped
        return Unmanaged<EntryBox>.fromOpaque(address).takeUnretainedValue()
    }

    /// Whether the entry of `word` has `key`, read without retaining it (the table's own
    /// reference keeps it alive): a probe costs no reference counting.
    @inlinable @inline(__always)
    static func holds(_ word: UInt, _ key: UnsafeRawBufferPointer, hash: UInt64) -> Bool {
        let address = UnsafeRawPointer(bitPattern: word & addressMask).unsafelyUnwrapped
        return Unmanaged<EntryBox>.fromOpaque(address)._withUnsafeGuaranteedRef { box in
            box.hash == hash && box.withKey { ByteEquality.equal($0, key) }
        }
    }

    /// The word for `box`, taking a reference to it.
    static func retainedWord(_ box: EntryBox) -> UInt {
        let address = UInt(bitPattern: Unmanaged.passRetained(box).toOpaque())
        precondition(address & ~addressMask == 0, "an entry's address above 48 bits")
        return tag(box.hash) << addressBits | address
    }

    /// Gives back the reference a word held, returning the entry.
    @discardableResult
    static func release(_ word: UInt) -> EntryBox {
        let address = UnsafeRawPointer(bitPattern: word & addressMask).unsafelyUnwrapped
        return Unmanaged<EntryBox>.fromOpaque(address).takeRetainedValue()
    }

    /// The slot holding `key`, or nil.
    @inlinable
    public func slot(of key: UnsafeRawBufferPointer, hash: UInt64) -> Int? {
        let tag = KeyTable.tag(hash)
        var i = home(hash)
        while true {
            let word = slots[i]
            if word == 0 { return nil }
            if word >> KeyTable.addressBits == tag, KeyTable.holds(word, key, hash: hash) { return i }
            i = (i &+ 1) & mask
        }
    }

    @inlinable
    public func box(at slot: Int) -> EntryBox { KeyTable.entry(slots[slot]) }

    /// Inserts `box`, replacing an entry with the same key; returns the replaced one.
    @discardableResult
    public func insert(_ box: EntryBox) -> EntryBox? {
        if (count + 1) * 4 > slotCount * 3 { grow() }
        let found = box.withKey { slot(of: $0, hash: box.hash) }
        if let found {
            let old = slots[found]
            slots[found] = KeyTable.retainedWord(box)
            return KeyTable.release(old)
        }
        place(KeyTable.retainedWord(box), hash: box.hash)
        count += 1
        return nil
    }

    /// Removes the entry in `slot`, moving later entries of its probe run back.
    public func remove(at slot: Int) {
        var hole = slot
        KeyTable.release(slots[hole])
        slots[hole] = 0
        count -= 1
        var i = (hole + 1) & mask
        while slots[i] != 0 {
            let start = home(KeyTable.entry(slots[i]).hash)
            // Move i into the hole if its home is not in (hole, i] cyclically.
            let distanceToHome = (i - start) & mask
            let distanceToHole = (i - hole) & mask
            if distanceToHome >= distanceToHole {
                slots[hole] = slots[i]
                slots[i] = 0
                hole = i
            }
            i = (i + 1) & mask
        }
    }

    /// Calls `body` with every entry, in slot order.
    @inlinable
    public func forEachBox(_ body: (EntryBox) -> Void) {
        for i in 0...mask where slots[i] != 0 { body(KeyTable.entry(slots[i])) }
    }

    /// The entry in `slot`, if one is there.
    @inlinable
    public func occupant(ofSlot slot: Int) -> EntryBox? { slots[slot] == 0 ? nil : KeyTable.entry(slots[slot]) }

    /// The entry in the first occupied slot at or after `slot` (cyclically), for random picks.
    public func entry(nearSlot slot: Int) -> EntryBox? {
        guard count > 0 else { return nil }
        var i = slot & mask
        while slots[i] == 0 { i = (i + 1) & mask }
        return KeyTable.entry(slots[i])
    }

    private func place(_ word: UInt, hash: UInt64) {
        var i = home(hash)
        while slots[i] != 0 { i = (i + 1) & mask }
        slots[i] = word
    }

    /// Doubles the table; each word moves as it is (its reference with it).
    private func grow() {
        let old = slots
        let oldSize = slotCount
        let size = oldSize * 2
        slots = .allocate(capacity: size)
        slots.initialize(repeating: 0, count: size)
        mask = size - 1
        for i in 0..<oldSize where old[i] != 0 { place(old[i], hash: KeyTable.entry(old[i]).hash) }
        old.deallocate()
    }
}
