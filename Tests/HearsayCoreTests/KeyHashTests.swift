import Testing

@testable import HearsayCore

/// Hash tags: keys with the same tag land in one partition at every partition count, keys
/// without one hash as before, and tagged keys still hash apart from each other.
struct KeyHashTests {
    static func tag(_ key: String) -> String? {
        Array(key.utf8).withUnsafeBytes { KeyHash.tag(of: $0).map { String(decoding: $0, as: UTF8.self) } }
    }

    @Test func theTagIsBetweenTheFirstOpeningBraceAndTheNextClosingOne_asInRedisCluster() {
        #expect(Self.tag("{user:42}:name") == "user:42")
        #expect(Self.tag("cart:{user:42}") == "user:42")
        #expect(Self.tag("foo{bar}{zap}") == "bar")
        #expect(Self.tag("foo{{bar}}") == "{bar")
        #expect(Self.tag("foo{}{bar}") == nil)
        #expect(Self.tag("foo{bar") == nil)
        #expect(Self.tag("foo}bar{") == nil)
        #expect(Self.tag("plain") == nil)
    }

    @Test func keysWithOneTagShareAPartition_atEveryPartitionCount() {
        var generator = SeededGenerator(seed: 5)
        for _ in 0..<200 {
            let tag = "t\(generator.next() % 1_000_000)"
            let keys = (0..<8).map { Array("\(generator.next() % 1000):{\(tag)}:\($0)".utf8) }
            for bits in 0...16 {
                let count = PartitionCount(1 << bits)
                let partitions = Set(keys.map { count.partition(of: $0) })
                #expect(partitions == [count.partition(of: Array(tag.utf8))], "tag \(tag), \(1 << bits) partitions")
            }
            #expect(Set(keys.map(KeyHash.hash)).count == keys.count)
        }
    }

    @Test func untaggedKeysHashAsTheirBytes() {
        for key in ["hello", "", "{}", "a{b", "x}{"] {
            #expect(KeyHash.hash(Array(key.utf8)) == StableHash.hash(Array(key.utf8)), "\(key)")
        }
    }

    /// Tagged keys spread over a table's slots like any others (the key table reads the
    /// hash's top 16 bits as a filter and its low bits as the home slot).
    @Test func taggedKeysStillSpreadOverTableSlots() {
        let hashes = (0..<4096).map { KeyHash.hash(Array("{one-tag}:\($0)".utf8)) }
        #expect(Set(hashes.map { $0 >> 48 }).count > 3_000)
        #expect(Set(hashes.map { ($0 >> 1) & 4095 }).count > 2_000)
    }
}
