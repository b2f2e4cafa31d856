import HearsayTestSupport
import Testing

@testable import HearsayCore

/// HS.DIGEST partition KEYS [leaf]: the keys behind a partition's Merkle leaves.
struct InspectionDigestKeysTests {
    /// One key of each type in partition 3, plus a tombstone and a key with two siblings.
    static func populated() -> (CommandHarness, [String]) {
        var h = CommandHarness.clustered()
        let keys = h.keys(inPartition: 3, count: 6)
        h.run("SET", keys[0], "plain")
        h.run("INCRBY", keys[1], "5")
        h.run("SADD", keys[2], "a", "b")
        h.run("HSET", keys[3], "f", "v")
        h.run("SET", keys[4], "gone")
        h.run("DEL", keys[4])
        h.run("SET", keys[5], "first")
        // A write that saw nothing: concurrent with "first", so both stay as siblings.
        h.run("HS.SETCTX", keys[5], "second", "")
        return (h, keys)
    }

    @Test func keys_ofAPartition_shouldListEveryEntryWithDigestTypeSiblingsAndVersion() throws {
        var (h, keys) = Self.populated()
        let reply = h.value("HS.DIGEST", "3", "KEYS")
        let rows = reply.items
        #expect(rows.count == keys.count)
        var byKey: [String: [RESPTestValue]] = [:]
        for row in rows {
            #expect(row.items.count == 5)
            byKey[row.items[0].text ?? ""] = row.items
        }
        let expected: [(String, Int64)] = [
            ("string", 1), ("counter", 1), ("set", 1), ("hash", 1), ("tombstone", 0), ("string", 2),
        ]
        for (key, (type, siblings)) in zip(keys, expected) {
            let row = try #require(byKey[key], "missing \(key)")
            #expect(row[1].text?.count == 16 && UInt64(row[1].text!, radix: 16) != nil)
            #expect(row[2] == .simple(type), "\(key): \(row[2])")
            #expect(row[3] == .integer(siblings), "\(key): \(row[3])")
            #expect(!(row[4].text ?? "").isEmpty)
        }
        // A compact key's version is its one dot: writer:counter.
        #expect(byKey[keys[0]]![4].text == "\(h.node.writer):1")
        // The siblings' version vector names the writer once, with the later counter.
        #expect(byKey[keys[5]]![4].text!.hasPrefix("\(h.node.writer):"))
    }

    @Test func keyDigests_perLeaf_shouldSumToThatLeafsDigest() throws {
        var (h, _) = Self.populated()
        let leaves = h.value("HS.DIGEST", "3").items.compactMap(\.text)
        #expect(leaves.count == 64)
        var union: [String] = []
        for leaf in 0..<64 {
            let rows = h.value("HS.DIGEST", "3", "KEYS", "\(leaf)").items
            var sum: UInt64 = 0
            for row in rows {
                let key = row.items[0].text!
                #expect(h.leaf(of: key) == leaf)
                sum &+= UInt64(row.items[1].text!, radix: 16)!
                union.append(key)
            }
            #expect(Node.hex(sum) == leaves[leaf], "leaf \(leaf)")
        }
        let all = h.value("HS.DIGEST", "3", "KEYS").items.compactMap { $0.items.first?.text }
        #expect(union.sorted() == all.sorted())
    }

    @Test func keys_afterAWrite_shouldShowTheChangedDigestOnly() throws {
        var (h, keys) = Self.populated()
        let before = h.value("HS.DIGEST", "3", "KEYS").items
        h.run("SET", keys[0], "changed")
        let after = h.value("HS.DIGEST", "3", "KEYS").items
        let changed = Set(before.map(\.items)).symmetricDifference(Set(after.map(\.items)))
        #expect(Set(changed.compactMap { $0.first?.text }) == [keys[0]])
    }

    @Test func keys_ofAnEmptyPartitionOrLeaf_shouldBeAnEmptyArray() {
        var h = CommandHarness.clustered()
        #expect(h.run("HS.DIGEST", "7", "KEYS") == emptyArray)
        #expect(h.run("HS.DIGEST", "7", "KEYS", "63") == emptyArray)
    }

    @Test func keys_withBadArguments_shouldAnswerRedisStyleErrors() {
        var h = CommandHarness.clustered()
        #expect(h.run("HS.DIGEST", "256", "KEYS") == err("ERR partition out of range"))
        #expect(h.run("HS.DIGEST", "-1", "KEYS") == err("ERR partition out of range"))
        #expect(h.run("HS.DIGEST", "x", "KEYS", "0") == err("ERR partition out of range"))
        #expect(h.run("HS.DIGEST", "0", "KEYS", "64") == err("ERR leaf out of range"))
        #expect(h.run("HS.DIGEST", "0", "KEYS", "-1") == err("ERR leaf out of range"))
        #expect(h.run("HS.DIGEST", "0", "KEYS", "x") == err("ERR leaf out of range"))
        #expect(h.run("HS.DIGEST", "0", "LEAVES") == syntaxError)
        #expect(h.run("HS.DIGEST", "0", "KEYS", "1", "2") == syntaxError)
    }

    @Test func keys_pastTheBound_shouldReturnTheFirstTenThousand() throws {
        var settings = NodeSettings()
        settings.partitionCount = 1
        var h = CommandHarness.clustered(settings: settings)
        for i in 0..<(Node.maxDigestKeys + 5) { h.run("SET", "key-\(i)", "v") }
        let rows = h.value("HS.DIGEST", "0", "KEYS").items
        #expect(rows.count == Node.maxDigestKeys)
        #expect(Set(rows.compactMap { $0.items.first?.text }).count == Node.maxDigestKeys)
    }
}
