import RESP
import Testing

@testable import HearsayCore

/// Runs a random command mix (strings, counters, sets, hashes, sibling writes, expiry,
/// deletes) and checks the store's invariants after every step:
/// - every entry's digest from its header equals its materialised object's causalDigest;
/// - a compact entry's form round-trips through StoredObject exactly;
/// - each Merkle leaf equals the sum of the digests of the keys that fall in it.
@Test func keyspace_randomCommands_keepDigestsLeavesAndCompactFormsExact() {
    for seed in UInt64(1)...12 {
        var rng = SeededGenerator(seed: seed)
        var settings = NodeSettings()
        settings.partitionCount = 16
        var h = CommandHarness(settings: settings)
        h.node.store.keyspace.purgesTombstonesAtOnce = seed % 2 == 0
        for step in 0..<600 {
            let key = "k\(Int.random(in: 0..<25, using: &rng))"
            switch Int.random(in: 0..<12, using: &rng) {
            case 0: h.run("SET", key, "v\(step)")
            case 1: h.run("SET", key, "v\(step)", "PX", "\(Int.random(in: 1...50, using: &rng))")
            case 2: h.run("INCRBY", key, "\(Int.random(in: -5...5, using: &rng))")
            case 3: h.run("DEL", key)
            case 4: h.run("SADD", key, "m\(step % 4)")
            case 5: h.run("HSET", key, "f\(step % 3)", "x")
            case 6: h.run("EXPIRE", key, "1")
            case 7: h.run("PERSIST", key)
            case 8:
                // A write from a stale context makes siblings.
                h.run("HS.SETCTX", key, "s\(step)", "")
            case 9: h.run("APPEND", key, "+")
            case 10: h.advance(milliseconds: Int64.random(in: 1...400, using: &rng))
            default: h.tick()
            }
            checkInvariants(h.node.keyspace, seed: seed, step: step)
        }
    }
}

func checkInvariants(_ keyspace: Keyspace, seed: UInt64, step: Int) {
    var leaves = [UInt64](repeating: 0, count: keyspace.leafDigests.count)
    var entries = 0
    var tombstones = 0
    for p in 0..<keyspace.partitionCount {
        keyspace.forEachEntry(inPartition: p) { box in
            entries += 1
            if Keyspace.isTombstone(box) { tombstones += 1 }
            let object = CompactObject.materialize(box)
            let digest = EntryDigest.digest(box)
            #expect(digest == object.causalDigest(keyHash: box.hash), "seed \(seed) step \(step): digest")
            if box.state != .extended {
                #expect(CompactObject.form(of: object) != nil, "seed \(seed) step \(step): compact round trip")
            } else {
                #expect(CompactObject.form(of: object) == nil, "seed \(seed) step \(step): extended but compactable")
            }
            leaves[keyspace.leaf(ofHash: box.hash)] &+= digest
        }
    }
    #expect(leaves == keyspace.leafDigests, "seed \(seed) step \(step): leaf digests")
    #expect(entries == keyspace.count && tombstones == keyspace.tombstoneCount, "seed \(seed) step \(step): counts")
}

/// Two writes from the same stale context are concurrent: both stay as siblings, GET
/// returns the one with the higher timestamp, and a write that saw both collapses them.
@Test func node_writesFromStaleContext_becomeSiblings_andAWriteThatSawThemCollapses() {
    var h = CommandHarness()
    h.run("SET", "k", "first")
    let context = bulkItems(h.run("HS.GETCTX", "k")).last!
    h.advance(milliseconds: 5)
    h.run("HS.SETCTX", "k", "left", context)
    h.advance(milliseconds: 5)
    h.run("HS.SETCTX", "k", "right", context)
    let siblings = bulkItems(h.run("HS.SIBLINGS", "k"))
    #expect(siblings.contains("left") && siblings.contains("right") && !siblings.contains("first"))
    #expect(h.run("GET", "k") == bulk("right"))
    let both = bulkItems(h.run("HS.GETCTX", "k")).last!
    h.run("HS.SETCTX", "k", "resolved", both)
    #expect(bulkItems(h.run("HS.SIBLINGS", "k")).filter { $0 == "value" }.count == 1)
    #expect(h.run("GET", "k") == bulk("resolved"))
}

/// A plain SET has seen everything this replica holds, so it replaces all siblings.
@Test func node_plainSet_replacesAllSiblings() {
    var h = CommandHarness()
    h.run("HS.SETCTX", "k", "a", "")
    h.run("HS.SETCTX", "k", "b", "")
    #expect(bulkItems(h.run("HS.SIBLINGS", "k")).filter { $0 == "value" }.count == 2)
    h.run("SET", "k", "c")
    #expect(bulkItems(h.run("HS.SIBLINGS", "k")).filter { $0 == "value" }.count == 1)
    #expect(h.run("GET", "k") == bulk("c"))
}

/// A malformed context is refused with an error and changes nothing.
@Test func node_setWithGarbageContext_isRefused() {
    var h = CommandHarness()
    h.run("SET", "k", "v")
    #expect(h.run("HS.SETCTX", "k", "w", "!!not-a-context!!") == err("ERR invalid causal context"))
    #expect(h.run("GET", "k") == bulk("v"))
}

/// Keys of each type answer TYPE, and string commands on a set or hash get WRONGTYPE.
@Test func node_types_andWrongTypeErrors() {
    var h = CommandHarness()
    h.run("SET", "s", "x")
    h.run("INCR", "c")
    h.run("SADD", "set", "a")
    h.run("HSET", "h", "f", "v")
    #expect(h.run("TYPE", "s") == "+string\r\n")
    #expect(h.run("TYPE", "c") == "+string\r\n")
    #expect(h.run("TYPE", "set") == "+set\r\n")
    #expect(h.run("TYPE", "h") == "+hash\r\n")
    let wrongType = err("WRONGTYPE Operation against a key holding the wrong kind of value")
    #expect(h.run("GET", "set") == wrongType)
    #expect(h.run("INCR", "h") == wrongType)
    #expect(h.run("SADD", "h", "x") == wrongType)
    #expect(h.run("HGET", "set", "f") == wrongType)
    #expect(h.run("SET", "set", "now-a-string") == ok)
    #expect(h.run("TYPE", "set") == "+string\r\n")
}

/// On a sole replica a delete leaves nothing behind; in a cluster it leaves a tombstone
/// that is invisible to reads, counts and scans.
@Test func node_delete_leavesInvisibleTombstoneWhenTombstonesWait() {
    var h = CommandHarness()
    h.node.store.keyspace.purgesTombstonesAtOnce = false
    h.run("SET", "a", "1")
    h.run("SET", "b", "2")
    h.run("DEL", "a")
    #expect(h.node.store.keyspace.count == 2 && h.node.store.keyspace.tombstoneCount == 1)
    #expect(h.run("DBSIZE") == int(1))
    #expect(h.run("EXISTS", "a") == int(0))
    #expect(bulkItems(h.run("KEYS", "*")) == ["b"])
    h.run("SET", "a", "again")
    #expect(h.run("GET", "a") == bulk("again") && h.node.store.keyspace.tombstoneCount == 0)
}

/// Expiry turns a value into a tombstone (not a silent removal) when tombstones wait, so an
/// older write still held by another replica cannot come back through a merge.
@Test func node_expiredValue_becomesTombstoneThatBlocksOlderWrite() {
    var h = CommandHarness()
    h.node.store.keyspace.purgesTombstonesAtOnce = false
    h.run("SET", "k", "old")
    let key = Array("k".utf8)
    let old = key.withUnsafeBytes { raw in
        CompactObject.materialize(h.node.store.keyspace.entry(KeyRef(raw), now: h.now)!)
    }
    h.run("SET", "k", "new", "PX", "10")
    h.advance(milliseconds: 20)
    h.tick()
    #expect(h.run("GET", "k") == nullBulk)
    let tombstone = key.withUnsafeBytes { raw in
        CompactObject.materialize(h.node.store.keyspace.entry(KeyRef(raw), now: h.now)!)
    }
    #expect(tombstone.isTombstone)
    #expect(tombstone.merged(old).value(at: h.now.wall) == nil, "the overwritten value must not return")
}

/// The store files a key under the same partition placement assigns it, or replicas would
/// compare the wrong keys.
@Test func keyspace_partitionOfKey_matchesPlacementPartition() {
    let keyspace = Keyspace(partitionCount: 256)
    let count = PartitionCount(256)
    var rng = SeededGenerator(seed: 3)
    for _ in 0..<2000 {
        let key = (0..<Int.random(in: 0...24, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let hash = KeyHash.hash(key)  // what KeyRef computes, hash tags included
        #expect(keyspace.partition(ofHash: hash) == Int(count.partition(of: key).index))
    }
}
