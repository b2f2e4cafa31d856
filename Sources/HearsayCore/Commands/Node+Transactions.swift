import RESP

/// MULTI, EXEC, DISCARD, WATCH and UNWATCH with Redis's replies. Commands between MULTI and
/// EXEC are queued (`+QUEUED`) and nothing runs before EXEC; EXEC runs them in order, each as
/// it would run alone: on a node of a cluster each goes to its key's coordinator with its own
/// quorum and starts when the one before it has answered, and EXEC answers once the last has
/// (its array assembled in `takeOutput`). A refused command (unknown, wrong arity, NOAUTH) makes EXEC fail with
/// EXECABORT, as in Redis. WATCH compares the version of this node's copy of each key at EXEC
/// with its version when watched, or, for a key this node does not own, what a quorum read
/// through its coordinator gives at WATCH and at EXEC. README, "Transactions", says what
/// holds across nodes.
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
        forgetWatches(&session)
        reply.ok()
    }

    @inline(never)
    mutating func watch(
        _ a: Arguments, _ session: inout ClientSession, _ now: Now, _ reply: inout ReplyBuffer
    ) -> CommandOutcome {
        guard session.transaction == nil else {
            reply.error("ERR WATCH inside MULTI is not allowed")
            return .proceed
        }
        var remote: [[UInt8]] = []
        for i in 1..<a.count {
            let key = Array(a[i])
            if ownsCopy(of: key) {
                session.watched.append(WatchedKey(key: key, version: localVersion(of: key)))
            } else {
                session.watched.append(WatchedKey(key: key, version: 0, remote: true))
                remote.append(key)
            }
        }
        guard !remote.isEmpty else {
            reply.ok()
            return .proceed
        }
        let ticket = coordinator.reserveTicket()
        var assembly = ExecAssembly(client: session.id, ticket: ticket, mode: .watch, session: session)
        assembly.reads = remote
        return start(&assembly, now: now, &reply)
    }

    /// Whether this node keeps a copy of `key` that changes as the key does: alone, or one of
    /// its owners in a cluster. Elsewhere WATCH reads the key through its coordinator.
    func ownsCopy(of key: [UInt8]) -> Bool {
        topology.isAlone
            || topology.placement.isReplica(topology.me, of: topology.partitionCount.partition(of: key))
    }

    @inline(never)
    mutating func unwatch(_ session: inout ClientSession, _ reply: inout ReplyBuffer) {
        forgetWatches(&session)
        reply.ok()
    }

    mutating func forgetWatches(_ session: inout ClientSession) {
        session.watched = []
        if !remoteWatchReadings.isEmpty { remoteWatchReadings[session.id] = nil }
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
        let expected = remoteWatchReadings.removeValue(forKey: session.id) ?? [:]
        session.watched = []
        if transaction.refused {
            store.stats.errorReplies += 1
            reply.error("EXECABORT Transaction discarded because of previous errors.")
            return .proceed
        }
        if watched.contains(where: { !$0.remote && localVersion(of: $0.key) != $0.version }) {
            reply.nullArray()
            return .proceed
        }
        let ticket = coordinator.reserveTicket()
        var assembly = ExecAssembly(
            client: session.id, ticket: ticket, mode: .exec(expected: expected), session: session)
        assembly.reads = watched.filter(\.remote).map(\.key)
        assembly.transaction = transaction
        // A SELECT among the commands changes the connection's database for what follows the
        // EXEC, even while the EXEC still waits on coordinators.
        session.db = transaction.databaseAfter(startingIn: session.db)
        clients[session.id]?.db = session.db
        let outcome = start(&assembly, now: now, &reply)
        if outcome == .proceed { session = assembly.session }
        return outcome
    }

    /// Runs `assembly` as far as it goes now: done, its reply goes into `reply`; else it waits
    /// for a coordinator and its reply comes with its ticket.
    mutating func start(_ assembly: inout ExecAssembly, now: Now, _ reply: inout ReplyBuffer) -> CommandOutcome {
        guard run(&assembly, now: now) else {
            execAssemblies[assembly.ticket] = assembly
            return .deferred(ticket: assembly.ticket)
        }
        finish(assembly)
        assembly.finalReply().withUnsafeBytes { reply.raw($0) }
        return .proceed
    }

    /// A finished WATCH leaves its readings for the EXEC that follows.
    mutating func finish(_ assembly: ExecAssembly) {
        guard case .watch = assembly.mode else { return }
        remoteWatchReadings[assembly.client, default: [:]].merge(assembly.readings) { $1 }
    }

    /// Runs `assembly`'s next steps (reads, then commands) in order until one is deferred to
    /// a coordinator (false: its reply resumes the run) or none is left (true).
    mutating func run(_ assembly: inout ExecAssembly, now: Now) -> Bool {
        var part = ReplyBuffer(capacity: 256, protocolVersion: assembly.session.protocolVersion)
        while assembly.nextRead < assembly.reads.count {
            let key = assembly.reads[assembly.nextRead]
            assembly.nextRead += 1
            part.removeAll()
            // The key is already in its stored form (WATCH ran after `Databases` translated it).
            let queued = Transaction.Queued(words: [Array("HS.GETCTX".utf8), key])
            let outcome = queued.bytes.withUnsafeBytes { raw in
                executeStored(Arguments(base: raw.baseAddress, spans: queued.spans), &assembly.session, now, &part)
            }
            if case .deferred(let ticket) = outcome {
                assembly.waitingOnRead = true
                execPartOf[ticket] = assembly.ticket
                return false
            }
            record(part.bytes, readOf: key, in: &assembly)
        }
        if assembly.changed { return true }
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
                execPartOf[ticket] = assembly.ticket
                return false
            }
            part.withUnsafeBytes { assembly.replies.append(contentsOf: $0) }
            assembly.done += 1
        }
        return true
    }

    /// A WATCH keeps what it read; an EXEC compares it with what the WATCH read. A reading the
    /// WATCH has not finished, or a read that failed (an error reply, such as NOQUORUM), counts
    /// as a change: safe, the client retries.
    func record(_ reading: [UInt8], readOf key: [UInt8], in assembly: inout ExecAssembly) {
        switch assembly.mode {
        case .watch: assembly.readings[key] = reading
        case .exec(let expected):
            if reading.first == UInt8(ascii: "-") || expected[key] != reading { assembly.changed = true }
        }
    }

    /// Moves each deferred reply that a WATCH or EXEC waits on into it and runs its next
    /// steps; one with every step done becomes its reply. Runs before the output is handed
    /// over, so the commands it starts go out with it.
    mutating func assembleExecReplies(now: Now) {
        while !execPartOf.isEmpty {
            var replies = ClientReplies()
            swap(&replies, &output.replies)
            var resumed: [UInt64] = []
            replies.forEachReply { client, ticket, bytes in
                guard let exec = execPartOf.removeValue(forKey: ticket), var assembly = execAssemblies[exec] else {
                    output.replies.append(client: client, ticket: ticket, bytes)
                    return
                }
                if assembly.waitingOnRead {
                    assembly.waitingOnRead = false
                    record(Array(bytes), readOf: assembly.reads[assembly.nextRead - 1], in: &assembly)
                } else {
                    assembly.replies.append(contentsOf: bytes)
                    assembly.done += 1
                }
                execAssemblies[exec] = assembly
                resumed.append(exec)
            }
            if resumed.isEmpty { return }
            for exec in resumed {
                guard var assembly = execAssemblies.removeValue(forKey: exec) else { continue }
                guard run(&assembly, now: now) else {
                    execAssemblies[exec] = assembly
                    continue
                }
                finish(assembly)
                assembly.finalReply().withUnsafeBytes {
                    output.replies.append(client: assembly.client, ticket: assembly.ticket, $0)
                }
            }
        }
    }
}
