import Testing

@testable import HearsayCore

/// The hint store's bookkeeping against a plain model (a list per owner, oldest first) on
/// random operations: the same hints, order, bytes, merges, bounds and acknowledgements.
struct HintStoreTests {
    static func object(_ value: String, by writer: UInt64, counter: UInt64) -> StoredObject {
        var object = StoredObject()
        object.set(
            Array(value.utf8), expiry: .never, by: NodeID(writer),
            at: HybridTimestamp(physicalMilliseconds: Int64(counter), logical: 0), now: WallTime(milliseconds: 0))
        return object
    }

    @Test func randomOperations_matchAListModel() {
        var limits = HintStore.Limits()
        limits.maxHintsPerOwner = 40
        limits.maxAgeMilliseconds = 5_000
        var store = HintStore(limits: limits)
        var model: [NodeID: [(key: [UInt8], createdAt: Int64)]] = [:]
        var rng = SeededGenerator(seed: 31)
        let owners = [NodeID(7), NodeID(8)]
        var now: Int64 = 0
        var counter: UInt64 = 0
        for round in 0..<20_000 {
            now += Int64(rng.next() % 3)
            let owner = owners[Int(rng.next() % 2)]
            let key = Array("k\(rng.next() % 60)".utf8)
            switch rng.next() % 10 {
            case 0..<6:
                counter += 1
                store.store(
                    owner: owner, key: key, object: Self.object("v\(counter)", by: 1, counter: counter),
                    now: Instant(milliseconds: now))
                // A hint for a key already held takes the write in and becomes the newest.
                model[owner]?.removeAll { $0.key == key }
                model[owner, default: []].append((key, now))
                if model[owner]!.count > limits.maxHintsPerOwner { model[owner]!.removeFirst() }
            case 6, 7:
                let due = store.due(
                    for: owner, now: Instant(milliseconds: now), resendAfterMilliseconds: 1_000, limit: 5)
                for hint in due where rng.next() % 2 == 0 {
                    store.acknowledge(owner: owner, id: hint.id)
                    model[owner]?.removeAll { $0.key == hint.key }
                }
            case 8:
                store.expire(now: Instant(milliseconds: now))
                for o in owners { model[o]?.removeAll { now - $0.createdAt > limits.maxAgeMilliseconds } }
            default:
                let expected = owners.contains { model[$0]?.contains { $0.key == key } ?? false }
                #expect((store.object(for: key) != nil) == expected, "seed 31 round \(round)")
            }
            for o in owners {
                let held = store.owners[o]?.hints.map(\.key) ?? []
                #expect(held == (model[o] ?? []).map(\.key), "seed 31 round \(round) owner \(o)")
                let bytes = store.owners[o]?.hints.reduce(0) { $0 + $1.bytes } ?? 0
                #expect(store.owners[o]?.bytes ?? 0 == bytes, "seed 31 round \(round)")
                #expect(store.stats[o]?.pending ?? 0 == held.count)
            }
        }
    }

    /// A merged hint's age counts from its latest write (an acknowledged write must not age
    /// out with the hint it joined), and an ack for the earlier version deletes nothing.
    @Test func aMergedHint_agesFromItsLatestWrite_andIgnoresAnAckForItsOlderVersion() {
        var limits = HintStore.Limits()
        limits.maxAgeMilliseconds = 1_000
        var store = HintStore(limits: limits)
        let key = Array("k".utf8)
        store.store(
            owner: NodeID(7), key: key, object: Self.object("a", by: 1, counter: 1), now: Instant(milliseconds: 0))
        let sent = store.due(for: NodeID(7), now: Instant(milliseconds: 900), resendAfterMilliseconds: 100, limit: 10)
        store.store(
            owner: NodeID(7), key: key, object: Self.object("b", by: 1, counter: 2), now: Instant(milliseconds: 950))
        store.acknowledge(owner: NodeID(7), id: sent[0].id)
        store.expire(now: Instant(milliseconds: 1_500))
        #expect(store.object(for: key)?.register.map(\.value) == [Array("b".utf8)])
        store.expire(now: Instant(milliseconds: 2_000))
        #expect(store.object(for: key) == nil)
    }

    @Test func aSecondHintForAKey_mergesIntoTheFirst() {
        var store = HintStore()
        store.store(
            owner: NodeID(7), key: Array("k".utf8), object: Self.object("a", by: 1, counter: 1),
            now: Instant(milliseconds: 0))
        store.store(
            owner: NodeID(7), key: Array("k".utf8), object: Self.object("b", by: 2, counter: 1),
            now: Instant(milliseconds: 1))
        #expect(store.pendingCount == 1)
        #expect(store.object(for: Array("k".utf8))?.register.count == 2)
    }

    /// An eviction removes from the hints exactly what it removed from the node's copy: a
    /// hint it covers goes, a hint with a write it did not see keeps that write.
    @Test func anEviction_removesFromHintsWhatItSaw() {
        var store = HintStore()
        let covered = Array("c".utf8)
        let mixed = Array("m".utf8)
        let seen = Self.object("a", by: 1, counter: 1)
        store.store(owner: NodeID(7), key: covered, object: seen, now: Instant(milliseconds: 0))
        store.store(owner: NodeID(8), key: covered, object: seen, now: Instant(milliseconds: 0))
        store.store(owner: NodeID(7), key: mixed, object: seen, now: Instant(milliseconds: 0))
        store.store(
            owner: NodeID(7), key: mixed, object: Self.object("b", by: 2, counter: 1), now: Instant(milliseconds: 1))
        var marker = seen
        marker.delete(now: WallTime(milliseconds: 5))
        store.applyEviction(covered, marker: marker)
        store.applyEviction(mixed, marker: marker)
        #expect(store.object(for: covered) == nil)
        #expect(store.object(for: mixed)?.register.map(\.value) == [Array("b".utf8)])
        #expect(store.pendingCount == 1 && store.pendingBytes > 0)
    }
}
