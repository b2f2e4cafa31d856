/// The requests a coordinator has in flight, by request id. Requests sit in a slab of slots
/// that never move; an open-addressing index with linear probing on a multiplicative hash
/// of the id maps ids to slots, so probing and deletion move 12-byte entries rather than
/// whole requests. Ids are sequential and never 0 (0 marks an empty index entry). Swift's
/// Dictionary hashed the id with its seeded SipHash on every lookup, several per request.
/// Bounded by `maxPendingRequests`: it grows at three quarters full and never shrinks.
struct PendingTable: Sequence {
    private var ids: [UInt64]
    private var slotOfID: [Int32]
    private var mask: Int
    private var slots: [PendingRequest?] = []
    private var freeSlots: [Int32] = []
    private(set) var count = 0

    init() {
        ids = Array(repeating: 0, count: 64)
        slotOfID = Array(repeating: -1, count: 64)
        mask = 63
    }

    var isEmpty: Bool { count == 0 }

    @inline(__always)
    private func home(_ id: UInt64) -> Int { Int(truncatingIfNeeded: (id &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask }

    private func entry(of id: UInt64) -> Int? {
        var i = home(id)
        while ids[i] != 0 {
            if ids[i] == id { return i }
            i = (i &+ 1) & mask
        }
        return nil
    }

    subscript(id: UInt64) -> PendingRequest? {
        get { entry(of: id).flatMap { slots[Int(slotOfID[$0])] } }
        set {
            precondition(id != 0, "request id 0 is reserved")
            guard let newValue else {
                removeValue(forKey: id)
                return
            }
            if let e = entry(of: id) {
                slots[Int(slotOfID[e])] = newValue
                return
            }
            insert(id, newValue)
        }
    }

    /// Adds a request under an id not in the table (the request is moved in, not copied).
    mutating func insert(_ id: UInt64, _ request: consuming PendingRequest) {
        precondition(id != 0, "request id 0 is reserved")
        if (count + 1) * 4 > ids.count * 3 { grow() }
        let slot: Int
        if let free = freeSlots.popLast() {
            slot = Int(free)
            slots[slot] = consume request
        } else {
            slot = slots.count
            slots.append(consume request)
        }
        place(id, Int32(slot))
        count += 1
    }

    @discardableResult
    mutating func removeValue(forKey id: UInt64) -> PendingRequest? {
        guard let found = entry(of: id) else { return nil }
        let slot = Int(slotOfID[found])
        let removed = slots[slot].take()
        freeSlots.append(Int32(slot))
        var hole = found
        ids[hole] = 0
        count -= 1
        // Move later entries of the probe run back into the hole (no tombstones).
        var i = (hole + 1) & mask
        while ids[i] != 0 {
            let distanceToHome = (i - home(ids[i])) & mask
            if distanceToHome >= (i - hole) & mask {
                ids[hole] = ids[i]
                slotOfID[hole] = slotOfID[i]
                ids[i] = 0
                hole = i
            }
            i = (i + 1) & mask
        }
        return removed
    }

    private mutating func place(_ id: UInt64, _ slot: Int32) {
        var i = home(id)
        while ids[i] != 0 { i = (i &+ 1) & mask }
        ids[i] = id
        slotOfID[i] = slot
    }

    private mutating func grow() {
        let oldIDs = ids
        let oldSlots = slotOfID
        ids = Array(repeating: 0, count: oldIDs.count * 2)
        slotOfID = Array(repeating: -1, count: oldIDs.count * 2)
        mask = ids.count - 1
        for i in oldIDs.indices where oldIDs[i] != 0 { place(oldIDs[i], oldSlots[i]) }
    }

    /// Every (id, request), in no particular order (the deadline sweep sorts what it takes).
    func makeIterator() -> IndexingIterator<[(UInt64, PendingRequest)]> {
        ids.indices.compactMap { ids[$0] == 0 ? nil : (ids[$0], slots[Int(slotOfID[$0])]!) }.makeIterator()
    }
}
