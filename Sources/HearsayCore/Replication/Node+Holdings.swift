/// What a node holds for a key, for the simulator's checkers and traces (never on a
/// request path).
extension Node {
    /// The string values this node holds for `key`, in its data and in its hints (for
    /// checkers that ask who holds a write).
    public func heldValues(of key: [UInt8]) -> [[UInt8]] {
        var values: [[UInt8]] = []
        let entry: StoredObject? = key.withUnsafeBytes { raw in
            store.keyspace.peek(KeyRef(raw)).map(CompactObject.materialize)
        }
        if let entry { values += entry.register.map(\.value) }
        if let hinted = hints.object(for: key) { values += hinted.register.map(\.value) }
        return values
    }

    /// Whether this node owns `key` and holds it as a tombstone in its own data (a checker
    /// asks which owners a DEL reached).
    public func ownsTombstone(of key: [UInt8]) -> Bool {
        var cluster = self.cluster
        let partition = topology.partitionCount.partition(of: key)
        guard topology.placement.isReplica(cluster.settings.nodeID, of: partition) else { return false }
        let entry: StoredObject? = key.withUnsafeBytes { raw in
            store.keyspace.peek(KeyRef(raw)).map(CompactObject.materialize)
        }
        return entry?.isTombstone ?? false
    }

    /// Whether this node is one of `key`'s owners in the placement it holds.
    public func owns(_ key: [UInt8]) -> Bool {
        var cluster = self.cluster
        return topology.placement.isReplica(cluster.settings.nodeID, of: topology.partitionCount.partition(of: key))
    }

    /// Everything this node holds for `key`: its data merged with the hints it keeps for
    /// others (what a checker asks when it looks for any surviving copy of a write).
    public func heldObject(of key: [UInt8]) -> StoredObject? {
        var held: StoredObject? = key.withUnsafeBytes { raw in
            store.keyspace.peek(KeyRef(raw)).map(CompactObject.materialize)
        }
        if let hinted = hints.object(for: key) {
            if held == nil { held = hinted } else { held!.merge(hinted) }
        }
        return held
    }

    /// Turns on the eviction log a checker reads (`Store.evictionLog`); with `sabotaged`, also
    /// makes eviction markers replace everything they meet, so a test can show the checker
    /// catches an eviction that removes writes it had not seen.
    public mutating func logEvictions(sabotaged: Bool = false) {
        store.evictionLog = []
        store.keyspace.sabotageMarkersReplaceEverything = sabotaged
    }

    /// The evictions logged since the last call: each key and the causal context it removed.
    public mutating func drainEvictionLog() -> [(key: [UInt8], context: CausalContext)] {
        defer { if store.evictionLog != nil { store.evictionLog = [] } }
        return store.evictionLog ?? []
    }

    /// The owners this node keeps a hint of `key` for (a checker asks where a hint went).
    public func hintOwners(of key: [UInt8]) -> [NodeID] {
        hints.owners(holding: key)
    }

    /// Hints this node dropped at a bound (age, count or bytes) since it started.
    public var hintsDropped: Int {
        hints.stats.values.reduce(0) { $0 + $1.droppedForAge + $1.droppedForBounds }
    }

    /// The string values this node holds for `key` in its own data (not hints), if it owns the key.
    public func ownedValues(of key: [UInt8]) -> [[UInt8]] {
        var cluster = self.cluster
        let partition = topology.partitionCount.partition(of: key)
        guard topology.placement.isReplica(cluster.settings.nodeID, of: partition) else { return [] }
        let entry: StoredObject? = key.withUnsafeBytes { raw in
            store.keyspace.peek(KeyRef(raw)).map(CompactObject.materialize)
        }
        return entry?.register.map(\.value) ?? []
    }
}

extension Node {
    /// A one-line description of this node's state for `key` (for simulator traces).
    public func debugState(of key: [UInt8]) -> String {
        let entry: StoredObject? = key.withUnsafeBytes { raw in
            store.keyspace.peek(KeyRef(raw)).map(CompactObject.materialize)
        }
        let marker: Bool = key.withUnsafeBytes { raw in
            store.keyspace.peek(KeyRef(raw))?.header.isEvictionMarker ?? false
        }
        let hinted = hints.object(for: key)
        let values = entry.map { o in
            o.register.map { String(decoding: $0.value, as: UTF8.self) + "@" + $0.stamp.dot.description }
        }
        let counter = entry.map { o in
            o.counterEntries.isEmpty && o.counterBaselines.isEmpty
                ? "" : " counter \(o.counterEntries) baselines \(o.counterBaselines)"
        }
        let hintedCounter = hinted.map { $0.counterEntries.isEmpty ? "" : " hinted counter \($0.counterEntries)" } ?? ""
        return
            "data \(marker ? "marker " : "")\(values ?? [])\(counter ?? "") ctx \(entry?.context.description ?? "-") hint \(hinted.map { $0.register.map { String(decoding: $0.value, as: UTF8.self) } } ?? [])\(hintedCounter)"
    }
}
