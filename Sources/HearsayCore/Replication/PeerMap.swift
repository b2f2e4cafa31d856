/// A map from peer to value for the outbox: a short array searched linearly. A node sends
/// to a handful of peers per loop iteration, and hashing a NodeID with Swift's seeded
/// `Hasher` on every queued message cost more than the scan.
struct PeerMap<Value> {
    private var entries: [(peer: NodeID, value: Value)] = []

    var isEmpty: Bool { entries.isEmpty }

    /// The peers, in ascending id order (frames leave in a deterministic order).
    var keys: [NodeID] { entries.map(\.peer).sorted() }

    private func index(of peer: NodeID) -> Int? {
        for i in entries.indices where entries[i].peer == peer { return i }
        return nil
    }

    subscript(peer: NodeID) -> Value? {
        guard let i = index(of: peer) else { return nil }
        return entries[i].value
    }

    subscript(peer: NodeID, default value: @autoclosure () -> Value) -> Value {
        get { index(of: peer).map { entries[$0].value } ?? value() }
        _modify {
            let i: Int
            if let found = index(of: peer) {
                i = found
            } else {
                entries.append((peer, value()))
                i = entries.count - 1
            }
            yield &entries[i].value
        }
    }

    /// Runs `body` on `peer`'s value in place (added as `value` first when missing).
    mutating func update<R>(_ peer: NodeID, default value: @autoclosure () -> Value, _ body: (inout Value) -> R) -> R {
        body(&self[peer, default: value()])
    }

    @discardableResult
    mutating func removeValue(forKey peer: NodeID) -> Value? {
        guard let i = index(of: peer) else { return nil }
        return entries.remove(at: i).value
    }

    mutating func removeAll(keepingCapacity: Bool) { entries.removeAll(keepingCapacity: keepingCapacity) }
}
