/// The transmit-limited broadcast queue (SWIM 4.4, memberlist's queue.go): the
/// latest update about each member, piggybacked on outgoing messages until it has
/// been sent `retransmitLimit` times. Updates sent fewest times go first, and among
/// those the newest, so fresh news spreads fastest.
///
/// Bounded: at most one entry per member. Entries are kept in buckets by
/// transmit count; superseded entries are skipped lazily by generation, and the
/// buckets are compacted when stale entries outnumber live ones.
struct DisseminationQueue {
    private struct Entry {
        var update: MemberUpdate
        var generation: UInt64
        var transmits: Int
    }

    private struct Slot {
        var id: NodeID
        var generation: UInt64
    }

    private var entries: [NodeID: Entry] = [:]
    private var buckets: [[Slot]] = []
    private var slotCount = 0
    private var nextGeneration: UInt64 = 0
    private var picked: [Slot] = []

    var count: Int { entries.count }
    var isEmpty: Bool { entries.isEmpty }

    /// Queues `update`, replacing any queued update about the same member.
    mutating func enqueue(_ update: MemberUpdate) {
        nextGeneration &+= 1
        entries[update.member.id] = Entry(update: update, generation: nextGeneration, transmits: 0)
        push(Slot(id: update.member.id, generation: nextGeneration), bucket: 0)
        if slotCount > 2 * entries.count + 64 { compact() }
    }

    mutating func remove(_ id: NodeID) { entries[id] = nil }

    /// The queued update about `id`, if any.
    func pending(_ id: NodeID) -> MemberUpdate? { entries[id]?.update }

    /// Appends up to `limit` updates to `out` (skipping `excluding`), counting a
    /// transmission for each and dropping those that reached `retransmitLimit`.
    mutating func take(
        upTo limit: Int, retransmitLimit: Int, excluding: NodeID? = nil, into out: inout [MemberUpdate]
    ) {
        guard limit > 0, !entries.isEmpty else { return }
        picked.removeAll(keepingCapacity: true)
        var taken = 0
        var bucket = 0
        while taken < limit && bucket < buckets.count {
            guard let slot = buckets[bucket].popLast() else {
                bucket += 1
                continue
            }
            slotCount -= 1
            guard let entry = entries[slot.id], entry.generation == slot.generation else { continue }
            if entry.transmits >= retransmitLimit {
                entries[slot.id] = nil
                continue
            }
            if slot.id == excluding {
                picked.append(slot)
                continue
            }
            out.append(entry.update)
            entries[slot.id]!.transmits += 1
            picked.append(slot)
            taken += 1
        }
        // Put the sent ones back one bucket further, in their original order.
        for slot in picked.reversed() {
            guard let entry = entries[slot.id], entry.generation == slot.generation else { continue }
            if entry.transmits >= retransmitLimit {
                entries[slot.id] = nil
            } else {
                push(slot, bucket: entry.transmits)
            }
        }
    }

    private mutating func push(_ slot: Slot, bucket: Int) {
        while buckets.count <= bucket { buckets.append([]) }
        buckets[bucket].append(slot)
        slotCount += 1
    }

    /// Drops slots of superseded or removed entries, keeping each bucket's order.
    private mutating func compact() {
        slotCount = 0
        for b in buckets.indices {
            buckets[b].removeAll { slot in entries[slot.id]?.generation != slot.generation }
            slotCount += buckets[b].count
        }
    }
}
