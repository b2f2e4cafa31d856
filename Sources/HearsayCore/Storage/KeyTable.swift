/// One partition's keys: an open-addressing hash table with linear probing,
/// keyed by the precomputed StableHash and compared with the key bytes.
///
/// It replaces `Set` because Swift's per-process-seeded SipHash of every probe was
/// a tenth of the instructions of a GET (callgrind), while the StableHash is already
/// computed for placement. Deletion shifts later entries back (no tombstones), so
/// probe lengths stay short under churn. Load factor at most 3/4; 16 bytes a slot.
public final class KeyTable {
    /// Slot hashes; 0 marks an empty slot (stored hashes have bit 0 set).
    @usableFromInline var hashes: UnsafeMutablePointer<UInt64>
    @usableFromInline var boxes: UnsafeMutablePointer<EntryBox?>
    @usableFromInline var mask: Int
    public private(set) var count = 0

    public init(capacity: Int = 8) {
        var slots = 8
        while slots < capacity { slots <<= 1 }
        hashes = .allocate(capacity: slots)
        hashes.initialize(repeating: 0, count: slots)
        boxes = .allocate(capacity: slots)
        boxes.initialize(repeating: nil, count: slots)
        mask = slots - 1
    }

    deinit {
        boxes.deinitialize(count: mask + 1)
        boxes.deallocate()
        hashes.deallocate()
    }

    public var slotCount: Int { mask + 1 }
    /// A slot's hash and entry reference.
    public static let bytesPerSlot = MemoryLayout<UInt64>.stride + MemoryLayout<EntryBox?>.stride

    @inlinable @inline(__always)
    static func tag(_ hash: UInt64) -> UInt64 { hash | 1 }

    /// Where a hash's probe run starts; the same for a hash and its tag (bit 0 is unused).
    @inlinable @inline(__always)
    func home(_ hashOrTag: UInt64) -> Int { Int(truncatingIfNeeded: hashOrTag >> 1) & mask }

    /// The slot holding `key`, or nil.
    @inlinable
    public func slot(of key: UnsafeRawBufferPointer, hash: UInt64) -> Int? {
        let tag = KeyTable.tag(hash)
        var i = home(hash)
        while true {
            let h = hashes[i]
            if h == 0 { return nil }
            if h == tag, let box = boxes[i], box.withKey({ ByteEquality.equal($0, key) }) { return i }
            i = (i &+ 1) & mask
        }
    }

    @inlinable
    public func box(at slot: Int) -> EntryBox { boxes[slot].unsafelyUnwrapped }

    /// Inserts `box`, replacing an entry with the same key; returns the replaced one.
    @discardableResult
    public func insert(_ box: EntryBox) -> EntryBox? {
        if (count + 1) * 4 > slotCount * 3 { grow() }
        let found = box.withKey { slot(of: $0, hash: box.hash) }
        if let found {
            let old = boxes[found]
            boxes[found] = box
            return old
        }
        place(box)
        count += 1
        return nil
    }

    /// Removes the entry in `slot`, moving later entries of its probe run back.
    public func remove(at slot: Int) {
        var hole = slot
        boxes[hole] = nil
        hashes[hole] = 0
        count -= 1
        var i = (hole + 1) & mask
        while hashes[i] != 0 {
            let start = home(hashes[i])
            // Move i into the hole if its home is not in (hole, i] cyclically.
            let distanceToHome = (i - start) & mask
            let distanceToHole = (i - hole) & mask
            if distanceToHome >= distanceToHole {
                hashes[hole] = hashes[i]
                boxes[hole] = boxes[i]
                hashes[i] = 0
                boxes[i] = nil
                hole = i
            }
            i = (i + 1) & mask
        }
    }

    /// Calls `body` with every entry, in slot order.
    @inlinable
    public func forEachBox(_ body: (EntryBox) -> Void) {
        for i in 0...mask where hashes[i] != 0 { body(boxes[i].unsafelyUnwrapped) }
    }

    /// The entry in `slot`, if one is there.
    @inlinable
    public func occupant(ofSlot slot: Int) -> EntryBox? { hashes[slot] == 0 ? nil : boxes[slot] }

    /// The entry in the first occupied slot at or after `slot` (cyclically), for random picks.
    public func entry(nearSlot slot: Int) -> EntryBox? {
        guard count > 0 else { return nil }
        var i = slot & mask
        while hashes[i] == 0 { i = (i + 1) & mask }
        return boxes[i]
    }

    private func place(_ box: EntryBox) {
        var i = home(box.hash)
        while hashes[i] != 0 { i = (i + 1) & mask }
        hashes[i] = KeyTable.tag(box.hash)
        boxes[i] = box
    }

    private func grow() {
        let oldHashes = hashes
        let oldBoxes = boxes
        let oldSlots = slotCount
        let slots = oldSlots * 2
        hashes = .allocate(capacity: slots)
        hashes.initialize(repeating: 0, count: slots)
        boxes = .allocate(capacity: slots)
        boxes.initialize(repeating: nil, count: slots)
        mask = slots - 1
        for i in 0..<oldSlots where oldHashes[i] != 0 { place(oldBoxes[i].unsafelyUnwrapped) }
        oldBoxes.deinitialize(count: oldSlots)
        oldBoxes.deallocate()
        oldHashes.deallocate()
    }
}
