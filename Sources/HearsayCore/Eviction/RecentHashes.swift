/// The last `capacity` key hashes inserted, for asking whether a key was seen recently: a
/// ring of hashes and a set over it, the oldest forgotten first. 16 bytes and a set slot per
/// hash, so `capacity` bounds its memory.
struct RecentHashes {
    let capacity: Int
    private var ring: [UInt64] = []
    private var next = 0
    private var members: Set<UInt64> = []

    init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    mutating func insert(_ hash: UInt64) {
        guard !members.contains(hash) else { return }
        if ring.count < capacity {
            ring.append(hash)
        } else {
            members.remove(ring[next])
            ring[next] = hash
            next = (next + 1) % capacity
        }
        members.insert(hash)
    }

    func contains(_ hash: UInt64) -> Bool { members.contains(hash) }

    mutating func removeAll() {
        ring.removeAll()
        members.removeAll()
        next = 0
    }
}
