import RESP
import Testing

@testable import HearsayCore

/// Databases share one keyspace under a marker byte (`Databases`): a key of database 0 that
/// itself begins with that byte is escaped, so it never meets a key of another database.
struct DatabaseTests {
    static func run(_ h: inout CommandHarness, _ words: [[UInt8]]) -> [UInt8] {
        var storage: [UInt8] = []
        var spans: [Int] = []
        for word in words {
            spans += [storage.count, word.count]
            storage += word
        }
        var reply = ReplyBuffer(protocolVersion: 2)
        _ = storage.withUnsafeBytes { raw in
            h.node.execute(
                Arguments(base: raw.baseAddress, spans: spans), session: &h.session, now: h.now, reply: &reply)
        }
        return reply.bytes
    }

    @Test func aDatabaseZeroKeyThatLooksStoredNeverMeetsAnotherDatabasesKey() {
        var h = CommandHarness()
        let lookalike: [UInt8] = [0xFF, 0x01] + Array("a".utf8)
        #expect(Self.run(&h, [Array("SET".utf8), lookalike, Array("zero".utf8)]) == Array(ok.utf8))
        #expect(h.run("SELECT", "1") == ok)
        #expect(h.run("GET", "a") == nullBulk)
        #expect(h.run("SET", "a", "one") == ok)
        #expect(h.run("SELECT", "0") == ok)
        #expect(Self.run(&h, [Array("GET".utf8), lookalike]) == Array("$4\r\nzero\r\n".utf8))
        // Listed bare, as the client wrote it.
        #expect(
            Self.run(&h, [Array("KEYS".utf8), Array("*".utf8)])
                == Array("*1\r\n$3\r\n".utf8) + lookalike + Array("\r\n".utf8))
        #expect(h.run("DBSIZE") == ":1\r\n")
        #expect(h.run("SELECT", "1") == ok)
        #expect(h.run("KEYS", "*") == "*1\r\n$1\r\na\r\n")
        #expect(h.run("GET", "a") == "$3\r\none\r\n")
        #expect(h.run("FLUSHDB") == ok)
        #expect(h.run("SELECT", "0") == ok)
        #expect(h.run("DBSIZE") == ":1\r\n")
    }

    @Test func selectInsideATransactionChangesTheConnectionsDatabase() {
        var h = CommandHarness()
        #expect(h.run("MULTI") == ok)
        #expect(h.run("SELECT", "2") == "+QUEUED\r\n")
        #expect(h.run("SET", "k", "v") == "+QUEUED\r\n")
        #expect(h.run("EXEC") == "*2\r\n+OK\r\n+OK\r\n")
        #expect(h.run("GET", "k") == "$1\r\nv\r\n")
        #expect(h.run("SELECT", "0") == ok)
        #expect(h.run("GET", "k") == nullBulk)
        #expect(h.run("SELECT", "4") == ok)
        #expect(h.run("CLIENT", "INFO").contains(" db=4 "))
        #expect(h.run("RESET") == "+RESET\r\n")
        #expect(h.run("CLIENT", "INFO").contains(" db=0 "))
        #expect(h.session.db == 0)
    }
}
