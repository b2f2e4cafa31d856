import Testing

@testable import HearsayCore

/// Eviction markers in the keyspace: which merged tombstones are markers, their own queue
/// and shorter grace, dropping them early, and counting evicted values that come back.
struct EvictionMarkerTests {
    typealias F = AntiEntropyFixture
    typealias T = TombstonePurgeTests

    /// A keyspace holding `key` as written by node A at `at`, then `change`d.
    static func keyspace(_ key: String, _ change: ((inout StoredObject) -> Void)? = nil) -> Keyspace {
        var ks = F.keyspace(partitions: 1)
        T.write(&ks, key, at: 10) { $0.set(Array("v".utf8), by: F.nodeA, at: T.ts(10), now: F.now.wall) }
        if let change { T.write(&ks, key, at: 20, change) }
        return ks
    }

    static func box(_ ks: Keyspace, _ key: String) -> EntryBox? {
        Array(key.utf8).withUnsafeBytes { ks.peek(KeyRef($0)) }
    }

    /// The object an eviction on a copy of `ks` leaves for `key`.
    static func evicted(_ ks: Keyspace, _ key: String) -> StoredObject {
        var object = CompactObject.materialize(box(ks, key)!)
        object.delete(now: F.now.wall)
        return object
    }

    static func merge(_ ks: inout Keyspace, _ key: String, _ object: StoredObject, marker: Bool, at: Int64 = 30) {
        ks.mergeFromReplica(key: Array(key.utf8), object: object, marker: marker, now: Now(milliseconds: at))
    }

    @Test func aMarkerMergedIntoTheValueItSawIsAMarker_anyDeleteMakesItATombstone() {
        var ks = Self.keyspace("k")
        let marker = Self.evicted(ks, "k")
        Self.merge(&ks, "k", marker, marker: true)
        #expect(Self.box(ks, "k")!.header.isEvictionMarker && ks.markerCount == 1 && ks.liveCount == 0)
        // The same state as a delete's tombstone: the delete's longer wait wins.
        Self.merge(&ks, "k", marker, marker: false)
        #expect(!Self.box(ks, "k")!.header.isEvictionMarker && ks.markerCount == 0 && ks.tombstoneCount == 1)
        // A marker arriving at a delete's tombstone leaves it a delete's tombstone.
        var deleted = Self.keyspace("d") { $0.delete(now: F.now.wall) }
        Self.merge(&deleted, "d", Self.evicted(Self.keyspace("d"), "d"), marker: true)
        #expect(!Self.box(deleted, "d")!.header.isEvictionMarker && deleted.markerCount == 0)
    }

    @Test func aMarkerIsNotStoredWhereTheKeyIsAbsent() {
        var empty = F.keyspace(partitions: 1)
        empty.purgesTombstonesAtOnce = false
        Self.merge(&empty, "k", Self.evicted(Self.keyspace("k"), "k"), marker: true)
        #expect(empty.count == 0 && empty.markerCount == 0)
        // A delete's tombstone is stored there (it must outlive copies still on their way).
        Self.merge(&empty, "k", Self.evicted(Self.keyspace("k"), "k"), marker: false)
        #expect(empty.count == 1 && empty.tombstoneCount == 1)
    }

    @Test func aWriteTheMarkerDidNotSeeSurvivesIt_andTheEntryIsNoLongerAMarker() {
        var ks = Self.keyspace("k")
        let marker = Self.evicted(ks, "k")
        Self.merge(&ks, "k", marker, marker: true)
        var concurrent = StoredObject()
        concurrent.set(Array("w".utf8), by: F.nodeB, at: T.ts(25), now: F.now.wall)
        Self.merge(&ks, "k", concurrent, marker: false)
        let box = Self.box(ks, "k")!
        #expect(!Keyspace.isTombstone(box) && !box.header.isEvictionMarker && ks.markerCount == 0)
        #expect(CompactObject.materialize(box).register.map(\.value) == [Array("w".utf8)])
        // And the other way round: the marker arriving after the write removes only what it saw.
        var other = Self.keyspace("k")
        Self.merge(&other, "k", concurrent, marker: false)
        Self.merge(&other, "k", marker, marker: true)
        #expect(CompactObject.materialize(Self.box(other, "k")!).register.map(\.value) == [Array("w".utf8)])
    }

    @Test func markersWaitInTheirOwnQueue_withTheirOwnGrace() {
        var ks = F.keyspace(partitions: 1)
        ks.purgesTombstonesAtOnce = false
        ks.markerGraceMilliseconds = 100
        for key in ["a", "b"] {
            T.write(&ks, key, at: 10) { $0.set(Array("v".utf8), by: F.nodeA, at: T.ts(10), now: F.now.wall) }
        }
        Self.merge(&ks, "a", Self.evicted(ks, "a"), marker: true, at: 50)
        T.write(&ks, "b", at: 60) { $0.delete(now: F.now.wall) }
        let oldestMarker = ks.oldestTombstone(inPartition: 0, markers: true)
        let oldestTombstone = ks.oldestTombstone(inPartition: 0)
        #expect(oldestMarker == Instant(milliseconds: 50) && oldestTombstone == Instant(milliseconds: 60))
        #expect(ks.isSettledTombstone(Self.box(ks, "a")!, now: Instant(milliseconds: 150)))
        #expect(!ks.isSettledTombstone(Self.box(ks, "b")!, now: Instant(milliseconds: 150)))
        let purged = ks.purgeTombstones(
            inPartition: 0, storedBefore: Instant(milliseconds: 1_000), budget: 10, markers: true)
        #expect(purged == 1)
        #expect(ks.purgedMarkerCount == 1 && ks.markerCount == 0 && Self.box(ks, "a") == nil && ks.tombstoneCount == 1)
    }

    /// A copy the purged marker had removed, coming back, meets the marker's ghost: the marker
    /// is stored again (to go round once more), not the value. A write it never saw survives.
    @Test func aRemovedCopyComingBackRevivesItsMarker_aWriteItDidNotSeeSurvives() {
        var ks = F.keyspace(partitions: 1)
        ks.purgesTombstonesAtOnce = false
        for key in ["a", "b"] {
            T.write(&ks, key, at: 10) { $0.set(Array("v".utf8), by: F.nodeA, at: T.ts(10), now: F.now.wall) }
            Self.merge(&ks, key, Self.evicted(ks, key), marker: true, at: 50)
        }
        _ = ks.purgeTombstones(inPartition: 0, storedBefore: Instant(milliseconds: 1_000), budget: 10, markers: true)
        #expect(ks.count == 0 && ks.purgedMarkerCount == 2)
        var copy = StoredObject()
        copy.set(Array("v".utf8), by: F.nodeA, at: T.ts(10), now: F.now.wall)
        Self.merge(&ks, "a", copy, marker: false, at: 2_000)
        let revived = Self.box(ks, "a")!
        #expect(Keyspace.isTombstone(revived) && revived.header.isEvictionMarker && ks.markersRevived == 1)
        #expect(ks.oldestTombstone(inPartition: 0, markers: true) == Instant(milliseconds: 2_000))
        // A write the marker never saw (node B's) comes back as a value, siblings it saw do not.
        var concurrent = copy
        concurrent.set(Array("w".utf8), by: F.nodeB, at: T.ts(25), now: F.now.wall)
        var both = copy
        both.merge(concurrent)
        Self.merge(&ks, "b", both, marker: false, at: 2_000)
        let survived = CompactObject.materialize(Self.box(ks, "b")!)
        #expect(survived.register.map(\.value) == [Array("w".utf8)] && ks.evictedKeysReturned == 1)
        // A key never evicted is neither.
        Self.merge(&ks, "c", copy, marker: false, at: 2_000)
        #expect(ks.evictedKeysReturned == 1 && ks.markersRevived == 1)
    }

    @Test func droppingMarkersEarly_takesTheOldestOfEachPartitionInTurn() {
        var ks = F.keyspace(partitions: 4)
        ks.purgesTombstonesAtOnce = false
        let keys = (0..<20).map { "k\($0)" }
        for (i, key) in keys.enumerated() {
            T.write(&ks, key, at: 10) { $0.set(Array("v".utf8), by: F.nodeA, at: T.ts(10), now: F.now.wall) }
            Self.merge(&ks, key, Self.evicted(ks, key), marker: true, at: 100 + Int64(i))
        }
        #expect(ks.markerCount == 20)
        var dropped = 0
        while ks.dropMarkerEarly() { dropped += 1 }
        #expect(dropped == 20 && ks.markersDroppedEarly == 20 && ks.count == 0 && ks.queuedTombstoneItems >= 0)
        let more = ks.dropMarkerEarly()
        #expect(!more)
    }

    @Test func aTombstoneGivesBackItsValuesMemory() {
        var ks = F.keyspace(partitions: 1)
        ks.purgesTombstonesAtOnce = false
        let big = [UInt8](repeating: 7, count: 1_000)
        T.write(&ks, "k", at: 10) { $0.set(big, by: F.nodeA, at: T.ts(10), now: F.now.wall) }
        let withValue = ks.usedBytes
        T.write(&ks, "k", at: 20) { $0.delete(now: F.now.wall) }
        #expect(ks.tombstoneCount == 1 && ks.usedBytes < withValue - 900, "\(withValue) -> \(ks.usedBytes)")
    }
}

extension EvictionMarkerTests {
    /// An exchange carries a marker to a replica that still holds the value it removed.
    @Test func anExchangeCarriesAMarkerToAReplicaHoldingTheValue() {
        var a = F.keyspace(partitions: 1)
        var b = F.keyspace(partitions: 1)
        a.purgesTombstonesAtOnce = false
        b.purgesTombstonesAtOnce = false
        for key in (0..<50).map({ "k\($0)" }) {
            T.write(&a, key, at: 10) { $0.set(Array("v".utf8), by: F.nodeA, at: T.ts(10), now: F.now.wall) }
            T.write(&b, key, at: 10) { $0.set(Array("v".utf8), by: F.nodeA, at: T.ts(10), now: F.now.wall) }
        }
        Self.merge(&a, "k7", Self.evicted(a, "k7"), marker: true, at: 50)
        #expect(a.markerCount == 1 && a.leaves(ofPartition: 0) != b.leaves(ofPartition: 0))
        let run = AE.exchange(&a, &b, partition: 0, salt: 5, label: "marker")
        #expect(AE.isFinished(run.initiatorEnd) && AE.isFinished(run.responderEnd))
        #expect(a.leaves(ofPartition: 0) == b.leaves(ofPartition: 0), "replicas agree after one exchange")
        #expect(b.markerCount == 1, "the marker arrived as a marker")
    }
}
