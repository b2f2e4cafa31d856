/// The requests a coordinator has in flight, by request id: open addressing with linear
/// probing on a multiplicative hash of the id. Ids are sequential and never 0 (0 marks an
/// empty slot). Swift's Dictionary hashed the id with its seeded SipHash on every lookup,
/// several per request; this table's size is bounded by `maxPendingRequests` (it grows at
/// three quarters full and never shrinks).
struct PendingTable: Sequence {
    private var ids: [UInt64]
    private var requests: [PendingRequest?]
    private var mask: Int
    private(set) var count = 0

    init() {
        ids = Array(repeating: 0, count: 64)
        requests = Array(repeating: nil, count: 64)
        mask = 63
    }

    var isEmpty: Bool { count == 0 }

    @inline(__always)
    private func home(_ id: UInt64) -> Int { Int(truncatingIfNeeded: (id &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask }

    private func slot(of id: UInt64) -> Int? {
        var i = home(id)
        while ids[i] != 0 {
            if ids[i] == id { return i }
            i = (i &+ 1) & mask
        }
        return nil
    }

    subscript(id: UInt64) -> PendingRequest? {
        get { slot(of: id).flatMap { requests[$0] } }
        set {
            precondition(id != 0, "request id 0 is reserved")
            guard let newValue else {
                removeValue(forKey: id)
                return
            }
            if let i = slot(of: id) {
                requests[i] = newValue
                return
            }
            if (count + 1) * 4 > ids.count * 3 { grow() }
            place(id, newValue)
            count += 1
        }
    }

    @discardableResult
    mutating func removeValue(forKey id: UInt64) -> PendingRequest? {
        guard let found = slot(of: id) else { return nil }
        let removed = requests[found]
        var hole = found
        ids[hole] = 0
        requests[hole] = nil
        count -= 1
        // Move later entries of the probe run back into the hole (no tombstones).
        var i = (hole + 1) & mask
        while ids[i] != 0 {
            let distanceToHome = (i - home(ids[i])) & mask
            if distanceToHome >= (i - hole) & mask {
                ids[hole] = ids[i]
                requests[hole] = requests[i]
                ids[i] = 0
                requests[i] = nil
                hole = i
            }
            i = (i + 1) & mask
        }
        return removed
    }

    private mutating func place(_ id: UInt64, _ request: PendingRequest) {
        var i = home(id)
        while ids[i] != 0 { i = (i &+ 1) & mask }
        ids[i] = id
        requests[i] = request
    }

    private mutating func grow() {
        let oldIDs = ids
        let oldRequests = requests
        ids = Array(repeating: 0, count: oldIDs.count * 2)
        requests = Array(repeating: nil, count: oldIDs.count * 2)
        mask = ids.count - 1
        for i in oldIDs.indices where oldIDs[i] != 0 { place(oldIDs[i], oldRequests[i]!) }
    }

    /// Every (id, request), in no particular order (the deadline sweep sorts what it takes).
    func makeIterator() -> IndexingIterator<[(UInt64, PendingRequest)]> {
        ids.indices.compactMap { ids[$0] == 0 ? nil : (ids[$0], requests[$0]!) }.makeIterator()
    }
}
