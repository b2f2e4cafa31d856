import RESP

/// MULTI, EXEC, DISCARD, WATCH and UNWATCH with Redis's replies. Commands between MULTI and
/// EXEC are queued (`+QUEUED`) and nothing runs before EXEC; EXEC runs them in order, back to
/// back, each as it would run alone: on a node of a cluster each goes to its key's
/// coordinator with its own quorum, and EXEC answers once all have (its array assembled in
/// `takeOutput`). A refused command (unknown, wrong arity, NOAUTH) makes EXEC fail with
/// EXECABORT, as in Redis. WATCH compares the version of this node's copy of each key at EXEC
/// with its version when watched. README, "Transactions", says what holds across nodes.
extension Node {
    /// Queues `a` if the session is in a transaction and `a` is not one of the commands that
    /// act at once (EXEC, DISCARD, MULTI, WATCH, QUIT, RESET). Nil: execute it normally.
    @inline(never)
    mutating func queueInTransaction(
        _ a: Arguments, _ session: inout ClientSession, _ now: Now, _ reply: inout ReplyBuffer
    ) -> CommandOutcome? {
        guard let id = CommandTable.lookupID(a[0]) else {
            store.stats.errorReplies += 1
            reply.error(ErrorText.unknownCommand(a))
            session.transaction!.refused = true
            return .proceed
        }
        switch id {
        case .exec, .discard, .multi, .watch, .quit, .reset: return nil
        default: break
        }
        let arity = CommandTable.arity[Int(id.rawValue)]
        if arity > 0 ? a.count != arity : a.count < -arity {
            store.stats.errorReplies += 1
            reply.error(ErrorText.wrongArity(CommandTable.spec(id).nameString))
            session.transaction!.refused = true
            return .proceed
        }
        if !session.authenticated && !CommandTable.allowedBeforeAuth(id) {
            store.stats.errorReplies += 1
            reply.error(ErrorText.noAuth)
            session.transaction!.refused = true
            return .proceed
        }
        var argumentBytes = 0
        for i in 0..<a.count { argumentBytes += a[i].count }
        if session.transaction!.bytes + argumentBytes > Transaction.maxBytes {
            store.stats.errorReplies += 1
            reply.error("ERR transaction too large: at most 1 GiB of queued arguments")
            session.transaction!.refused = true
            return .proceed
        }
        session.transaction!.queue(a)
        reply.simple("QUEUED")
        return .proceed
    }

    @inline(never)
    mutating func multi(_ session: inout ClientSession, _ reply: inout ReplyBuffer) {
        guard session.transaction == nil else {
            reply.error("ERR MULTI calls can not be nested")
            return
        }
        session.transaction = Transaction()
        reply.ok()
    }

    @inline(never)
    mutating func discard(_ session: inout ClientSession, _ reply: inout ReplyBuffer) {
        guard session.transaction != nil else {
            reply.error("ERR DISCARD without MULTI")
            return
        }
        session.transaction = nil
        session.watched = []
        reply.ok()
    }

    @inline(never)
    mutating func watch(_ a: Arguments, _ session: inout ClientSession, _ reply: inout ReplyBuffer) {
        guard session.transaction == nil else {
            reply.error("ERR WATCH inside MULTI is not allowed")
            return
        }
        for i in 1..<a.count {
            let key = Array(a[i])
            session.watched.append(WatchedKey(key: key, version: localVersion(of: key)))
        }
        reply.ok()
    }

    @inline(never)
    func unwatch(_ session: inout ClientSession, _ reply: inout ReplyBuffer) {
        session.watched = []
        reply.ok()
    }

    /// The version of this node's copy of `key`: its causal digest, 0 when it holds nothing.
    func localVersion(of key: [UInt8]) -> UInt64 {
        key.withUnsafeBytes { raw in store.keyspace.peek(KeyRef(raw)).map(EntryDigest.digest) ?? 0 }
    }

    @inline(never)
    mutating func exec(_ session: inout ClientSession, _ now: Now, _ reply: inout ReplyBuffer) -> CommandOutcome {
        guard let transaction = session.transaction else {
            reply.error("ERR EXEC without MULTI")
            return .proceed
        }
        session.transaction = nil
        let watched = session.watched
        session.watched = []
        if transaction.refused {
            store.stats.errorReplies += 1
            reply.error("EXECABORT Transaction discarded because of previous errors.")
            return .proceed
        }
        if watched.contains(where: { localVersion(of: $0.key) != $0.version }) {
            reply.nullArray()
            return .proceed
        }
        let ticket = coordinator.reserveTicket()
        var assembly = ExecAssembly(
            client: session.id, ticket: ticket, session: session, transaction: transaction, next: 0)
        if let complete = run(&assembly, now: now) {
            reply.arrayHeader(assembly.done)
            complete.withUnsafeBytes { reply.raw($0) }
            session = assembly.session
            return .proceed
        }
        execAssemblies[ticket] = assembly
        return .deferred(ticket: ticket)
    }

    /// Runs `assembly`'s next commands in order until one is deferred to a coordinator
    /// (then nil: its reply resumes the run) or none is left (then the replies).
    mutating func run(_ assembly: inout ExecAssembly, now: Now) -> [UInt8]? {
        var part = ReplyBuffer(capacity: 256, protocolVersion: assembly.session.protocolVersion)
        while assembly.next < assembly.transaction.queued.count {
            let queued = assembly.transaction.queued[assembly.next]
            assembly.next += 1
            part.removeAll()
            let outcome = queued.bytes.withUnsafeBytes { raw in
                execute(
                    Arguments(base: raw.baseAddress, spans: queued.spans), session: &assembly.session, now: now,
                    reply: &part)
            }
            if case .deferred(let ticket) = outcome {
                assembly.waitingOn = ticket
                execPartOf[ticket] = assembly.ticket
                return nil
            }
            part.withUnsafeBytes { assembly.replies.append(contentsOf: $0) }
            assembly.done += 1
        }
        return assembly.replies
    }

    /// Moves each deferred reply that an EXEC waits on into it and runs the EXEC's next
    /// commands; an EXEC with all its replies becomes one array reply. Runs before the
    /// output is handed over, so the commands it starts go out with it.
    mutating func assembleExecReplies(now: Now) {
        while !execPartOf.isEmpty {
            var replies = ClientReplies()
            swap(&replies, &output.replies)
            var resumed: [UInt64] = []
            replies.forEachReply { client, ticket, bytes in
                guard let exec = execPartOf.removeValue(forKey: ticket), execAssemblies[exec] != nil else {
                    output.replies.append(client: client, ticket: ticket, bytes)
                    return
                }
                execAssemblies[exec]!.replies.append(contentsOf: bytes)
                execAssemblies[exec]!.done += 1
                resumed.append(exec)
            }
            if resumed.isEmpty { return }
            for exec in resumed {
                guard var assembly = execAssemblies.removeValue(forKey: exec) else { continue }
                guard let complete = run(&assembly, now: now) else {
                    execAssemblies[exec] = assembly
                    continue
                }
                var header = ReplyBuffer(capacity: 32)
                header.arrayHeader(assembly.done)
                (header.bytes + complete).withUnsafeBytes {
                    output.replies.append(client: assembly.client, ticket: assembly.ticket, $0)
                }
            }
        }
    }
}
