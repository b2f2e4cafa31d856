/// Keeping the store within maxmemory, as Redis's `performEvictions` does before each
/// command: while the keys take more than the bound, evict one chosen by the policy.
extension Store {
    /// Keys evicted per call at most, so one call never stalls the loop; the rest go before
    /// the next command (Redis bounds each call by time instead).
    static let evictionBudgetPerCall = 1_000
    /// Eviction markers may hold at most 1/16 of maxmemory while a node is over it.
    static let markerShareDivisor = 16

    /// Evicts until the keyspace is within maxmemory. False when it stays above because the
    /// policy may evict nothing more (noeviction, or no key it applies to): a command with
    /// Redis's denyoom flag is then refused with OOM. True when under the bound, or when the
    /// per-call budget ran out first (the command goes ahead, as in Redis).
    mutating func makeRoom(now: Now) -> Bool {
        let limit = keyspace.maxMemoryBytes
        guard limit > 0, keyspace.usedBytes > limit else { return true }
        var budget = Store.evictionBudgetPerCall
        while keyspace.usedBytes > limit {
            guard budget > 0 else { return true }
            budget -= 1
            // In a cluster an eviction leaves a marker until every owner has it. Markers must
            // not crowd out the data: past 1/`markerShareDivisor` of the bound, the oldest goes first.
            if keyspace.markerBytes > limit / Store.markerShareDivisor && keyspace.dropMarkerEarly() { continue }
            guard let victim = evictor.nextVictim(in: keyspace, tracking: keyspace.accessTracking, now: now) else {
                if keyspace.dropMarkerEarly() { continue }
                return false
            }
            evict(victim, now: now)
        }
        return true
    }

    /// Evicts one key: a causal remove of the versions this copy holds, as a DEL makes, so
    /// a write concurrent with it survives and nothing deleted comes back. A node alone
    /// drops the entry at once; in a cluster the removal stays as an eviction marker (a
    /// tombstone purged after a short grace), and the key waits in `evictedKeys` until the
    /// node sends the marker to the key's other owners (`Node.makeRoom`).
    mutating func evict(_ box: EntryBox, now: Now) {
        let key = box.keyBytes
        let hash = box.hash
        if evictionLog != nil && evictionLog!.count < Store.evictionLogLimit {
            evictionLog!.append((key, CompactObject.materialize(box).context))
        }
        key.withUnsafeBytes { deleteEntry(KeyRef($0, hash: hash), existing: box, now: now) }
        if let marker = key.withUnsafeBytes({ keyspace.peek(KeyRef($0, hash: hash)) }) {
            keyspace.setEvictionMarker(marker, true, now: now.monotonic.milliseconds)
            evictedKeys.append(key)
        }
        evictor.noteEvicted()
    }
}
