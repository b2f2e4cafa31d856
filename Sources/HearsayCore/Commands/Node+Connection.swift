import RESP

/// Connection commands: PING, HELLO, SELECT, RESET, AUTH, CLIENT.
extension Node {
    static let serverVersion = "7.2.0"
    static let hearsayVersion = "0.1.0"

    func ping(_ a: Arguments, _ r: inout ReplyBuffer) {
        switch a.count {
        case 1: r.simple("PONG")
        case 2: r.bulk(a[1])
        default: r.error(ErrorText.wrongArity("ping"))
        }
    }

    /// HELLO [protover [AUTH username password] [SETNAME clientname]]
    mutating func hello(_ a: Arguments, _ session: inout ClientSession, _ r: inout ReplyBuffer) {
        var version = session.protocolVersion
        if a.count >= 2 {
            guard let v = a.int64(1) else { return r.error("ERR Protocol version is not an integer or out of range") }
            guard v == 2 || v == 3 else { return r.error(ErrorText.noProto) }
            version = Int(v)
        }
        var i = 2
        var newName: String? = nil
        while i < a.count {
            if a.matches(i, "AUTH"), i + 2 < a.count {
                guard checkPassword(user: a.string(i + 1), password: a.string(i + 2)) else {
                    return r.error(ErrorText.wrongPass)
                }
                session.authenticated = true
                i += 3
            } else if a.matches(i, "SETNAME"), i + 1 < a.count {
                guard ClientNames.isValid(a[i + 1]) else {
                    return r.error("ERR Client names cannot contain spaces, newlines or special characters.")
                }
                newName = a.string(i + 1)
                i += 2
            } else {
                return r.error("ERR Syntax error in HELLO option '\(a.string(i))'")
            }
        }
        guard session.authenticated else {
            return r.error(
                "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time"
            )
        }
        if let newName { setClientName(newName, &session) }
        session.protocolVersion = version
        r.protocolVersion = version
        clients[session.id]?.protocolVersion = version
        r.mapHeader(7)
        r.bulk("server")
        r.bulk("redis")
        r.bulk("version")
        r.bulk(Node.serverVersion)
        r.bulk("proto")
        r.integer(version)
        r.bulk("id")
        r.integer(Int64(bitPattern: session.id))
        r.bulk("mode")
        r.bulk("standalone")
        r.bulk("role")
        r.bulk("master")
        r.bulk("modules")
        r.arrayHeader(0)
    }

    mutating func reset(_ session: inout ClientSession, _ r: inout ReplyBuffer) {
        setClientName("", &session)
        session.protocolVersion = 2
        r.protocolVersion = 2
        clients[session.id]?.protocolVersion = 2
        session.authenticated = settings.requirePassword == nil
        session.noTouch = false
        session.db = 0
        clients[session.id]?.db = 0
        session.transaction = nil
        forgetWatches(&session)
        r.simple("RESET")
    }

    func checkPassword(user: String, password: String) -> Bool {
        guard user == "default" else { return false }
        guard let required = settings.requirePassword else { return true }
        return ConstantTime.equal(Array(password.utf8), Array(required.utf8))
    }

    /// AUTH [username] password
    mutating func auth(_ a: Arguments, _ session: inout ClientSession, _ r: inout ReplyBuffer) {
        guard a.count <= 3 else { return r.error(ErrorText.syntax) }
        let user = a.count == 3 ? a.string(1) : "default"
        if settings.requirePassword == nil && a.count == 2 { return r.error(ErrorText.noPassword) }
        if checkPassword(user: user, password: a.string(a.count - 1)) {
            session.authenticated = true
            r.ok()
        } else {
            r.error(ErrorText.wrongPass)
        }
    }

    mutating func setClientName(_ name: String, _ session: inout ClientSession) {
        session.name = name
        clients[session.id]?.name = name
    }

    /// CLIENT SETNAME | GETNAME | ID | SETINFO | INFO | LIST | NO-EVICT | NO-TOUCH | REPLY ON | HELP
    mutating func client(_ a: Arguments, _ session: inout ClientSession, _ now: Now, _ r: inout ReplyBuffer) {
        let sub = a.string(1).uppercased()
        switch (sub, a.count) {
        case ("SETNAME", 3):
            guard ClientNames.isValid(a[2]) else {
                return r.error("ERR Client names cannot contain spaces, newlines or special characters.")
            }
            setClientName(a.string(2), &session)
            r.ok()
        case ("GETNAME", 2):
            if session.name.isEmpty { r.null() } else { r.bulk(session.name) }
        case ("ID", 2):
            r.integer(Int64(bitPattern: session.id))
        case ("SETINFO", 4):
            guard ClientNames.isValid(a[3]) else {
                return r.error("ERR \(a.string(2).uppercased()) cannot contain spaces, newlines or special characters.")
            }
            if a.matches(2, "LIB-NAME") {
                session.libraryName = a.string(3)
                clients[session.id]?.libraryName = session.libraryName
            } else if a.matches(2, "LIB-VER") {
                session.libraryVersion = a.string(3)
                clients[session.id]?.libraryVersion = session.libraryVersion
            } else {
                return r.error("ERR Unrecognized option '\(a.string(2))'")
            }
            r.ok()
        case ("INFO", 2):
            let line = clients[session.id].map { clientLine($0, now) } ?? ""
            r.verbatim(line + "\n")
        case ("LIST", _):
            var text = ""
            for id in clients.keys.sorted() { text += clientLine(clients[id]!, now) + "\n" }
            r.verbatim(text)
        case ("NO-TOUCH", 3):
            guard a.matches(2, "ON") || a.matches(2, "OFF") else { return r.error(ErrorText.syntax) }
            session.noTouch = a.matches(2, "ON")
            r.ok()
        case ("NO-EVICT", 3):
            // Redis's client eviction (maxmemory-clients) does not exist here: clients are bounded
            // by their buffers (see Bounds). The argument is checked as in Redis.
            if a.matches(2, "ON") || a.matches(2, "OFF") { r.ok() } else { r.error(ErrorText.syntax) }
        case ("REPLY", 3) where a.matches(2, "ON"):
            r.ok()
        case ("HELP", 2):
            let lines = [
                "CLIENT <subcommand> [<arg> ...]. Subcommands are:", "GETNAME", "ID", "INFO", "LIST",
                "SETNAME <name>", "SETINFO <LIB-NAME|LIB-VER> <value>", "HELP",
            ]
            r.arrayHeader(lines.count)
            for l in lines { r.simple(l) }
        case ("SETNAME", _), ("GETNAME", _), ("ID", _), ("SETINFO", _), ("INFO", _), ("NO-EVICT", _),
            ("NO-TOUCH", _), ("HELP", _):
            // A known subcommand with the wrong number of arguments, worded as Redis 7 does.
            r.error(ErrorText.wrongArity("client|" + sub.lowercased()))
        default:
            r.error(ErrorText.unknownSubcommand(a.string(1), "CLIENT"))
        }
    }

    func clientLine(_ c: ClientInfo, _ now: Now) -> String {
        let age = max(0, (now.monotonic.nanoseconds - c.connectedAt.nanoseconds) / 1_000_000_000)
        return "id=\(c.id) addr=\(c.address) laddr=\(c.localAddress) fd=-1 name=\(c.name) age=\(age) idle=0 "
            + "flags=N db=\(c.db) sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 obl=0 oll=0 "
            + "omem=0 tot-mem=0 events=r cmd=\(c.lastCommand) user=default redir=-1 resp=\(c.protocolVersion) "
            + "lib-name=\(c.libraryName) lib-ver=\(c.libraryVersion)"
    }
}

enum ClientNames {
    /// Redis allows printable ASCII without spaces in client names and library info.
    static func isValid(_ bytes: UnsafeRawBufferPointer) -> Bool {
        for b in bytes where b < 0x21 || b > 0x7E { return false }
        return true
    }
}

enum ConstantTime {
    /// Compares secrets without an early exit, so timing does not reveal a matching prefix.
    static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var diff = UInt8(truncatingIfNeeded: a.count ^ b.count)
        for i in 0..<max(a.count, b.count) {
            diff |= (i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0)
        }
        return diff == 0
    }
}
