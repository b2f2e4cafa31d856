import HearsayTestSupport
import Testing

@testable import HearsayCore

/// HS.SIBLINGKEYS [count]: keys holding more than one sibling, with their sibling counts.
struct InspectionSiblingKeysTests {
    /// Keys with 2 and 3 siblings, and keys with one value, a counter, a set and a tombstone.
    static func populated() -> CommandHarness {
        var h = CommandHarness.clustered()
        h.run("SET", "two", "a")
        h.run("HS.SETCTX", "two", "b", "")
        h.run("SET", "three", "a")
        h.run("HS.SETCTX", "three", "b", "")
        h.run("HS.SETCTX", "three", "c", "")
        h.run("SET", "one", "a")
        h.run("INCR", "counter")
        h.run("SADD", "set", "x")
        h.run("SET", "deleted", "a")
        h.run("DEL", "deleted")
        return h
    }

    @Test func siblingKeys_shouldListExactlyTheKeysWithSeveralSiblings() {
        var h = Self.populated()
        let rows = h.value("HS.SIBLINGKEYS").items
        var found: [String: Int64] = [:]
        for row in rows {
            #expect(row.items.count == 2)
            if let key = row.items.first?.text, let n = row.items.last?.int { found[key] = n }
        }
        #expect(found == ["two": 2, "three": 3])
        // Table order: partition by partition.
        let partitions = rows.compactMap { $0.items.first?.text }.map { h.partition(of: $0) }
        #expect(partitions == partitions.sorted())
    }

    @Test func siblingKeys_afterAWriteThatSawThem_shouldDropTheKey() {
        var h = Self.populated()
        h.run("SET", "two", "resolved")
        let keys = h.value("HS.SIBLINGKEYS").items.compactMap { $0.items.first?.text }
        #expect(keys == ["three"])
    }

    @Test func siblingKeys_withACount_shouldReturnAtMostThatMany() {
        var h = CommandHarness.clustered()
        for i in 0..<150 {
            h.run("SET", "k\(i)", "a")
            h.run("HS.SETCTX", "k\(i)", "b", "")
        }
        #expect(h.value("HS.SIBLINGKEYS").items.count == 100)
        #expect(h.value("HS.SIBLINGKEYS", "7").items.count == 7)
        #expect(h.value("HS.SIBLINGKEYS", "10000").items.count == 150)
    }

    @Test func siblingKeys_withABadCount_shouldAnswerAnError() {
        var h = CommandHarness.clustered()
        let error = err("ERR count must be 1 to 10000")
        #expect(h.run("HS.SIBLINGKEYS", "0") == error)
        #expect(h.run("HS.SIBLINGKEYS", "10001") == error)
        #expect(h.run("HS.SIBLINGKEYS", "x") == error)
        #expect(h.run("HS.SIBLINGKEYS", "1", "2") == syntaxError)
        #expect(h.run("HS.SIBLINGKEYS") == emptyArray)
    }
}
