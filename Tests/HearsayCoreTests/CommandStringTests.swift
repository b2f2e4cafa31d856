import Testing

@testable import HearsayCore

@Suite struct CommandStringTests {
    @Test func setThenGetAndMissingKeyIsNull() {
        var h = CommandHarness()
        #expect(h.run("SET", "k", "v") == ok)
        #expect(h.run("GET", "k") == bulk("v"))
        #expect(h.run("GET", "missing") == nullBulk)
        #expect(h.run("SET", "k", "") == ok)
        #expect(h.run("GET", "k") == bulk(""))
    }

    @Test func setNXAndXXRespectExistence() {
        var h = CommandHarness()
        #expect(h.run("SET", "k", "1", "XX") == nullBulk)
        #expect(h.run("SET", "k", "1", "NX") == ok)
        #expect(h.run("SET", "k", "2", "NX") == nullBulk)
        #expect(h.run("GET", "k") == bulk("1"))
        #expect(h.run("SET", "k", "3", "xx") == ok)
        #expect(h.run("GET", "k") == bulk("3"))
    }

    @Test func setGetReturnsOldValueAndCombinesWithNX() {
        var h = CommandHarness()
        #expect(h.run("SET", "k", "a", "GET") == nullBulk)
        #expect(h.run("SET", "k", "b", "GET") == bulk("a"))
        #expect(h.run("SET", "k", "c", "NX", "GET") == bulk("b"))
        #expect(h.run("GET", "k") == bulk("b"))
        #expect(h.run("SET", "new", "c", "XX", "GET") == nullBulk)
        #expect(h.run("EXISTS", "new") == int(0))
    }

    @Test func setExpiryOptionsSetAbsoluteDeadlines() {
        var h = CommandHarness()
        #expect(h.run("SET", "ex", "v", "EX", "10") == ok)
        #expect(h.run("PTTL", "ex") == int(10_000))
        #expect(h.run("SET", "px", "v", "PX", "1500") == ok)
        #expect(h.run("PTTL", "px") == int(1500))
        let at = h.nowSeconds + 100
        #expect(h.run("SET", "exat", "v", "EXAT", String(at)) == ok)
        #expect(h.run("EXPIRETIME", "exat") == int(at))
        let pat = h.nowMilliseconds + 2345
        #expect(h.run("SET", "pxat", "v", "PXAT", String(pat)) == ok)
        #expect(h.run("PEXPIRETIME", "pxat") == int(pat))
        h.advance(milliseconds: 1500)
        #expect(h.run("GET", "px") == nullBulk)
        #expect(h.run("GET", "ex") == bulk("v"))
    }

    @Test func setKeepTTLKeepsAndPlainSetClearsTheDeadline() {
        var h = CommandHarness()
        h.run("SET", "k", "v", "EX", "100")
        #expect(h.run("SET", "k", "w", "KEEPTTL") == ok)
        #expect(h.run("TTL", "k") == int(100))
        #expect(h.run("SET", "k", "x") == ok)
        #expect(h.run("TTL", "k") == int(-1))
    }

    @Test func setWithPastAbsoluteTimeLeavesNoKey() {
        var h = CommandHarness()
        h.run("SET", "k", "old")
        #expect(h.run("SET", "k", "v", "PXAT", "1") == ok)
        #expect(h.run("EXISTS", "k") == int(0))
        #expect(h.run("SET", "k2", "v", "EXAT", "1", "GET") == nullBulk)
    }

    @Test func setOptionConflictsAndBadExpiresAreErrors() {
        var h = CommandHarness()
        h.run("SET", "k", "v")
        for options in [
            ["NX", "XX"], ["XX", "NX"], ["EX", "10", "PX", "100"], ["EX", "10", "KEEPTTL"],
            ["KEEPTTL", "PX", "5"], ["GET", "GET"], ["FOO"], ["EX"], ["EXAT", "5", "PXAT", "5"],
        ] {
            #expect(h.run(["SET", "k", "v"] + options) == syntaxError, "SET k v \(options)")
        }
        let invalid = err("ERR invalid expire time in 'set' command")
        for options in [
            ["EX", "0"], ["EX", "-1"], ["PX", "0"], ["EXAT", "0"], ["PXAT", "-5"],
            ["EX", "9223372036854775807"], ["EX", "9223372036854775"],
        ] {
            #expect(h.run(["SET", "k", "v"] + options) == invalid, "SET k v \(options)")
        }
        #expect(h.run("SET", "k", "v", "EX", "abc") == notInteger)
        #expect(h.run("SET", "k", "v", "EX", "1.5") == notInteger)
        #expect(h.run("GET", "k") == bulk("v"))
        #expect(h.run("SET", "k") == arity("set"))
    }

    @Test func getsetReturnsOldValueAndClearsTTL() {
        var h = CommandHarness()
        #expect(h.run("GETSET", "k", "a") == nullBulk)
        h.run("EXPIRE", "k", "100")
        #expect(h.run("GETSET", "k", "b") == bulk("a"))
        #expect(h.run("TTL", "k") == int(-1))
        #expect(h.run("GET", "k") == bulk("b"))
        #expect(h.run("GETSET", "k") == arity("getset"))
    }

    @Test func getdelReturnsThenDeletes() {
        var h = CommandHarness()
        h.run("SET", "k", "v")
        #expect(h.run("GETDEL", "k") == bulk("v"))
        #expect(h.run("GETDEL", "k") == nullBulk)
        #expect(h.run("EXISTS", "k") == int(0))
    }

    @Test func getexChangesOrRemovesTheDeadline() {
        var h = CommandHarness()
        #expect(h.run("GETEX", "missing", "EX", "10") == nullBulk)
        h.run("SET", "k", "v")
        #expect(h.run("GETEX", "k") == bulk("v"))
        #expect(h.run("TTL", "k") == int(-1))
        #expect(h.run("GETEX", "k", "EX", "100") == bulk("v"))
        #expect(h.run("TTL", "k") == int(100))
        #expect(h.run("GETEX", "k", "PX", "5000") == bulk("v"))
        #expect(h.run("PTTL", "k") == int(5000))
        #expect(h.run("GETEX", "k", "PERSIST") == bulk("v"))
        #expect(h.run("TTL", "k") == int(-1))
        #expect(h.run("GETEX", "k", "EXAT", String(h.nowSeconds + 50)) == bulk("v"))
        #expect(h.run("TTL", "k") == int(50))
        #expect(h.run("GETEX", "k", "PXAT", "1") == bulk("v"))
        #expect(h.run("EXISTS", "k") == int(0))
    }

    @Test func getexRejectsBadOptions() {
        var h = CommandHarness()
        h.run("SET", "k", "v")
        #expect(h.run("GETEX", "k", "EX", "0") == err("ERR invalid expire time in 'getex' command"))
        #expect(h.run("GETEX", "k", "PX", "-1") == err("ERR invalid expire time in 'getex' command"))
        #expect(h.run("GETEX", "k", "PX", "abc") == notInteger)
        #expect(h.run("GETEX", "k", "FOO") == syntaxError)
        #expect(h.run("GETEX", "k", "EX") == syntaxError)
        #expect(h.run("GETEX", "k", "EX", "10", "PX", "10") == syntaxError)
        #expect(h.run("GETEX", "k", "PERSIST", "EX", "10") == syntaxError)
        #expect(h.run("TTL", "k") == int(-1))
    }

    @Test func msetMgetAndMsetnxAllOrNothing() {
        var h = CommandHarness()
        #expect(h.run("MSET", "a", "1", "b", "2") == ok)
        #expect(h.run("MGET", "a", "missing", "b") == array(bulk("1"), nullBulk, bulk("2")))
        #expect(h.run("MSET", "a", "1", "b") == arity("mset"))
        #expect(h.run("MSETNX", "c", "3", "a", "9") == int(0))
        #expect(h.run("EXISTS", "c") == int(0))
        #expect(h.run("MSETNX", "c", "3", "d", "4") == int(1))
        #expect(h.run("MGET", "c", "d", "a") == array(bulk("3"), bulk("4"), bulk("1")))
        #expect(h.run("MSETNX", "e", "5", "f") == arity("msetnx"))
        #expect(h.run("MGET") == arity("mget"))
    }

    @Test func setnxSetexPsetex() {
        var h = CommandHarness()
        #expect(h.run("SETNX", "k", "a") == int(1))
        #expect(h.run("SETNX", "k", "b") == int(0))
        #expect(h.run("GET", "k") == bulk("a"))
        #expect(h.run("SETEX", "s", "100", "v") == ok)
        #expect(h.run("TTL", "s") == int(100))
        #expect(h.run("PSETEX", "p", "2500", "v") == ok)
        #expect(h.run("PTTL", "p") == int(2500))
        #expect(h.run("SETEX", "s", "0", "v") == err("ERR invalid expire time in 'setex' command"))
        #expect(h.run("SETEX", "s", "-5", "v") == err("ERR invalid expire time in 'setex' command"))
        #expect(h.run("SETEX", "s", "9223372036854775807", "v") == err("ERR invalid expire time in 'setex' command"))
        #expect(h.run("PSETEX", "p", "0", "v") == err("ERR invalid expire time in 'psetex' command"))
        #expect(h.run("SETEX", "s", "abc", "v") == notInteger)
        #expect(h.run("SETEX", "s", "10") == arity("setex"))
    }

    @Test func appendCreatesExtendsAndKeepsTTL() {
        var h = CommandHarness()
        #expect(h.run("APPEND", "k", "hello") == int(5))
        h.run("EXPIRE", "k", "100")
        #expect(h.run("APPEND", "k", " world") == int(11))
        #expect(h.run("GET", "k") == bulk("hello world"))
        #expect(h.run("TTL", "k") == int(100))
        #expect(h.run("STRLEN", "k") == int(11))
        #expect(h.run("STRLEN", "missing") == int(0))
        // Growing far past the first allocation keeps every byte.
        let chunk = String(repeating: "x", count: 1000)
        for _ in 0..<20 { h.run("APPEND", "big", chunk) }
        #expect(h.run("STRLEN", "big") == int(20_000))
    }

    @Test func getrangeHandlesNegativeAndOutOfRangeIndexes() {
        var h = CommandHarness()
        h.run("SET", "k", "hello world")
        #expect(h.run("GETRANGE", "k", "0", "4") == bulk("hello"))
        #expect(h.run("GETRANGE", "k", "-5", "-1") == bulk("world"))
        #expect(h.run("GETRANGE", "k", "-3", "-2") == bulk("rl"))
        #expect(h.run("GETRANGE", "k", "0", "-1") == bulk("hello world"))
        #expect(h.run("GETRANGE", "k", "-100", "100") == bulk("hello world"))
        #expect(h.run("GETRANGE", "k", "-1", "-5") == bulk(""))
        #expect(h.run("GETRANGE", "k", "5", "2") == bulk(""))
        #expect(h.run("GETRANGE", "k", "100", "200") == bulk(""))
        #expect(h.run("GETRANGE", "k", "0", "0") == bulk("h"))
        #expect(h.run("GETRANGE", "missing", "0", "10") == bulk(""))
        #expect(h.run("GETRANGE", "k", "a", "1") == notInteger)
        h.run("SET", "empty", "")
        #expect(h.run("GETRANGE", "empty", "0", "-1") == bulk(""))
    }

    @Test func incrementFamilyCountsAndKeepsTTL() {
        var h = CommandHarness()
        #expect(h.run("INCR", "c") == int(1))
        #expect(h.run("INCRBY", "c", "10") == int(11))
        #expect(h.run("DECR", "c") == int(10))
        #expect(h.run("DECRBY", "c", "15") == int(-5))
        #expect(h.run("INCRBY", "c", "-5") == int(-10))
        h.run("EXPIRE", "c", "100")
        #expect(h.run("INCR", "c") == int(-9))
        #expect(h.run("TTL", "c") == int(100))
        #expect(h.run("GET", "c") == bulk("-9"))
    }

    @Test func incrementOverflowAndNonIntegerErrors() {
        var h = CommandHarness()
        let overflow = err("ERR increment or decrement would overflow")
        h.run("SET", "max", "9223372036854775807")
        #expect(h.run("INCR", "max") == overflow)
        h.run("SET", "min", "-9223372036854775808")
        #expect(h.run("DECR", "min") == overflow)
        #expect(h.run("DECRBY", "c", "-9223372036854775808") == err("ERR decrement would overflow"))
        #expect(h.run("INCRBY", "c", "99999999999999999999") == notInteger)
        #expect(h.run("INCRBY", "c", "1.5") == notInteger)
        for bad in ["abc", "007", " 1", "+1", "1 ", "", "-0", "1e3"] {
            h.run("SET", "s", bad)
            #expect(h.run("INCR", "s") == notInteger, "INCR of \(bad.debugDescription)")
            #expect(h.run("GET", "s") == bulk(bad))
        }
        #expect(h.run("GET", "max") == bulk("9223372036854775807"))
    }

    @Test func incrbyfloatFormatsLikeRedisLongDouble() {
        var h = CommandHarness()
        #expect(h.run("INCRBYFLOAT", "f", "10.5") == bulk("10.5"))
        #expect(h.run("INCRBYFLOAT", "f", "0.1") == bulk("10.6"))
        #expect(h.run("INCRBYFLOAT", "f", "-5") == bulk("5.6"))
        #expect(h.run("INCRBYFLOAT", "g", "0.1") == bulk("0.1"))
        #expect(h.run("INCRBYFLOAT", "g", "0.2") == bulk("0.3"))
        #expect(h.run("INCRBYFLOAT", "e", "3.0e3") == bulk("3000"))
        #expect(h.run("INCRBYFLOAT", "small", "5.0e-5") == bulk("0.00005"))
        #expect(h.run("INCRBYFLOAT", "big", "1e20") == bulk("100000000000000000000"))
        #expect(h.run("INCRBYFLOAT", "neg0", "-0.0") == bulk("0"))
        #expect(h.run("INCRBYFLOAT", "tiny", "-1e-20") == bulk("0"))
        #expect(h.run("GET", "g") == bulk("0.3"))
        h.run("SET", "i", "7")
        #expect(h.run("INCRBYFLOAT", "i", "1") == bulk("8"))
    }

    @Test func incrbyfloatErrors() {
        var h = CommandHarness()
        let notFloat = err("ERR value is not a valid float")
        #expect(h.run("INCRBYFLOAT", "f", "abc") == notFloat)
        #expect(h.run("INCRBYFLOAT", "f", "") == notFloat)
        #expect(h.run("INCRBYFLOAT", "f", " 1") == notFloat)
        #expect(h.run("INCRBYFLOAT", "f", "1e5000") == notFloat)
        #expect(h.run("INCRBYFLOAT", "f", "inf") == err("ERR increment would produce NaN or Infinity"))
        h.run("SET", "s", "hello")
        #expect(h.run("INCRBYFLOAT", "s", "1") == notFloat)
        #expect(h.run("EXISTS", "f") == int(0))
    }

    @Test func floatTextPrintsExactSeventeenDecimals() {
        #expect(FloatText.format(0.5) == "0.5")
        #expect(FloatText.format(-2.25) == "-2.25")
        #expect(FloatText.format(123) == "123")
        #expect(FloatText.format(1_180_591_620_717_411_303_424) == "1180591620717411303424")  // 2^70
        #expect(FloatText.format(0) == "0")
    }
}
