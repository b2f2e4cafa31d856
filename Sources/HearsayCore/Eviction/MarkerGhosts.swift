/// The last `capacity` eviction markers this node purged or dropped early, by key hash: each
/// marker's object (its causal context). A value that comes back for such a key from a
/// replica, a hint or a handoff is merged as if the marker were still there, so the copies the
/// marker removed stay removed (the marker is stored again and goes round once more) while a
/// write it never saw survives. Without this, three replicas can pass a marker and the value
/// it removed round each other for ever: one purges the marker after agreeing with a peer that
/// held nothing, and that peer then takes the value from the third.
///
/// Bounded: `capacity` ghosts (4,096), each a key hash and a small tombstone object; their
/// bytes are reported beside hints as memory eviction cannot free.
struct MarkerGhosts {
    let capacity: Int
    private var ring: [UInt64] = []
    private var next = 0
    private var objects: [UInt64: StoredObject] = [:]
    /// Approximate bytes held: the objects' sizes plus a fixed cost per ghost.
    private(set) var bytes = 0
    static let overheadPerGhost = 64

    init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    var count: Int { objects.count }

    mutating func insert(_ hash: UInt64, marker: StoredObject) {
        if let old = objects.updateValue(marker, forKey: hash) {
            bytes += marker.approximateByteSize - old.approximateByteSize
            return
        }
        bytes += marker.approximateByteSize + Self.overheadPerGhost
        if ring.count < capacity {
            ring.append(hash)
            return
        }
        if let evicted = objects.removeValue(forKey: ring[next]) {
            bytes -= evicted.approximateByteSize + Self.overheadPerGhost
        }
        ring[next] = hash
        next = (next + 1) % capacity
    }

    func contains(_ hash: UInt64) -> Bool { objects[hash] != nil }

    /// The ghost of `hash`'s marker, removed (it is about to be stored again or is spent).
    mutating func take(_ hash: UInt64) -> StoredObject? {
        guard let object = objects.removeValue(forKey: hash) else { return nil }
        bytes -= object.approximateByteSize + Self.overheadPerGhost
        return object
    }

    mutating func removeAll() {
        ring.removeAll()
        objects.removeAll()
        next = 0
        bytes = 0
    }
}
