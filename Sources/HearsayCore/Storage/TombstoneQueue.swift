/// Every partition's tombstones in the order they were stored locally, for purging by causal
/// stability: the oldest tombstone of a partition is the first that can become purgeable.
///
/// Items are validated lazily, like `ExpiryHeap`'s: an item is current while its entry is in
/// the store, is a tombstone, and still carries the store time the item recorded (an entry
/// that changed again was queued again with its new time). Stale items are dropped when they
/// reach the head, and `compactIfSparse` sweeps them once they outnumber live tombstones, so
/// the queues hold at most 2x the tombstones plus 1,024 items.
struct TombstoneQueue {
    struct Item {
        /// Local time (ms) the tombstone was stored; also kept in the entry's header.
        var storedAt: Int64
        var box: EntryBox
    }

    /// Per partition: items in arrival order, and how many at the front are consumed.
    var items: [[Item]]
    var heads: [Int]
    /// Items queued in all partitions, stale ones included.
    private(set) var count = 0
    /// Whether this queue holds eviction markers (purged after a shorter grace) rather than
    /// deletes' tombstones: an entry that changed kind is stale here and queued in the other.
    let markers: Bool

    init(partitionCount: Int, markers: Bool) {
        items = Array(repeating: [], count: partitionCount)
        heads = Array(repeating: 0, count: partitionCount)
        self.markers = markers
    }

    func isCurrent(_ item: Item) -> Bool {
        item.box.header.isLive && Keyspace.isTombstone(item.box)
            && Keyspace.tombstoneStoredAt(item.box) == item.storedAt
            && item.box.header.isEvictionMarker == markers
    }

    mutating func push(_ storedAt: Int64, _ box: EntryBox, partition p: Int) {
        items[p].append(Item(storedAt: storedAt, box: box))
        count += 1
    }

    /// The partition's oldest current item, stale items before it dropped.
    mutating func head(ofPartition p: Int) -> Item? {
        while heads[p] < items[p].count {
            let item = items[p][heads[p]]
            if isCurrent(item) { return item }
            popHead(ofPartition: p)
        }
        return nil
    }

    mutating func popHead(ofPartition p: Int) {
        heads[p] += 1
        count -= 1
        if heads[p] == items[p].count {
            items[p].removeAll(keepingCapacity: items[p].count <= 64)
            heads[p] = 0
        } else if heads[p] > 64 && heads[p] * 2 > items[p].count {
            items[p].removeFirst(heads[p])
            heads[p] = 0
        }
    }

    mutating func compactIfSparse(tombstones: Int) {
        guard count > 2 * tombstones + 1_024 else { return }
        count = 0
        for p in items.indices {
            items[p] = items[p][heads[p]...].filter(isCurrent)
            heads[p] = 0
            count += items[p].count
        }
    }

    mutating func removeAll() {
        for p in items.indices {
            items[p] = []
            heads[p] = 0
        }
        count = 0
    }
}
