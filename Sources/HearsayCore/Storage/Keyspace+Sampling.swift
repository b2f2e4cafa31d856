/// Random samples of the keyspace for eviction, as Redis's `dictGetSomeKeys` takes them: a
/// stretch of consecutive slots from a random place, which costs a few cache lines rather
/// than one random probe per key.
extension Keyspace {
    /// Appends up to `count` entries holding a visible value at `now` to `out`: from a random
    /// slot of a random partition onwards, then the next partitions, looking at no more than
    /// `count` x 16 slots in all. Volatile sampling draws from the expiry heap instead.
    func sample<G: RandomNumberGenerator>(
        _ count: Int, volatileOnly: Bool, now: Now, using rng: inout G, into out: inout [EntryBox]
    ) {
        if volatileOnly { return sampleVolatile(count, now: now, using: &rng, into: &out) }
        guard liveCount > 0, count > 0 else { return }
        var looked = 0
        var found = 0
        var p = Int.random(in: 0..<partitions.count, using: &rng)
        var first = true
        while found < count && looked < count * 16 {
            let table = partitions[p]
            if table.count > 0 {
                var slot = first ? Int.random(in: 0..<table.slotCount, using: &rng) : 0
                while slot < table.slotCount && found < count && looked < count * 16 {
                    if let box = table.occupant(ofSlot: slot), Keyspace.holdsValue(box, now: now) {
                        out.append(box)
                        found += 1
                    }
                    slot += 1
                    looked += 1
                }
            }
            first = false
            p = (p + 1) % partitions.count
            looked += 1
        }
    }

    private func sampleVolatile<G: RandomNumberGenerator>(
        _ count: Int, now: Now, using rng: inout G, into out: inout [EntryBox]
    ) {
        let items = expiry.items
        guard expiry.liveCount > 0, !items.isEmpty else { return }
        var found = 0
        for _ in 0..<(count * 4) where found < count {
            let item = items[Int.random(in: 0..<items.count, using: &rng)]
            let box = item.box
            guard box.header.isLive, box.header.expiresAtMilliseconds == item.at, Keyspace.holdsValue(box, now: now)
            else { continue }
            out.append(box)
            found += 1
        }
    }

    /// Whether an entry shows a value at `now` (not a tombstone, not expired).
    static func holdsValue(_ box: EntryBox, now: Now) -> Bool {
        let expires = box.header.expiresAtMilliseconds
        if expires != 0 && expires <= now.wall.milliseconds { return false }
        switch box.header.state {
        case .string, .counter: return true
        case .tombstone: return false
        case .extended: return box.header.extended!.object.exists(at: now.wall)
        }
    }
}
