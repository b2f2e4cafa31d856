/// Writes a stand-in holds for replicas that were down (sloppy quorum), kept apart from
/// its own data and replayed to their owner once it is seen alive again.
///
/// Bounded per owner in count, bytes and age. Past a bound the oldest hints are dropped
/// and counted (HS.STATS): anti-entropy repairs what a dropped hint would have carried.
/// A second hint for the same key merges into the first (objects are CRDTs).
public struct HintStore {
    public struct Limits: Sendable {
        /// Hints kept per owner.
        public var maxHintsPerOwner = 100_000
        /// Bytes of keys and objects kept per owner.
        public var maxBytesPerOwner = 64 << 20
        /// Age in milliseconds after which a hint is dropped unreplayed.
        public var maxAgeMilliseconds: Int64 = 3 * 60 * 60 * 1000
        public init() {}
    }

    struct Hint {
        var id: UInt64
        var key: [UInt8]
        var object: StoredObject
        var createdAt: Int64
        var bytes: Int
        /// When it was last sent to the owner (0 = never); resent if unacknowledged.
        var sentAt: Int64 = 0
    }

    struct OwnerHints {
        /// Oldest first.
        var hints: [Hint] = []
        var bytes = 0
    }

    /// What HS.STATS shows per owner.
    public struct OwnerStats: Sendable, Equatable {
        public var pending = 0
        public var pendingBytes = 0
        public var stored = 0
        public var replayed = 0
        public var droppedForBounds = 0
        public var droppedForAge = 0
    }

    public var limits: Limits
    var owners: [NodeID: OwnerHints] = [:]
    public private(set) var stats: [NodeID: OwnerStats] = [:]
    var nextID: UInt64 = 1

    public init(limits: Limits = Limits()) { self.limits = limits }

    public var pendingCount: Int { owners.values.reduce(0) { $0 + $1.hints.count } }

    /// Stores (or merges) a hint for `owner`.
    mutating func store(owner: NodeID, key: [UInt8], object: StoredObject, now: Int64) {
        var entry = owners[owner] ?? OwnerHints()
        var ownerStats = stats[owner] ?? OwnerStats()
        ownerStats.stored += 1
        if let i = entry.hints.firstIndex(where: { $0.key == key }) {
            entry.bytes -= entry.hints[i].bytes
            entry.hints[i].object.merge(object)
            entry.hints[i].bytes = key.count + entry.hints[i].object.approximateByteSize
            entry.hints[i].sentAt = 0
            entry.bytes += entry.hints[i].bytes
        } else {
            let bytes = key.count + object.approximateByteSize
            entry.hints.append(Hint(id: nextID, key: key, object: object, createdAt: now, bytes: bytes))
            nextID += 1
            entry.bytes += bytes
        }
        while entry.hints.count > limits.maxHintsPerOwner || entry.bytes > limits.maxBytesPerOwner {
            entry.bytes -= entry.hints.removeFirst().bytes
            ownerStats.droppedForBounds += 1
        }
        owners[owner] = entry
        stats[owner] = ownerStats
        refreshPending(owner)
    }

    /// Drops hints older than the age bound.
    mutating func expire(now: Int64) {
        for owner in owners.keys.sorted() {
            guard var entry = owners[owner] else { continue }
            let before = entry.hints.count
            entry.hints.removeAll { now - $0.createdAt > limits.maxAgeMilliseconds }
            let dropped = before - entry.hints.count
            guard dropped > 0 else { continue }
            entry.bytes = entry.hints.reduce(0) { $0 + $1.bytes }
            owners[owner] = entry
            stats[owner, default: OwnerStats()].droppedForAge += dropped
            refreshPending(owner)
        }
    }

    /// Hints to (re)send to `owner` now: never sent, or sent more than `resendAfter` ago.
    mutating func due(for owner: NodeID, now: Int64, resendAfter: Int64, limit: Int) -> [Hint] {
        guard var entry = owners[owner] else { return [] }
        var out: [Hint] = []
        for i in entry.hints.indices where out.count < limit {
            if entry.hints[i].sentAt == 0 || now - entry.hints[i].sentAt > resendAfter {
                entry.hints[i].sentAt = now
                out.append(entry.hints[i])
            }
        }
        owners[owner] = entry
        return out
    }

    /// The owner acknowledged hint `id`: it holds the write now.
    mutating func acknowledge(owner: NodeID, id: UInt64) {
        guard var entry = owners[owner], let i = entry.hints.firstIndex(where: { $0.id == id }) else { return }
        entry.bytes -= entry.hints.remove(at: i).bytes
        owners[owner] = entry.hints.isEmpty ? nil : entry
        stats[owner, default: OwnerStats()].replayed += 1
        refreshPending(owner)
    }

    /// The hinted copy of `key`, if any owner's hints hold one (a stand-in answers reads).
    func object(for key: [UInt8]) -> StoredObject? {
        var found: StoredObject?
        for owner in owners.keys.sorted() {
            for hint in owners[owner]!.hints where hint.key == key {
                if found == nil { found = hint.object } else { found!.merge(hint.object) }
            }
        }
        return found
    }

    public var ownersWithHints: [NodeID] { owners.keys.sorted() }

    private mutating func refreshPending(_ owner: NodeID) {
        stats[owner, default: OwnerStats()].pending = owners[owner]?.hints.count ?? 0
        stats[owner, default: OwnerStats()].pendingBytes = owners[owner]?.bytes ?? 0
    }
}
