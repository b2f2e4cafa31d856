/// A min-heap of (expiry time, entry) for active expiry.
///
/// Entries are validated lazily when popped: a key whose expiry changed or that
/// was deleted leaves a stale item behind, which `compactIfSparse` sweeps once
/// stale items outnumber live ones, so the heap stays within 2x the number of
/// expiring keys (plus a small constant).
@usableFromInline
struct ExpiryHeap {
    @usableFromInline struct Item {
        @usableFromInline var at: Int64
        @usableFromInline var box: EntryBox
    }

    @usableFromInline var items: [Item] = []
    /// Entries currently in the keyspace with an expiry set.
    @usableFromInline var liveCount = 0

    @usableFromInline func peek() -> Item? { items.first }

    @usableFromInline
    mutating func push(_ at: Int64, _ box: EntryBox) {
        items.append(Item(at: at, box: box))
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard items[i].at < items[parent].at else { break }
            items.swapAt(i, parent)
            i = parent
        }
        if items.count > 1024 && items.count > 2 * liveCount + 1024 { compact() }
    }

    @usableFromInline
    mutating func pop() {
        guard !items.isEmpty else { return }
        items.swapAt(0, items.count - 1)
        items.removeLast()
        siftDown(0)
    }

    mutating func siftDown(_ start: Int) {
        var i = start
        let n = items.count
        while true {
            let l = 2 * i + 1
            let r = l + 1
            var smallest = i
            if l < n && items[l].at < items[smallest].at { smallest = l }
            if r < n && items[r].at < items[smallest].at { smallest = r }
            if smallest == i { return }
            items.swapAt(i, smallest)
            i = smallest
        }
    }

    mutating func compactIfSparse() {
        if items.count > 1024 && items.count > 2 * liveCount + 1024 { compact() }
    }

    /// Drops stale items and re-heapifies.
    mutating func compact() {
        items.removeAll { !$0.box.header.isLive || $0.box.header.expiresAtMilliseconds != $0.at }
        var i = items.count / 2
        while i > 0 {
            i -= 1
            siftDown(i)
        }
    }
}
