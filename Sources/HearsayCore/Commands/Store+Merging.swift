import RESP

/// What replication asks of the store: merging a replica's copy, this node's copy of a key
/// as a reader sees it, the digest a coordinator compares, and the object a write sends.
extension Store {
    /// Joins `remote` into this node's copy of `key` (a CRDT merge: order and repeats do not
    /// matter), and keeps the dot counter past anything of this writer's it brings.
    mutating func mergeRemote(_ key: [UInt8], _ remote: StoredObject, marker: Bool = false, now: Now) {
        guard let merged = keyspace.merge(key: key, remote, marker: marker, now: now) else { return }
        lastDot = max(lastDot, merged.context.maxCounter(for: writer))
    }

    /// Merges a single write into `key`'s entry when the result is decidable from the two
    /// dots alone: no entry, or a compact entry last written by the same writer (the higher
    /// counter wins whole, since its context covers the other's dot). Returns false, having
    /// changed nothing, when the merge needs the general path (another writer: siblings).
    mutating func mergeSingleWrite(
        _ key: UnsafeRawBufferPointer, _ write: EncodedSingleWrite, in bytes: UnsafeRawBufferPointer, now: Now
    ) -> Bool {
        let ref = KeyRef(key)
        let entry = keyspace.entry(ref, now: now)
        if let entry {
            let header = entry.header
            guard header.state != .extended, header.writer == write.dot.node.rawValue else { return false }
            // The same write again, or one this entry's later write already covers.
            if write.dot.counter <= header.counter { return true }
        }
        if write.dot.node == writer { lastDot = max(lastDot, write.dot.counter) }
        keyspace.putString(
            ref, existing: entry, value: UnsafeRawBufferPointer(rebasing: bytes[write.value]),
            expiresAt: write.expiresAtMilliseconds, dot: write.dot, timestamp: write.timestamp)
        return true
    }

    /// The digest a checked write's basis and a read's basis are: this node's entry for `key`
    /// as stored (expired or not), 0 when it holds none.
    mutating func basisDigest(_ key: KeyRef) -> UInt64 {
        keyspace.peekInPlace(key).map(EntryDigest.digest) ?? 0
    }

    /// This node's copy of `key` for a reader: its data merged with any hint `hints` hold for it.
    mutating func copy(of key: [UInt8], withHintsFrom hints: HintStore, now: Now) -> StoredObject? {
        var copy: StoredObject? = key.withUnsafeBytes { raw in
            keyspace.entry(KeyRef(raw), now: now).map(CompactObject.materialize)
        }
        if let hinted = hints.object(for: key) {
            if copy == nil { copy = hinted } else { copy!.merge(hinted) }
        }
        return copy
    }

    /// Whether this replica's copy equals a coordinator's copy of digest `basis`. When hints
    /// also hold the key, the copy a reader gets here is the entry merged with them, and that
    /// is what is compared (materialised: only while hints are held).
    mutating func copyMatches(_ key: UnsafeRawBufferPointer, basis: UInt64, hints: HintStore) -> Bool {
        guard hints.holds(key) else { return basisDigest(KeyRef(key)) == basis }
        let keyBytes = Array(key)
        var copy = keyspace.peek(KeyRef(key)).map(CompactObject.materialize)
        if let hinted = hints.object(for: keyBytes) {
            if copy == nil { copy = hinted } else { copy!.merge(hinted) }
        }
        return (copy?.causalDigest(key: keyBytes) ?? 0) == basis
    }

    /// Whether this node's copy of `key` is an eviction marker (what a reader gets: no hint
    /// for the key is merged into it).
    mutating func isEvictionMarker(_ key: UnsafeRawBufferPointer, hints: HintStore) -> Bool {
        guard let box = keyspace.peekInPlace(KeyRef(key)), box.header.isEvictionMarker else { return false }
        return !hints.holds(key)
    }

    /// Whether this node's copy of `key` still holds the write it minted with `counter`.
    mutating func holdsOwnWrite(_ key: [UInt8], counter: UInt64, now: Now) -> Bool {
        key.withUnsafeBytes { raw in
            guard let box = keyspace.entry(KeyRef(raw), now: now) else { return false }
            let header = box.header
            if header.state == .string { return header.writer == writer.rawValue && header.counter == counter }
            guard header.state == .extended else { return false }
            return CompactObject.materialize(box).register.contains {
                $0.stamp.dot == Dot(node: writer, counter: counter)
            }
        }
    }

    /// Encodes this node's object for `key` (the empty object when it holds none) into `writer`.
    mutating func encodeObject(_ key: KeyRef, now: Now, into out: inout ByteWriter) {
        if let entry = keyspace.entry(key, now: now) {
            CompactObject.encode(entry, into: &out)
        } else {
            StoredObject().encode(into: &out)
        }
    }

    /// Keeps this node's copy of `key` in `hints` for each down owner in `owners`; returns
    /// how many hints it stored.
    @discardableResult
    mutating func keepHints(_ key: [UInt8], for owners: [NodeID], in hints: inout HintStore, now: Now) -> Int {
        guard !owners.isEmpty else { return 0 }
        let object: StoredObject? = key.withUnsafeBytes { raw in
            keyspace.entry(KeyRef(raw), now: now).map(CompactObject.materialize)
        }
        guard let object else { return 0 }
        for owner in owners { hints.store(owner: owner, key: key, object: object, now: now.monotonic) }
        return owners.count
    }
}
