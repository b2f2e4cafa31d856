import Testing

@testable import HearsayCore

/// The replication fast paths against the general ones: a replica merging a string write
/// straight from its bytes (`mergeSingleWrite`) against decode-and-merge, and a coordinator
/// encoding a compact entry directly against encoding the materialised object, on random
/// states.
@Suite struct ReplicationFastPathTests {
    static let now = AntiEntropyFixture.now
    static let writers = [NodeID(0xA1), NodeID(0xB2)]

    static func node() -> Node {
        var settings = NodeSettings()
        settings.writerID = 0xA1
        var node = Node(settings: settings)
        node.store.keyspace.purgesTombstonesAtOnce = false
        return node
    }

    /// A SET of a random value, with or without an expiry.
    static func randomSet(
        _ object: inout StoredObject, prefix: String, values: UInt64, by writer: NodeID, _ rng: inout SeededGenerator
    ) {
        let expiry: StoredObject.SetExpiry =
            Bool.random(using: &rng) ? .never : .at(now.wall.adding(milliseconds: 5_000))
        object.set(
            Array("\(prefix)\(rng.next() % values)".utf8), expiry: expiry, by: writer,
            at: AntiEntropyFixture.stamp(&rng), now: now.wall)
    }

    static func stored(_ node: inout Node, _ key: [UInt8]) -> (StoredObject?, ArraySlice<UInt64>) {
        let object = key.withUnsafeBytes {
            node.store.keyspace.entry(KeyRef($0), now: now).map(CompactObject.materialize)
        }
        let partition = node.keyspace.partition(ofHash: StableHash.hash(key))
        return (object, node.keyspace.leaves(ofPartition: partition))
    }

    @Test func fastPath_agreesWithTheGeneralMerge_onRandomStates() {
        let seed: UInt64 = 77
        var rng = SeededGenerator(seed: seed)
        var fastPathTaken = 0
        let cases = 5_000
        for round in 0..<cases {
            let key = Array("k\(round % 7)".utf8)
            // Two replicas, each written by its own writer (so every dot is one write), that
            // exchange states in any order: `local` is this replica (writer A), `incoming` a
            // snapshot the other (writer B) sent, possibly an old one.
            let (a, b) = (Self.writers[0], Self.writers[1])
            var local = StoredObject()
            var remote = StoredObject()
            var snapshots = [remote]
            for _ in 0..<Int.random(in: 1...6, using: &rng) {
                switch Int.random(in: 0..<5, using: &rng) {
                case 0, 1:
                    if Int.random(in: 0..<4, using: &rng) == 0 {
                        AntiEntropyFixture.randomWrite(&remote, key: Int.random(in: 0..<4, using: &rng), by: b, &rng)
                    } else {
                        Self.randomSet(&remote, prefix: "w", values: 100, by: b, &rng)
                    }
                    snapshots.append(remote)
                case 2:
                    AntiEntropyFixture.randomWrite(&local, key: Int.random(in: 0..<4, using: &rng), by: a, &rng)
                case 3:
                    local.merge(snapshots.randomElement(using: &rng)!)
                default:
                    remote.merge(local)
                    snapshots.append(remote)
                }
            }
            let incoming = snapshots.randomElement(using: &rng)!
            let hasLocal = local != StoredObject()
            let bytes = incoming.encoded

            var fast = Self.node()
            var general = Self.node()
            // The node minted every dot of its own writer that its store holds.
            fast.store.lastDot = local.context.maxCounter(for: a)
            general.store.lastDot = fast.store.lastDot
            for index in 0..<2 where hasLocal {
                key.withUnsafeBytes { raw in
                    let ref = KeyRef(raw)
                    if index == 0 {
                        fast.store.keyspace.putObject(ref, existing: nil, object: local, now: Self.now)
                    } else {
                        general.store.keyspace.putObject(ref, existing: nil, object: local, now: Self.now)
                    }
                }
            }
            general.store.mergeRemote(key, incoming, now: Self.now)
            guard let single = EncodedSingleWrite(bytes) else { continue }
            let merged = key.withUnsafeBytes { key in
                bytes.withUnsafeBytes { fast.store.mergeSingleWrite(key, single, in: $0, now: Self.now) }
            }
            guard merged else {
                // Declined: it must have changed nothing.
                var untouched = Self.node()
                if hasLocal {
                    key.withUnsafeBytes {
                        untouched.store.keyspace.putObject(KeyRef($0), existing: nil, object: local, now: Self.now)
                    }
                }
                #expect(Self.stored(&fast, key) == Self.stored(&untouched, key), "seed \(seed) round \(round)")
                continue
            }
            fastPathTaken += 1
            #expect(Self.stored(&fast, key) == Self.stored(&general, key), "seed \(seed) round \(round)")
            #expect(fast.store.lastDot == general.store.lastDot, "seed \(seed) round \(round)")
        }
        // Most incoming writes are single writes, and a good share of them merge on the fast path.
        #expect(fastPathTaken > cases / 5, "fast path taken \(fastPathTaken) of \(cases)")
    }

    @Test func decoder_refusesAnythingButOnePlainStringWrite() {
        var rng = SeededGenerator(seed: 5)
        var object = StoredObject()
        object.set(
            Array("v".utf8), expiry: .never, by: Self.writers[0], at: AntiEntropyFixture.stamp(&rng), now: Self.now.wall
        )
        let bytes = object.encoded
        #expect(EncodedSingleWrite(bytes) != nil)
        for cut in 0..<bytes.count { #expect(EncodedSingleWrite(Array(bytes[..<cut])) == nil, "cut \(cut)") }
        #expect(EncodedSingleWrite(bytes + [0]) == nil)
        // Inside a larger message: found at its range, refused at any shorter one.
        let message = [7, 7] + bytes + [0, 0, 1]
        let range = 2..<(2 + bytes.count)
        #expect(EncodedSingleWrite(message, in: range)?.dot == EncodedSingleWrite(bytes)?.dot)
        #expect(EncodedSingleWrite(message, in: range.lowerBound..<(range.upperBound - 1)) == nil)
        var sibling = object
        sibling.merge(
            {
                var other = StoredObject()
                other.set(Array("x".utf8), expiry: .never, by: Self.writers[1], at: .zero, now: Self.now.wall)
                return other
            }())
        #expect(EncodedSingleWrite(sibling.encoded) == nil)
        var counter = StoredObject()
        _ = try? counter.increment(by: 1, by: Self.writers[0], at: .zero, now: Self.now.wall)
        #expect(EncodedSingleWrite(counter.encoded) == nil)
    }

    @Test func compactEncoding_equalsTheMaterialisedObjectsEncoding_onRandomEntries() {
        var rng = SeededGenerator(seed: 78)
        var node = Self.node()
        for round in 0..<3_000 {
            let key = Array("e\(round % 50)".utf8)
            var object =
                key.withUnsafeBytes {
                    node.store.keyspace.entry(KeyRef($0), now: Self.now).map(CompactObject.materialize)
                } ?? StoredObject()
            let writer = Self.writers.randomElement(using: &rng)!
            if Int.random(in: 0..<3, using: &rng) == 0 {
                AntiEntropyFixture.randomWrite(&object, key: Int.random(in: 0..<4, using: &rng), by: writer, &rng)
            } else {
                Self.randomSet(&object, prefix: "v", values: 1_000, by: writer, &rng)
            }
            key.withUnsafeBytes { raw in
                let ref = KeyRef(raw)
                let entry = node.store.keyspace.entry(ref, now: Self.now)
                if let stored = node.store.keyspace.putObject(ref, existing: entry, object: object, now: Self.now) {
                    let expected = CompactObject.materialize(stored).encoded
                    #expect(CompactObject.encoded(stored) == expected, "seed 78 round \(round)")
                    #expect((try? StoredObject(decoding: CompactObject.encoded(stored))) == object)
                }
            }
        }
    }
}
