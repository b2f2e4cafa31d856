import RESP

/// The coordinator: requests this node coordinates for clients (and for peers that forwarded
/// them), from routing to the reply. It owns the table of requests in flight and their
/// deadlines, and acts through what the node lends it for each call: the store (where a
/// write is applied and a read answered), the hints it keeps for down owners, the topology
/// (who owns a key, who answers) and the node's output (replica messages, replies, timers).
///
/// A command on one key runs on a replica of the key: here when this node is one of the
/// key's N owners, otherwise it is forwarded to the first owner this node sees alive. The
/// coordinating replica applies a write to its own copy (minting the dot there), sends the
/// resulting object to the other reachable owners (and, for each owner that is down, to the
/// next reachable node of the preference list, with a hint), and replies after W replicas
/// (itself included) hold it. A read asks the other owners, waits for R copies, merges them
/// into its own (read repair for itself), answers from the merge, and sends the merge back
/// to the replicas that were behind. Commands on many keys fan out per key and gather.
/// Keyless commands (PING, INFO, DBSIZE, KEYS, SCAN, FLUSHALL) run on this node alone.
public struct Coordinator {
    typealias M = ReplicationMessages

    /// Boxed: the settings are 1.2 KB, and the coordinator is reached in place on every request.
    private let settingsBox: Box<ClusterSettings>
    var settings: ClusterSettings { settingsBox.value }
    /// Requests in flight, by request id (bounded by `settings.maxPendingRequests`).
    var pending = PendingTable()
    /// Starts at a seeded random point below 2^40, so that answers still in flight to this
    /// node's previous life (a quick restart) do not match the new life's requests.
    var nextRequestID: UInt64
    /// A `.requestDeadlines` timer is set and has not fired yet.
    var deadlineSweepArmed = false
    /// Pre-reads in flight, counted by a hash of their key (see `Coordinator+WriteOrder`);
    /// 32-bit counts, since up to `maxPendingRequests` (100,000) may share a slot.
    var preReadsInFlight = [UInt32](repeating: 0, count: 1024)
    /// Reused to encode the object a write replicates (see `replicate`).
    var encodeScratch = ByteWriter(capacity: 256)
    /// Reused by `runStored`: argument spans and the reply of a request run after its replicas.
    /// The reply buffer is taken out while in use (see `takeStoredReply`): swapping in a fresh
    /// placeholder cost two allocations per coordinated read.
    var storedSpans: [Int] = []
    var storedReply: ReplyBuffer? = ReplyBuffer(capacity: 256)
    /// Counters for HS.STATS.
    public internal(set) var stats = ReplicationStats()

    init(settings: ClusterSettings, seed: UInt64) {
        settingsBox = Box(settings)
        nextRequestID = 1 + (StableHash.combine(seed, 0x7265_7175_6573_7473) & ((1 << 40) - 1))
    }

    /// Requests in flight.
    public var pendingCount: Int { pending.count }

    /// A connection's quorums. A node that founded its cluster (started without seeds)
    /// caps them by the replicas a partition has while the cluster is smaller than N, so a
    /// node run alone answers at the default quorums. A node that joins through seeds never
    /// caps: until it has learned the cluster it refuses (NOQUORUM) rather than acknowledge
    /// a write fewer nodes hold than the client asked for.
    func quorums(_ session: ClientSession, _ topology: Topology) -> (read: Int, write: Int) {
        let factor = settings.replicationFactor
        let replicas = topology.founder ? max(1, min(factor, topology.placement.replicaCount)) : factor
        return (
            min(replicas, session.readQuorum > 0 ? session.readQuorum : settings.readQuorum),
            min(replicas, session.writeQuorum > 0 ? session.writeQuorum : settings.writeQuorum)
        )
    }

    // MARK: The request table

    /// A ticket no request will use, for a reply the node assembles itself (EXEC's).
    mutating func reserveTicket() -> UInt64 {
        defer { nextRequestID &+= 1 }
        return nextRequestID
    }

    /// Registers a pending request with a deadline; a client sink gets the request id as ticket.
    mutating func newRequest(
        sink: ReplySink, kind: consuming PendingRequest.Kind, now: Now, output: inout NodeOutput
    ) -> UInt64 {
        let requestID = nextRequestID
        nextRequestID &+= 1
        var resolved = sink
        if case .client(let client, _) = sink { resolved = .client(id: client, ticket: requestID) }
        let deadline = now.monotonic.adding(milliseconds: settings.requestTimeoutMilliseconds)
        invariant(pending[requestID] == nil, "request id \(requestID) reused while in flight")
        pending.insert(
            requestID, PendingRequest(sink: resolved, kind: kind, deadline: deadline, started: now.monotonic))
        armDeadlineSweep(now, output: &output)
        return requestID
    }

    /// A tenth of the request timeout: how often pending requests are swept, so how late a
    /// request may fail past its deadline, and how long a read waits for its first owners.
    var requestSweepMilliseconds: Int64 { max(1, settings.requestTimeoutMilliseconds / 10) }

    mutating func armDeadlineSweep(_ now: Now, output: inout NodeOutput) {
        guard !deadlineSweepArmed else { return }
        deadlineSweepArmed = true
        output.effects.append(
            .setTimer(.requestDeadlines, at: now.monotonic.adding(milliseconds: requestSweepMilliseconds)))
    }

    /// Fails every request past its deadline, and widens reads whose first owners are slow
    /// (both in id order, so runs replay exactly).
    mutating func sweepRequestDeadlines(now: Now, topology: inout Topology, output: inout NodeOutput) {
        deadlineSweepArmed = false
        var expired: [UInt64] = []
        var slowReads: [UInt64] = []
        let retryAfter = requestSweepMilliseconds
        for (id, request) in pending {
            if request.deadline <= now.monotonic {
                expired.append(id)
            } else if request.started.adding(milliseconds: retryAfter) <= now.monotonic,
                case .read(let read) = request.kind,
                read.unaskedIn != nil
            {
                slowReads.append(id)
            }
        }
        expired.sort()
        for id in expired { requestDeadline(id, now: now, output: &output) }
        slowReads.sort()
        for id in slowReads { askRemainingOwners(id, now: now, topology: &topology, output: &output) }
        if !pending.isEmpty { armDeadlineSweep(now, output: &output) }
    }

    /// A request's deadline passed: fail it with how many replicas answered.
    mutating func requestDeadline(_ requestID: UInt64, now: Now, output: inout NodeOutput) {
        guard let request = pending[requestID] else { return }
        if case .preRead(let read) = request.kind { notePreReadEnded(read.keyHash) }
        let failure: ReplicationFailure
        switch request.kind {
        case .forwarded:
            stats.forwardTimeouts += 1
            failure = .forwardTimedOut
        case .write(_, let asked, _, let quorum):
            stats.quorumFailures += 1
            failure = .unanswered(answered: asked.answeredCount + 1, quorum: quorum)
        case .read(let read), .preRead(let read):
            stats.quorumFailures += 1
            failure = .unanswered(answered: read.copies.count + 1, quorum: read.quorum)
        case .checkedWrite(let write):
            stats.quorumFailures += 1
            failure = .unanswered(answered: write.matched + write.differed.count + 1, quorum: write.quorum)
        case .multi:
            failure = .partsTimedOut
        }
        finish(requestID, failure.reply, now: now, output: &output)
    }

    /// Completes a pending request with `reply`.
    mutating func finish(_ requestID: UInt64, _ reply: Reply, now: Now, output: inout NodeOutput) {
        guard let request = pending.removeValue(forKey: requestID) else { return }
        finish(request, reply, now: now, output: &output)
    }

    /// Completes a request already taken out of the table.
    mutating func finish(_ request: PendingRequest, _ reply: Reply, now: Now, output: inout NodeOutput) {
        stats.recordLatency((now.monotonic.nanoseconds - request.started.nanoseconds) / 1000)
        complete(request.sink, reply, output: &output)
    }

    /// Completes a request with a reply already encoded (a read answered from the store, a
    /// forwarded request's reply), passed on as it is.
    mutating func finish(
        _ request: PendingRequest, encoded reply: UnsafeRawBufferPointer, now: Now, output: inout NodeOutput
    ) {
        stats.recordLatency((now.monotonic.nanoseconds - request.started.nanoseconds) / 1000)
        switch request.sink {
        case .client(let client, let ticket):
            output.replies.append(client: client, ticket: ticket, reply)
        case .peer, .part:
            complete(request.sink, Reply(encoded: Array(reply)), output: &output)
        }
    }

    /// Delivers a finished reply to its sink: a client's into the output's replies, a peer's
    /// into a forward reply, a part into its multi-key request.
    mutating func complete(_ sink: ReplySink, _ reply: Reply, output: inout NodeOutput) {
        switch sink {
        case .client(let client, let ticket):
            output.replies.append(client: client, ticket: ticket, reply)
        case .peer(let node, let requestID):
            output.peers.forwardReplies[node, default: []].append(
                M.ForwardReply(requestID: requestID, reply: reply.encoded))
        case .part(let parent, let index):
            guard var request = pending[parent],
                case .multi(var parts, let combine, let version) = request.kind
            else { return }
            parts[index] = reply
            request.kind = .multi(parts: parts, combine: combine, protocolVersion: version)
            pending[parent] = request
            if parts.allSatisfy({ $0 != nil }) {
                let combined = Coordinator.combine(parts.map { $0! }, combine, protocolVersion: version)
                if let done = pending.removeValue(forKey: parent) { complete(done.sink, combined, output: &output) }
            }
        }
    }

    /// A reply already complete: written inline when the client waits on this call, else to the sink.
    mutating func deliver(_ answer: Reply, _ sink: ReplySink?, _ reply: inout ReplyBuffer, output: inout NodeOutput)
        -> CommandOutcome
    {
        if let sink {
            complete(sink, answer, output: &output)
        } else {
            answer.write(into: &reply)
        }
        return .proceed
    }

    /// The same for one of the coordinator's own errors.
    mutating func fail(
        _ failure: ReplicationFailure, _ sink: ReplySink?, _ reply: inout ReplyBuffer, output: inout NodeOutput
    ) -> CommandOutcome {
        deliver(failure.reply, sink, &reply, output: &output)
    }

    // MARK: Running a stored request

    /// Runs a stored request on the store (after its replicas answered) and returns its reply.
    mutating func runStored(_ arguments: StoredArguments, protocolVersion: Int, now: Now, store: inout Store)
        -> Reply
    {
        let scratch = runStoredInScratch(arguments, protocolVersion: protocolVersion, now: now, store: &store)
        storedReply = scratch
        return Reply(scratch, from: 0)
    }

    /// Runs a stored request on the store and returns the reusable reply buffer holding its
    /// reply, taken out: the caller reads the reply, then puts the buffer back in
    /// `storedReply`. The span array is reused the same way.
    mutating func runStoredInScratch(
        _ arguments: StoredArguments, protocolVersion: Int, now: Now, store: inout Store
    ) -> ReplyBuffer {
        var spans: [Int] = []
        swap(&spans, &storedSpans)
        var scratch = takeStoredReply(protocolVersion: protocolVersion)
        arguments.withArguments(spans: &spans) { a in
            if let id = CommandTable.lookupID(a[0]) { store.dispatch(id, a, now, &scratch) }
        }
        swap(&spans, &storedSpans)
        return scratch
    }

    /// The reusable reply buffer, emptied; hand it back to `storedReply`.
    mutating func takeStoredReply(protocolVersion: Int) -> ReplyBuffer {
        var buffer = storedReply.take() ?? ReplyBuffer(capacity: 256)
        buffer.removeAll()
        buffer.protocolVersion = protocolVersion
        return buffer
    }
}
