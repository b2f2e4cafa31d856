import Testing

@testable import HearsayCore

@Suite("Anti-entropy messages and tree")
struct AntiEntropyCodecTests {
    func sample() -> ExchangeMessage {
        var m = ExchangeMessage(session: 300, sequence: 5, fromInitiator: false)
        m.hasMore = true
        m.nodes = [
            .init(
                parent: .init(depth: 3, index: 5), childDepth: 6,
                fingerprints: Array(1...8), counts: [0, 1, 2, 300, 4, 5, 6, 7])
        ]
        m.keyLists = [.init(node: .init(depth: 9, index: 400), fingerprints: [7, 8, 9])]
        m.pulls = [0xDEAD_BEEF]
        var object = StoredObject()
        object.set(
            Array("v".utf8), by: NodeID(1), at: HybridTimestamp(physicalMilliseconds: 5, logical: 0),
            now: WallTime(milliseconds: 5))
        m.objects = [.init(key: Array("k".utf8), encodedObject: object.encoded)]
        return m
    }

    @Test func message_roundTripsThroughItsEncoding_withExactSize() throws {
        let m = sample()
        #expect(m.encoded.count == m.encodedByteCount)
        #expect(try ExchangeMessage(decoding: m.encoded) == m)
        var opening = ExchangeMessage(session: 1, sequence: 0, fromInitiator: true)
        opening.opening = .init(partition: 200, leafBits: 6, salt: 0x1234_5678_9ABC_DEF0, root: 42)
        #expect(try ExchangeMessage(decoding: opening.encoded) == opening)
        #expect(opening.frameType == .merkleRequest && m.frameType == .merkleReply)
    }

    @Test func garbage_isRejectedWithDecodeError_neverATrap() {
        let valid = sample().encoded
        // Every truncation.
        for n in 0..<valid.count {
            #expect(throws: DecodeError.self, "truncated to \(n)") { try ExchangeMessage(decoding: Array(valid[..<n])) }
        }
        #expect(throws: DecodeError.self, "trailing byte") { try ExchangeMessage(decoding: valid + [0]) }
        var version = valid
        version[0] = 9
        #expect(throws: DecodeError.unsupportedVersion(9)) { try ExchangeMessage(decoding: version) }
        var flags = valid
        flags[1] |= 0x40
        #expect(throws: DecodeError.self, "unknown flag") { try ExchangeMessage(decoding: flags) }
        var outsideDepth = sample()
        outsideDepth.keyLists[0].node.index = 1 << 9
        #expect(throws: DecodeError.self, "index outside its depth") {
            try ExchangeMessage(decoding: outsideDepth.encoded)
        }
        var badObject = sample()
        badObject.objects[0].encodedObject = [1, 0xFF]
        #expect(throws: DecodeError.self, "object") { try ExchangeMessage(decoding: badObject.encoded) }
        // Random bytes and random single-byte corruptions: rejected or decoded, never a trap.
        var rng = SeededGenerator(seed: 0xAE)
        var rejected = 0
        for _ in 0..<2_000 {
            var bytes = valid
            bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            if (try? ExchangeMessage(decoding: bytes)) == nil { rejected += 1 }
            let noise = (0..<Int.random(in: 0..<64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if (try? ExchangeMessage(decoding: noise)) == nil { rejected += 1 }
        }
        #expect(rejected > 2_000, "most garbage is rejected: \(rejected) of 4000, seed=0xAE")
    }

    @Test func merkleRoot_changesWithAnyLeaf_andRootsCoverEveryPartition() {
        var ks = AntiEntropyFixture.keyspace(partitions: 4)
        let before = MerkleTree.roots(of: ks)
        #expect(before.count == 4 && Set(before).count == 1, "empty partitions share a root")
        let tree = MerkleTree(keyspace: ks, partition: 2)
        #expect(tree.levels.map(\.count) == [1, 8, 64])
        #expect(MerkleTree.storedDepths(leafBits: 4) == [0, 3, 4])
        AntiEntropyFixture.write(&ks, Array("x".utf8)) {
            $0.set(
                Array("1".utf8), by: NodeID(1), at: HybridTimestamp(physicalMilliseconds: 1, logical: 0),
                now: AntiEntropyFixture.now.wall)
        }
        let after = MerkleTree.roots(of: ks)
        let p = ks.partition(ofHash: StableHash.hash(Array("x".utf8)))
        for q in 0..<4 { #expect((after[q] != before[q]) == (q == p), "only partition \(p) changed, q=\(q)") }
        var leaves = Array(ks.leaves(ofPartition: 0))
        for i in leaves.indices {
            leaves[i] &+= 1
            #expect(MerkleTree(leaves: leaves[...]).root != before[0], "leaf \(i) reaches the root")
            leaves[i] &-= 1
        }
    }
}
