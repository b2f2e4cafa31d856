import Testing

@testable import HearsayCore

/// Tombstone bookkeeping in the keyspace, and the exchange's rules for settled tombstones
/// and agreement, on two plain keyspaces.
@Suite("Tombstone purge")
struct TombstonePurgeTests {
    typealias F = AntiEntropyFixture

    static func ts(_ ms: Int64) -> HybridTimestamp { HybridTimestamp(physicalMilliseconds: ms, logical: 0) }

    /// Writes `key` with `change` applied to its object, storing at local time `at`.
    static func write(_ ks: inout Keyspace, _ key: String, at: Int64, _ change: (inout StoredObject) -> Void) {
        Array(key.utf8).withUnsafeBytes { raw in
            let ref = KeyRef(raw)
            let entry = ks.entry(ref, now: Now(milliseconds: at))
            var object = entry.map(CompactObject.materialize) ?? StoredObject()
            change(&object)
            ks.putObject(ref, existing: entry, object: object, now: Now(milliseconds: at))
        }
    }

    static func storedAt(_ ks: Keyspace, _ key: String) -> Int64? {
        Array(key.utf8).withUnsafeBytes { ks.peek(KeyRef($0)) }.map(Keyspace.tombstoneStoredAt)
    }

    @Test func tombstone_remembersWhenItWasStored_untilItsStateChanges() {
        var ks = F.keyspace(partitions: 4)
        Self.write(&ks, "k", at: 1_000) { $0.set(Array("v".utf8), by: F.nodeA, at: Self.ts(1_000), now: F.now.wall) }
        Self.write(&ks, "k", at: 2_000) { $0.delete(now: F.now.wall) }
        #expect(Self.storedAt(ks, "k") == 2_000)
        let sameTombstone = Array("k".utf8).withUnsafeBytes { CompactObject.materialize(ks.peek(KeyRef($0))!) }
        ks.mergeFromReplica(key: Array("k".utf8), object: sameTombstone, marker: false, now: Now(milliseconds: 5_000))
        #expect(Self.storedAt(ks, "k") == 2_000, "a merge that changes nothing keeps the store time")
        // A tombstone that has seen more (another writer's deleted write) is a new state.
        var wider = StoredObject()
        wider.set(Array("w".utf8), by: F.nodeB, at: Self.ts(900), now: F.now.wall)
        wider.delete(now: F.now.wall)
        ks.mergeFromReplica(key: Array("k".utf8), object: wider, marker: false, now: Now(milliseconds: 6_000))
        #expect(Self.storedAt(ks, "k") == 6_000)
        #expect(ks.tombstoneCount == 1 && ks.queuedTombstoneItems == 2, "one current, one stale item")
    }

    @Test func purge_removesTombstonesBeforeTheHorizon_oldestFirst_withinBudget_andTheirDigests() {
        var a = F.keyspace(partitions: 1)
        var b = F.keyspace(partitions: 1)
        Self.write(&a, "live", at: 10) { $0.set(Array("x".utf8), by: F.nodeC, at: Self.ts(10), now: F.now.wall) }
        Self.write(&b, "live", at: 10) { $0.set(Array("x".utf8), by: F.nodeC, at: Self.ts(10), now: F.now.wall) }
        for (i, at) in [100, 200, 300, 400].enumerated() {
            Self.write(&a, "gone:\(i)", at: Int64(at) - 50) {
                $0.set(Array("v".utf8), by: F.nodeA, at: Self.ts(Int64(at)), now: F.now.wall)
            }
            Self.write(&a, "gone:\(i)", at: Int64(at)) { $0.delete(now: F.now.wall) }
        }
        #expect(a.tombstoneCount == 4 && a.oldestTombstone(inPartition: 0) == Instant(milliseconds: 100))
        #expect(
            a.purgeTombstones(inPartition: 0, storedBefore: Instant(milliseconds: 300), budget: 1) == 1,
            "the budget holds")
        #expect(
            a.purgeTombstones(inPartition: 0, storedBefore: Instant(milliseconds: 300), budget: 10) == 1,
            "stops at the horizon")
        #expect(a.tombstoneCount == 2 && a.oldestTombstone(inPartition: 0) == Instant(milliseconds: 300))
        #expect(a.leaves(ofPartition: 0) != b.leaves(ofPartition: 0))
        #expect(a.purgeTombstones(inPartition: 0, storedBefore: Instant(milliseconds: 401), budget: 10) == 2)
        #expect(a.tombstoneCount == 0 && a.count == 1 && a.purgedTombstoneCount == 4)
        #expect(a.leaves(ofPartition: 0) == b.leaves(ofPartition: 0), "purged keys leave no digest behind")
        // A tombstone revived by a write is no longer queued for purging.
        Self.write(&a, "again", at: 500) { $0.set(Array("v".utf8), by: F.nodeA, at: Self.ts(500), now: F.now.wall) }
        Self.write(&a, "again", at: 510) { $0.delete(now: F.now.wall) }
        Self.write(&a, "again", at: 520) { $0.set(Array("w".utf8), by: F.nodeB, at: Self.ts(520), now: F.now.wall) }
        #expect(a.purgeTombstones(inPartition: 0, storedBefore: Instant(milliseconds: 10_000), budget: 10) == 0)
        #expect(a.count == 2 && a.oldestTombstone(inPartition: 0) == nil)
    }

    @Test func tombstoneQueue_staysWithinTwiceTheTombstonesPlusItsSlack() {
        var ks = F.keyspace(partitions: 4)
        var rng = SeededGenerator(seed: 7)
        for i in 0..<20_000 {
            let key = "k\(Int.random(in: 0..<100, using: &rng))"
            Self.write(&ks, key, at: Int64(i)) {
                if Bool.random(using: &rng) {
                    $0.set(Array("v".utf8), by: F.nodeA, at: Self.ts(Int64(i)), now: F.now.wall)
                } else {
                    $0.delete(now: F.now.wall)
                }
            }
            #expect(ks.queuedTombstoneItems <= 2 * ks.tombstoneCount + 1_024, "seed=7 step \(i)")
        }
    }

    /// Key `gone` is deleted on A; B never held it. Key `old` is live on B with the write A's
    /// tombstone removed. One exchange, A initiating.
    static func deletedOnA(graceOnA: Int64) -> (Keyspace, Keyspace, ExchangeTranscript) {
        var a = F.keyspace(partitions: 1)
        var b = F.keyspace(partitions: 1)
        a.tombstoneGraceMilliseconds = graceOnA
        let t = F.now.monotonic.milliseconds - 10
        Self.write(&a, "gone", at: t) { $0.set(Array("v".utf8), by: F.nodeA, at: Self.ts(t), now: F.now.wall) }
        Self.write(&a, "gone", at: t) { $0.delete(now: F.now.wall) }
        Self.write(&a, "old", at: t) { $0.set(Array("v".utf8), by: F.nodeC, at: Self.ts(t), now: F.now.wall) }
        Self.write(&b, "old", at: t) { $0.set(Array("v".utf8), by: F.nodeC, at: Self.ts(t), now: F.now.wall) }
        Self.write(&a, "old", at: t) { $0.delete(now: F.now.wall) }
        let run = F.exchange(&a, &b, partition: 0, salt: 99, label: "deletedOnA")
        return (a, b, run)
    }

    @Test func settledTombstone_isNotStoredWhereNothingIsHeld_butStillRemovesALiveValue() {
        let (_, b, run) = Self.deletedOnA(graceOnA: 5)
        #expect(!b.holds(key: Array("gone".utf8)), "a settled tombstone is not stored by a replica holding nothing")
        let old = Array("old".utf8).withUnsafeBytes { b.peek(KeyRef($0)) }
        #expect(old.map(Keyspace.isTombstone) == true, "the tombstone still dominates a live value")
        #expect(run.responder?.stats.settledSkipped == 1)
        #expect(run.initiator.agreed && run.responder?.agreed == true, "skipping a settled tombstone is agreement")
        let (_, fresh, _) = Self.deletedOnA(graceOnA: 60_000)
        #expect(fresh.holds(key: Array("gone".utf8)), "a tombstone within its grace period is stored")
    }

    @Test func agreement_needsAFinishedSessionWithNothingDroppedOnEitherSide() {
        var (a, b, _) = F.divergedPair(seed: 3, partitions: 1, common: 50, divergent: 0)
        let equal = F.exchange(&a, &b, partition: 0, salt: 1, label: "equal")
        #expect(equal.initiator.agreed && equal.responder?.agreed == true && equal.messages.count == 2)
        var (c, d, _) = F.divergedPair(seed: 4, partitions: 1, common: 200, divergent: 600)
        let tight = ExchangeSettings(
            maxMessageBytes: 1_024, maxObjectsPerMessage: 2, maxNodesPerMessage: 2, maxPendingItems: 16)
        let cut = F.exchange(&c, &d, partition: 0, salt: 2, settings: tight, label: "tight")
        let dropped = cut.initiator.stats.deferredDropped + (cut.responder?.stats.deferredDropped ?? 0)
        #expect(dropped > 0, "the bounds must cut work for this test to mean anything")
        #expect(!cut.initiator.agreed && cut.responder?.agreed != true, "dropped work is no agreement, seed=4")
        // Repeated exchanges converge, and the converging one agrees.
        var agreed = false
        for salt in UInt64(3)..<200 where !agreed {
            let next = F.exchange(&c, &d, partition: 0, salt: salt, settings: tight, label: "repeat")
            agreed = next.initiator.agreed && next.responder?.agreed == true
        }
        #expect(agreed && c.leaves(ofPartition: 0) == d.leaves(ofPartition: 0), "seed=4")
    }

    @Test func message_carriesSettledObjectsAndTheDroppedFlag() throws {
        var m = ExchangeMessage(session: 9, sequence: 3, fromInitiator: true)
        m.senderDropped = true
        m.objects = [
            .init(key: Array("a".utf8), encodedObject: StoredObject().encoded, settled: true),
            .init(key: Array("b".utf8), encodedObject: StoredObject().encoded),
            .init(key: Array("c".utf8), encodedObject: StoredObject().encoded, settled: true, marker: true),
            .init(key: Array("d".utf8), encodedObject: StoredObject().encoded, marker: true),
        ]
        #expect(m.encoded.count == m.encodedByteCount)
        let decoded = try ExchangeMessage(decoding: m.encoded)
        #expect(decoded == m && decoded.senderDropped && decoded.objects.map(\.settled) == [true, false, true, false])
        #expect(decoded.objects.map(\.marker) == [false, false, true, true])
    }
}
