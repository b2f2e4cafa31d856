import Testing

@testable import HearsayCore

@Suite struct CommandKeyTests {
    @Test func delUnlinkExistsCountRepeatedKeys() {
        var h = CommandHarness()
        h.run("MSET", "a", "1", "b", "2", "c", "3")
        #expect(h.run("EXISTS", "a", "a", "b", "missing") == int(3))
        #expect(h.run("DEL", "a", "a", "missing") == int(1))
        #expect(h.run("UNLINK", "b", "c", "b") == int(2))
        #expect(h.run("EXISTS", "a", "b", "c") == int(0))
        #expect(h.run("DEL") == arity("del"))
        #expect(h.run("EXISTS") == arity("exists"))
    }

    @Test func expireSetsTTLAndNonPositiveDeletes() {
        var h = CommandHarness()
        h.run("SET", "k", "v")
        #expect(h.run("EXPIRE", "k", "100") == int(1))
        #expect(h.run("TTL", "k") == int(100))
        #expect(h.run("PTTL", "k") == int(100_000))
        #expect(h.run("PEXPIRE", "k", "1500") == int(1))
        #expect(h.run("TTL", "k") == int(2))  // 1.5 s rounds to 2, as Redis
        #expect(h.run("EXPIRE", "missing", "10") == int(0))
        #expect(h.run("EXPIRE", "k", "-1") == int(1))
        #expect(h.run("EXISTS", "k") == int(0))
        h.run("SET", "k", "v")
        #expect(h.run("PEXPIRE", "k", "0") == int(1))
        #expect(h.run("GET", "k") == nullBulk)
        h.run("SET", "k", "v")
        #expect(h.run("EXPIREAT", "k", "1") == int(1))
        #expect(h.run("EXISTS", "k") == int(0))
    }

    @Test func expireAtAndExpireTimeRoundTrip() {
        var h = CommandHarness()
        h.run("SET", "k", "v")
        let at = h.nowSeconds + 1000
        #expect(h.run("EXPIREAT", "k", String(at)) == int(1))
        #expect(h.run("EXPIRETIME", "k") == int(at))
        #expect(h.run("PEXPIRETIME", "k") == int(at * 1000))
        #expect(h.run("PEXPIREAT", "k", String(at * 1000 + 500)) == int(1))
        #expect(h.run("EXPIRETIME", "k") == int(at + 1))  // rounded, as Redis
        #expect(h.run("PEXPIREAT", "k", String(at * 1000 + 499)) == int(1))
        #expect(h.run("EXPIRETIME", "k") == int(at))
        #expect(h.run("EXPIRETIME", "missing") == int(-2))
        #expect(h.run("PEXPIRETIME", "missing") == int(-2))
        h.run("SET", "plain", "v")
        #expect(h.run("EXPIRETIME", "plain") == int(-1))
        #expect(h.run("TTL", "plain") == int(-1))
        #expect(h.run("PTTL", "missing") == int(-2))
    }

    @Test func expireConditionsNXXXGTLT() {
        var h = CommandHarness()
        h.run("SET", "k", "v")
        #expect(h.run("EXPIRE", "k", "100", "XX") == int(0))
        #expect(h.run("EXPIRE", "k", "100", "GT") == int(0))  // no TTL counts as infinite
        #expect(h.run("EXPIRE", "k", "100", "NX") == int(1))
        #expect(h.run("EXPIRE", "k", "50", "NX") == int(0))
        #expect(h.run("EXPIRE", "k", "200", "XX") == int(1))
        #expect(h.run("EXPIRE", "k", "100", "GT") == int(0))
        #expect(h.run("EXPIRE", "k", "300", "gt") == int(1))
        #expect(h.run("EXPIRE", "k", "400", "LT") == int(0))
        #expect(h.run("EXPIRE", "k", "10", "LT") == int(1))
        #expect(h.run("TTL", "k") == int(10))
        #expect(h.run("EXPIRE", "k", "10", "XX", "GT") == int(0))
        h.run("PERSIST", "k")
        #expect(h.run("EXPIRE", "k", "10", "LT") == int(1))  // LT on no TTL applies
    }

    @Test func expireOptionErrors() {
        var h = CommandHarness()
        h.run("SET", "k", "v")
        #expect(
            h.run("EXPIRE", "k", "10", "NX", "XX")
                == err("ERR NX and XX, GT or LT options at the same time are not compatible"))
        #expect(
            h.run("EXPIRE", "k", "10", "NX", "GT")
                == err("ERR NX and XX, GT or LT options at the same time are not compatible"))
        #expect(
            h.run("EXPIRE", "k", "10", "GT", "LT")
                == err("ERR GT and LT options at the same time are not compatible"))
        #expect(h.run("EXPIRE", "k", "10", "FOO") == err("ERR Unsupported option FOO"))
        #expect(h.run("EXPIRE", "k", "abc") == notInteger)
        #expect(h.run("EXPIRE", "k", "9223372036854775807") == err("ERR invalid expire time in 'expire' command"))
        #expect(h.run("PEXPIREAT", "k", "9223372036854775807") == int(1))
        #expect(h.run("EXPIRE", "k") == arity("expire"))
    }

    @Test func persistRemovesOnlyAnExistingTTL() {
        var h = CommandHarness()
        h.run("SET", "k", "v", "EX", "100")
        #expect(h.run("PERSIST", "k") == int(1))
        #expect(h.run("PERSIST", "k") == int(0))
        #expect(h.run("PERSIST", "missing") == int(0))
        #expect(h.run("TTL", "k") == int(-1))
    }

    @Test func typeReportsStringOrNone() {
        var h = CommandHarness()
        h.run("SET", "k", "v")
        #expect(h.run("TYPE", "k") == "+string\r\n")
        #expect(h.run("TYPE", "missing") == "+none\r\n")
    }

    @Test func keysMatchesGlobPatterns() {
        var h = CommandHarness()
        h.run("MSET", "foo", "1", "fao", "2", "hello", "3", "h*llo", "4")
        #expect(Set(bulkItems(h.run("KEYS", "*"))) == ["foo", "fao", "hello", "h*llo"])
        #expect(Set(bulkItems(h.run("KEYS", "f?o"))) == ["foo", "fao"])
        #expect(bulkItems(h.run("KEYS", "h\\*llo")) == ["h*llo"])
        #expect(bulkItems(h.run("KEYS", "[a-g]ao")) == ["fao"])
        #expect(h.run("KEYS", "nothing*") == emptyArray)
    }

    @Test func scanReturnsEveryKeyAndEndsAtCursorZero() {
        var h = CommandHarness()
        var expected: Set<String> = []
        for i in 0..<1000 {
            h.run("SET", "key:\(i)", "v")
            expected.insert("key:\(i)")
        }
        for count in ["1", "10", "97", "5000"] {
            var seen: [String] = []
            var cursor = "0"
            var calls = 0
            repeat {
                let items = bulkItems(h.run("SCAN", cursor, "COUNT", count))
                cursor = items[0]
                seen += items.dropFirst()
                calls += 1
            } while cursor != "0" && calls < 10_000
            #expect(cursor == "0", "COUNT \(count) never ended")
            #expect(Set(seen) == expected, "COUNT \(count)")
            #expect(seen.count == expected.count, "COUNT \(count): a key came back twice without changes")
        }
    }

    @Test func scanKeepsKeysPresentThroughoutWhileOthersChange() {
        var h = CommandHarness()
        for i in 0..<300 { h.run("SET", "stable:\(i)", "v") }
        var seen: Set<String> = []
        var cursor = "0"
        var round = 0
        repeat {
            // Churn: add and delete other keys between calls.
            h.run("SET", "churn:\(round)", "v")
            if round > 2 { h.run("DEL", "churn:\(round - 2)") }
            let items = bulkItems(h.run("SCAN", cursor, "COUNT", "7"))
            cursor = items[0]
            seen.formUnion(items.dropFirst())
            round += 1
        } while cursor != "0" && round < 10_000
        for i in 0..<300 { #expect(seen.contains("stable:\(i)")) }
    }

    @Test func scanMatchTypeAndErrors() {
        var h = CommandHarness()
        h.run("MSET", "user:1", "a", "user:2", "b", "item:1", "c")
        var matched: Set<String> = []
        var cursor = "0"
        repeat {
            let items = bulkItems(h.run("SCAN", cursor, "MATCH", "user:*", "COUNT", "1000"))
            cursor = items[0]
            matched.formUnion(items.dropFirst())
        } while cursor != "0"
        #expect(matched == ["user:1", "user:2"])
        #expect(bulkItems(h.run("SCAN", "0", "TYPE", "hash", "COUNT", "1000")) == ["0"])
        #expect(bulkItems(h.run("SCAN", "0", "TYPE", "string", "COUNT", "1000")).count == 4)
        #expect(h.run("SCAN", "abc") == err("ERR invalid cursor"))
        #expect(h.run("SCAN", "99999999999999999999") == err("ERR invalid cursor"))
        #expect(h.run("SCAN", "0", "COUNT", "0") == syntaxError)
        #expect(h.run("SCAN", "0", "COUNT", "abc") == notInteger)
        #expect(h.run("SCAN", "0", "COUNT") == syntaxError)
        #expect(h.run("SCAN", "0", "FOO", "bar") == syntaxError)
        #expect(bulkItems(h.run("SCAN", "-1")) == ["0"])  // strtoul wraps: past the end
    }

    @Test func randomKeyPicksAnExistingKey() {
        var h = CommandHarness()
        #expect(h.run("RANDOMKEY") == nullBulk)
        h.run("SET", "only", "v")
        #expect(h.run("RANDOMKEY") == bulk("only"))
        h.run("MSET", "a", "1", "b", "2", "c", "3")
        var picked: Set<String> = []
        for _ in 0..<200 { picked.formUnion(bulkItems("*1\r\n" + h.run("RANDOMKEY"))) }
        #expect(picked.isSubset(of: ["only", "a", "b", "c"]) && picked.count > 1)
        h.run("SET", "gone", "v", "PX", "10")
        h.run("DEL", "only", "a", "b", "c")
        h.advance(milliseconds: 20)
        #expect(h.run("RANDOMKEY") == nullBulk)
    }

    @Test func lazyExpiryHidesAndRemovesKeys() {
        var h = CommandHarness()
        h.run("SET", "k", "v", "PX", "100")
        h.run("SET", "keep", "v")
        h.advance(milliseconds: 99)
        #expect(h.run("GET", "k") == bulk("v"))
        #expect(h.run("PTTL", "k") == int(1))
        h.advance(milliseconds: 1)
        #expect(h.run("GET", "k") == nullBulk)
        #expect(h.run("EXISTS", "k") == int(0))
        #expect(h.run("TTL", "k") == int(-2))
        #expect(h.run("DBSIZE") == int(1))
    }

    @Test func activeExpiryRemovesDueKeysOnTick() {
        var h = CommandHarness()
        for i in 0..<50 { h.run("SET", "short:\(i)", "v", "PX", "\(10 + i)") }
        for i in 0..<10 { h.run("SET", "long:\(i)", "v", "EX", "100") }
        h.run("SET", "forever", "v")
        #expect(h.run("DBSIZE") == int(61))
        h.advance(milliseconds: 1000)
        h.tick()
        #expect(h.run("DBSIZE") == int(11))
        #expect(h.node.store.keyspace.expiredCount >= 50)
        h.advance(milliseconds: 100_000)
        h.tick()
        #expect(h.run("DBSIZE") == int(1))
    }

    @Test func activeExpiryRespectsItsBudget() {
        var settings = NodeSettings()
        settings.activeExpiryBudgetPerTick = 10
        var h = CommandHarness(settings: settings)
        for i in 0..<25 { h.run("SET", "k\(i)", "v", "PX", "5") }
        h.advance(milliseconds: 10)
        h.tick()
        #expect(h.run("DBSIZE") == int(15))
        h.tick()
        h.tick()
        #expect(h.run("DBSIZE") == int(0))
    }

    @Test func dbsizeAndFlushall() {
        var h = CommandHarness()
        #expect(h.run("DBSIZE") == int(0))
        h.run("MSET", "a", "1", "b", "2")
        #expect(h.run("DBSIZE") == int(2))
        #expect(h.run("FLUSHALL", "FOO") == syntaxError)
        #expect(h.run("FLUSHALL") == ok)
        #expect(h.run("DBSIZE") == int(0))
        h.run("SET", "a", "1")
        #expect(h.run("FLUSHDB", "ASYNC") == ok)
        #expect(h.run("FLUSHALL", "SYNC") == ok)
        #expect(h.run("DBSIZE") == int(0))
        #expect(h.run("DBSIZE", "x") == arity("dbsize"))
    }
}
