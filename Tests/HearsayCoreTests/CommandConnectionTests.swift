import Testing

@testable import HearsayCore

@Suite struct CommandConnectionTests {
    static func withPassword(_ password: String) -> NodeSettings {
        var settings = NodeSettings()
        settings.requirePassword = password
        return settings
    }

    @Test func pingEchoAndQuit() {
        var h = CommandHarness()
        #expect(h.run("PING") == "+PONG\r\n")
        #expect(h.run("ping", "hi") == bulk("hi"))
        #expect(h.run("PING", "a", "b") == arity("ping"))
        #expect(h.run("ECHO", "x y") == bulk("x y"))
        #expect(h.run("QUIT") == ok)
        #expect(h.lastOutcome == .closeAfterReply)
        #expect(h.run("PING") == "+PONG\r\n" && h.lastOutcome == .proceed)
    }

    @Test func requirepassGatesCommandsUntilAuth() {
        var h = CommandHarness(settings: Self.withPassword("secret"))
        #expect(h.run("GET", "k") == err("NOAUTH Authentication required."))
        #expect(h.run("PING") == err("NOAUTH Authentication required."))
        let wrongPass = err("WRONGPASS invalid username-password pair or user is disabled.")
        #expect(h.run("AUTH", "nope") == wrongPass)
        #expect(h.run("AUTH", "someone", "secret") == wrongPass)
        #expect(h.run("GET", "k") == err("NOAUTH Authentication required."))
        #expect(h.run("AUTH", "secret") == ok)
        #expect(h.run("GET", "k") == nullBulk)
        #expect(h.run("AUTH", "default", "secret") == ok)
        #expect(h.run("AUTH", "a", "b", "c") == syntaxError)
        // RESET forgets the authentication.
        #expect(h.run("RESET") == "+RESET\r\n")
        #expect(h.run("GET", "k") == err("NOAUTH Authentication required."))
    }

    @Test func authWithoutPasswordConfigured() {
        var h = CommandHarness()
        #expect(
            h.run("AUTH", "pass")
                == err(
                    "ERR AUTH <password> called without any password configured for the default user. "
                        + "Are you sure your configuration is correct?"))
        #expect(h.run("AUTH", "default", "anything") == ok)
    }

    @Test func helloAuthAuthenticatesAndSwitchesProtocol() {
        var h = CommandHarness(settings: Self.withPassword("secret"))
        #expect(h.run("HELLO", "3").hasPrefix("-NOAUTH HELLO must be called with the client already authenticated"))
        #expect(
            h.run("HELLO", "3", "AUTH", "default", "bad")
                == err("WRONGPASS invalid username-password pair or user is disabled."))
        #expect(h.session.protocolVersion == 2)
        let reply = h.run("HELLO", "3", "AUTH", "default", "secret", "SETNAME", "app")
        #expect(reply.hasPrefix("%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n"))
        #expect(reply.contains("$5\r\nproto\r\n:3\r\n"))
        #expect(h.session.authenticated && h.session.protocolVersion == 3)
        #expect(h.run("CLIENT", "GETNAME") == bulk("app"))
    }

    @Test func hello3SwitchesRepliesToRESP3AndBack() {
        var h = CommandHarness()
        #expect(h.run("HELLO").hasPrefix("*14\r\n"))
        #expect(h.run("HELLO", "3").hasPrefix("%7\r\n"))
        #expect(h.run("GET", "missing") == "_\r\n")
        #expect(h.run("CONFIG", "GET", "maxmemory") == "%1\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n")
        #expect(h.run("COMMAND", "INFO", "nosuch") == "*1\r\n_\r\n")
        #expect(h.run("HELLO", "2").hasPrefix("*14\r\n"))
        #expect(h.run("GET", "missing") == nullBulk)
        h.run("HELLO", "3")
        #expect(h.run("RESET") == "+RESET\r\n")
        #expect(h.session.protocolVersion == 2)
        #expect(h.run("GET", "missing") == nullBulk)
    }

    @Test func helloErrors() {
        var h = CommandHarness()
        #expect(h.run("HELLO", "abc") == err("ERR Protocol version is not an integer or out of range"))
        #expect(h.run("HELLO", "4") == err("NOPROTO unsupported protocol version"))
        #expect(h.run("HELLO", "3", "FOO") == err("ERR Syntax error in HELLO option 'FOO'"))
        #expect(
            h.run("HELLO", "3", "SETNAME", "bad name")
                == err("ERR Client names cannot contain spaces, newlines or special characters."))
        #expect(h.session.protocolVersion == 2)
    }

    @Test func resetClearsNameAndProtocol() {
        var h = CommandHarness()
        h.run("CLIENT", "SETNAME", "worker")
        h.run("HELLO", "3")
        #expect(h.run("RESET") == "+RESET\r\n")
        #expect(h.run("CLIENT", "GETNAME") == nullBulk)
        #expect(h.session.protocolVersion == 2)
    }

    @Test func clientSubcommands() {
        var h = CommandHarness()
        #expect(h.run("CLIENT", "GETNAME") == nullBulk)
        #expect(h.run("CLIENT", "SETNAME", "myname") == ok)
        #expect(h.run("CLIENT", "GETNAME") == bulk("myname"))
        #expect(
            h.run("CLIENT", "SETNAME", "bad name")
                == err("ERR Client names cannot contain spaces, newlines or special characters."))
        #expect(h.run("CLIENT", "ID") == int(7))
        #expect(h.run("CLIENT", "SETINFO", "LIB-NAME", "mylib") == ok)
        #expect(h.run("CLIENT", "SETINFO", "LIB-VER", "1.0") == ok)
        #expect(h.run("CLIENT", "SETINFO", "FOO", "bar") == err("ERR Unrecognized option 'FOO'"))
        #expect(h.run("CLIENT", "NO-EVICT", "on") == ok)
        #expect(h.run("CLIENT", "NO-EVICT", "maybe") == syntaxError)
        #expect(h.run("CLIENT", "SETNAME") == arity("client|setname"))
        #expect(h.run("CLIENT", "GETNAME", "x") == arity("client|getname"))
        #expect(h.run("CLIENT", "FOO") == err("ERR unknown subcommand 'FOO'. Try CLIENT HELP."))
        #expect(h.run("CLIENT") == arity("client"))
        let info = h.run("CLIENT", "INFO")
        #expect(
            info.hasPrefix("$") && info.contains("id=7 ") && info.contains("name=myname ")
                && info.contains("lib-name=mylib lib-ver=1.0"))
        var other = h.connect(id: 9)
        other.name = "x"
        let list = h.run("CLIENT", "LIST")
        #expect(list.contains("id=7 ") && list.contains("id=9 "))
        #expect(h.run("CLIENT", "HELP").hasPrefix("*"))
    }

    @Test func configGetAndSet() {
        var h = CommandHarness()
        #expect(h.run("CONFIG", "GET", "maxmemory") == array(bulk("maxmemory"), bulk("0")))
        #expect(h.run("CONFIG", "GET", "maxmemory-policy") == array(bulk("maxmemory-policy"), bulk("noeviction")))
        #expect(h.run("CONFIG", "GET", "nosuch") == emptyArray)
        // maxclients, maxmemory, -policy, -samples, -eviction-tenacity (stored, no effect)
        #expect(bulkItems(h.run("CONFIG", "GET", "max*")).count == 10)
        #expect(h.run("CONFIG", "SET", "maxmemory", "10mb") == ok)
        #expect(h.run("CONFIG", "GET", "maxmemory") == array(bulk("maxmemory"), bulk("10485760")))
        #expect(
            h.run("CONFIG", "SET", "maxmemory", "abc")
                == err(
                    "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value"
                ))
        #expect(
            h.run("CONFIG", "SET", "nosuch", "1")
                == err("ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'"))
        #expect(h.run("CONFIG", "GET") == arity("config|get"))
        #expect(h.run("CONFIG", "SET", "maxmemory") == arity("config|set"))
        #expect(h.run("CONFIG", "FOO") == err("ERR unknown subcommand 'FOO'. Try CONFIG HELP."))
        #expect(h.run("CONFIG", "SET", "requirepass", "pw") == ok)
        var fresh = h.node.connect(id: 99, address: "x", localAddress: "y", now: h.now.monotonic)
        #expect(!fresh.authenticated)
        fresh.authenticated = true
        #expect(h.run("GET", "k") == nullBulk)  // the current client stays authenticated
    }

    @Test func maxmemoryRefusesWritesWithOOM() {
        var h = CommandHarness()
        h.run("CONFIG", "SET", "maxmemory", "2000")
        var refused = false
        for i in 0..<100 where h.run("SET", "key\(i)", String(repeating: "v", count: 100)).hasPrefix("-OOM") {
            refused = true
        }
        #expect(refused)
        // As Redis: once over the limit every command that may grow memory is refused.
        #expect(h.run("SET", "x", "y") == err("OOM command not allowed when used memory > 'maxmemory'."))
        #expect(h.run("DEL", "key1") == int(1))  // deleting still works when full
        #expect(h.run("GET", "key0") == bulk(String(repeating: "v", count: 100)))
    }

    @Test func commandCountInfoDocs() {
        var h = CommandHarness()
        #expect(h.run("COMMAND", "COUNT") == int(Int64(CommandTable.all.count)))
        #expect(h.run("COMMAND", "LIST").hasPrefix("*\(CommandTable.all.count)\r\n"))
        #expect(
            h.run("COMMAND", "INFO", "get", "nosuch")
                == "*2\r\n*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n"
                + "*1\r\n+@string\r\n*0\r\n*0\r\n*0\r\n$-1\r\n")
        #expect(h.run("COMMAND").hasPrefix("*\(CommandTable.all.count)\r\n*10\r\n"))
        let docs = h.run("COMMAND", "DOCS", "set")
        #expect(docs.hasPrefix("*2\r\n$3\r\nset\r\n*6\r\n$7\r\nsummary\r\n"))
        #expect(h.run("COMMAND", "FOO") == err("ERR unknown subcommand 'FOO'. Try COMMAND HELP."))
        // Every command in the table answers COMMAND INFO with its own arity.
        for spec in CommandTable.all {
            #expect(h.run("COMMAND", "INFO", spec.nameString).contains(":\(spec.arity)\r\n"))
        }
    }

    @Test func objectMemoryAndDebug() {
        var h = CommandHarness()
        h.run("SET", "n", "12345")
        h.run("SET", "s", "hello")
        h.run("SET", "l", String(repeating: "a", count: 45))
        #expect(h.run("OBJECT", "ENCODING", "n") == bulk("int"))
        #expect(h.run("OBJECT", "ENCODING", "s") == bulk("embstr"))
        #expect(h.run("OBJECT", "ENCODING", "l") == bulk("raw"))
        #expect(h.run("OBJECT", "ENCODING", "missing") == nullBulk)
        #expect(h.run("OBJECT", "REFCOUNT", "s") == int(1))
        #expect(h.run("OBJECT", "FOO", "s") == err("ERR unknown subcommand 'FOO'. Try OBJECT HELP."))
        #expect(h.run("OBJECT") == arity("object"))
        let usage = h.run("MEMORY", "USAGE", "l")
        #expect(usage.hasPrefix(":") && (Int(usage.dropFirst().dropLast()) ?? 0) >= 46)
        #expect(h.run("MEMORY", "USAGE", "missing") == nullBulk)
        #expect(h.run("MEMORY", "USAGE", "l", "SAMPLES", "5").hasPrefix(":"))
        #expect(h.run("MEMORY", "FOO") == err("ERR unknown subcommand 'FOO'. Try MEMORY HELP."))
        #expect(h.run("DEBUG", "sleep", "0") == err("ERR DEBUG SLEEP is not supported by Hearsay"))
    }

    @Test func selectTakesDatabasesZeroToFifteen() {
        var h = CommandHarness()
        #expect(h.run("SELECT", "0") == ok)
        #expect(h.run("SELECT", "15") == ok)
        #expect(h.session.db == 15)
        #expect(h.run("SELECT", "16") == err("ERR DB index is out of range"))
        #expect(h.run("SELECT", "abc") == notInteger)
    }

    @Test func unknownCommandAndArityTexts() {
        var h = CommandHarness()
        #expect(h.run("NOSUCH") == err("ERR unknown command 'NOSUCH', with args beginning with: "))
        #expect(h.run("nosuch", "a", "b") == err("ERR unknown command 'nosuch', with args beginning with: 'a' 'b' "))
        #expect(h.run("GET") == arity("get"))
        #expect(h.run("gEt", "a", "b") == arity("get"))
        #expect(h.run("RANDOMKEY", "x") == arity("randomkey"))
        #expect(h.run("GETRANGE", "a", "1") == arity("getrange"))
        // Every command in the table refuses one argument too few with its own name.
        for spec in CommandTable.all where spec.arity > 1 || spec.arity < -1 {
            let needed = abs(spec.arity)
            let words = [spec.nameString.uppercased()] + Array(repeating: "x", count: needed - 2)
            #expect(h.run(words) == arity(spec.nameString), "\(spec.nameString)")
        }
    }

    @Test func timeReportsTheWallClock() {
        var h = CommandHarness(
            now: Now(monotonic: Instant(nanoseconds: 42), wall: WallTime(nanoseconds: 1_700_000_123_456_789_000)))
        #expect(h.run("TIME") == array(bulk("1700000123"), bulk("456789")))
    }
}
