import HearsayCore

/// A binary min-heap of deadlines: what one uv_timer drives. Entries with equal
/// deadlines come out in insertion order, so a run is reproducible.
struct PeerTimerHeap<Element> {
    private var entries: [(at: Instant, order: UInt64, element: Element)] = []
    private var nextOrder: UInt64 = 0

    var count: Int { entries.count }
    var isEmpty: Bool { entries.isEmpty }
    /// The earliest deadline, if any.
    var earliest: Instant? { entries.first?.at }

    mutating func insert(_ element: Element, at: Instant) {
        entries.append((at, nextOrder, element))
        nextOrder &+= 1
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard precedes(child, parent) else { break }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the earliest entry if it is due at `now`.
    mutating func popDue(now: Instant) -> (at: Instant, element: Element)? {
        guard let first = entries.first, first.at <= now else { return nil }
        let last = entries.removeLast()
        if !entries.isEmpty {
            entries[0] = last
            siftDown(0)
        }
        return (first.at, first.element)
    }

    mutating func removeAll() { entries.removeAll() }

    private func precedes(_ a: Int, _ b: Int) -> Bool {
        let x = entries[a]
        let y = entries[b]
        return x.at != y.at ? x.at < y.at : x.order < y.order
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < entries.count else { return }
            var best = left
            if left + 1 < entries.count && precedes(left + 1, left) { best = left + 1 }
            guard precedes(best, parent) else { return }
            entries.swapAt(best, parent)
            parent = best
        }
    }
}
