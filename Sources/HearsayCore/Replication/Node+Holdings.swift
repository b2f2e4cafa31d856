/// What a node holds for a key, for the simulator's checkers and traces (never on a
/// request path).
extension Node {
    /// The string values this node holds for `key`, in its data and in its hints (for
    /// checkers that ask who holds a write).
    public func heldValues(of key: [UInt8]) -> [[UInt8]] {
        var values: [[UInt8]] = []
        let entry: StoredObject? = key.withUnsafeBytes { raw in
            keyspace.peek(KeyRef(raw)).map(CompactObject.materialize)
        }
        if let entry { values += entry.register.map(\.value) }
        if let hinted = cluster?.hints.object(for: key) { values += hinted.register.map(\.value) }
        return values
    }

    /// Whether this node owns `key` and holds it as a tombstone in its own data (a checker
    /// asks which owners a DEL reached).
    public func ownsTombstone(of key: [UInt8]) -> Bool {
        guard var cluster else { return false }
        let partition = cluster.partitionCount.partition(of: key)
        guard cluster.placement().isReplica(cluster.settings.nodeID, of: partition) else { return false }
        let entry: StoredObject? = key.withUnsafeBytes { raw in
            keyspace.peek(KeyRef(raw)).map(CompactObject.materialize)
        }
        return entry?.isTombstone ?? false
    }

    /// The string values this node holds for `key` in its own data (not hints), if it owns the key.
    public func ownedValues(of key: [UInt8]) -> [[UInt8]] {
        guard var cluster else { return [] }
        let partition = cluster.partitionCount.partition(of: key)
        guard cluster.placement().isReplica(cluster.settings.nodeID, of: partition) else { return [] }
        let entry: StoredObject? = key.withUnsafeBytes { raw in
            keyspace.peek(KeyRef(raw)).map(CompactObject.materialize)
        }
        return entry?.register.map(\.value) ?? []
    }
}

extension Node {
    /// A one-line description of this node's state for `key` (for simulator traces).
    public func debugState(of key: [UInt8]) -> String {
        let entry: StoredObject? = key.withUnsafeBytes { raw in
            keyspace.peek(KeyRef(raw)).map(CompactObject.materialize)
        }
        let hinted = cluster?.hints.object(for: key)
        let values = entry.map { o in
            o.register.map { String(decoding: $0.value, as: UTF8.self) + "@" + $0.stamp.dot.description }
        }
        return
            "data \(values ?? []) ctx \(entry?.context.description ?? "-") hint \(hinted.map { $0.register.map { String(decoding: $0.value, as: UTF8.self) } } ?? [])"
    }
}
