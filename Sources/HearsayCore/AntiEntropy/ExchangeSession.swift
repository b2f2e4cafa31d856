/// One anti-entropy exchange of one partition between two replicas: a pure state machine.
///
/// The initiator opens with the root's fingerprint. From then on the replicas take turns,
/// each turn one `ExchangeMessage`: whoever receives children fingerprints compares them with
/// its own and, for each child that differs, either sends that child's children in turn
/// (descending), or its key list when the child is small, or, when the other side holds no
/// key there, pushes all its keys at once. A key list's receiver pushes the objects whose
/// state the other side lacks and pulls the ones it lacks itself; objects are merged on
/// arrival. So both directions converge in one session, and traffic grows with the
/// difference: roots alone when the replicas agree.
///
/// The session does no I/O and reads no clock. The caller (the node):
/// - creates it with `init(initiating:...)` and sends what `start` returns, or, on a
///   `merkleRequest` with sequence 0 and no session for it, `init(respondingTo:...)`;
/// - passes every message of this session to `receive`, and carries out the directives:
///   `.send` (frame type `message.frameType`), `.finished`, `.aborted`;
/// - calls `timeout(now:)` once `now >= deadline` (a lost message: the session gives up
///   cleanly, both sides keep whatever they merged so far);
/// - bounds how many sessions run at once (a responder refuses openings beyond its limit by
///   not creating a session; the initiator then times out).
/// Store operations happen only inside `start` and `receive`, through `AntiEntropyStore`.
public struct ExchangeSession: Sendable {
    public enum Role: Equatable, Sendable { case initiator, responder }

    public enum State: Equatable, Sendable {
        case open
        case finished
        case aborted(AbortReason)
    }

    public enum AbortReason: Equatable, Sendable {
        /// The peer's next message did not arrive before the deadline.
        case timedOut
        /// The peer's partition layout differs from ours: no comparison is meaningful.
        case layoutMismatch
        /// The peer's message contradicts the protocol (wrong depth, or an undecodable object).
        case protocolViolation(String)
    }

    public let role: Role
    public let id: UInt64
    public let settings: ExchangeSettings
    public internal(set) var partition: Int
    public internal(set) var state: State = .open
    /// When the peer's next message is due; the caller calls `timeout` at or after it.
    public internal(set) var deadline: Instant
    public internal(set) var stats = ExchangeStats()
    /// When this side began the session (the initiator's start, the responder's first turn).
    public let startedAt: Instant
    /// This side's Merkle root of the partition when the session began: an agreement covers
    /// exactly the state this root names (handoff drops a partition only while it holds).
    public internal(set) var localRoot: UInt64 = 0
    /// The peer said it dropped work at a bound during this session.
    public internal(set) var peerDropped = false
    /// The `now` of the turn being handled (tombstones are judged settled against it).
    var turnTime: Instant

    var salt: UInt64
    var tree: TreePath
    /// The sequence number the next message of the conversation carries, either side's.
    var nextSequence: UInt64 = 0
    var work = ExchangeWork()

    /// An initiator for `partition` of `store`. `salt` SHOULD come from the node's seeded
    /// generator, so each session fingerprints differently; `id` MUST be unique among this
    /// node's open initiator sessions with the same peer.
    public init<S: AntiEntropyStore>(
        initiating partition: Int, id: UInt64, salt: UInt64, store: S,
        settings: ExchangeSettings = .lan, now: Instant
    ) {
        precondition(partition >= 0 && partition < store.partitionCount, "partition \(partition) outside the store")
        role = .initiator
        self.id = id
        self.partition = partition
        self.salt = salt
        self.settings = settings
        tree = TreePath(leafBits: store.leavesPerPartition.trailingZeroBitCount)
        deadline = now
        startedAt = now
        turnTime = now
    }

    /// A responder for an opening message (nil when `opening` is not one).
    public init?(respondingTo opening: ExchangeMessage, settings: ExchangeSettings = .lan, now: Instant) {
        guard opening.fromInitiator, opening.sequence == 0, let o = opening.opening else { return nil }
        role = .responder
        id = opening.session
        partition = o.partition
        salt = o.salt
        self.settings = settings
        tree = TreePath(leafBits: o.leafBits)
        deadline = now
        startedAt = now
        turnTime = now
    }

    /// The session ended with the two replicas agreeing: finished, with nothing dropped at a
    /// bound on either side, so every difference found (if any) was exchanged and merged, or
    /// deliberately not stored (a settled tombstone where the receiver held nothing).
    public var agreed: Bool { state == .finished && stats.deferredDropped == 0 && !peerDropped }

    /// The initiator's opening turn.
    public mutating func start<S: AntiEntropyStore>(store: S, now: Instant) -> [ExchangeDirective] {
        precondition(role == .initiator && nextSequence == 0 && state == .open, "start: once, by the initiator")
        var message = ExchangeMessage(session: id, sequence: 0, fromInitiator: true)
        let root = MerkleTree(leaves: store.leaves(ofPartition: partition)).root
        localRoot = root
        message.opening = .init(
            partition: partition, leafBits: tree.leafBits, salt: salt,
            root: fingerprint(root, salt: salt))
        return [send(message, now: now)]
    }

    /// The peer's next turn. Stale, duplicated or misrouted messages are ignored (counted).
    public mutating func receive<S: AntiEntropyStore>(
        _ message: ExchangeMessage, store: inout S,
        now: Now
    ) -> [ExchangeDirective] {
        guard state == .open, message.session == id, message.fromInitiator == (role == .responder),
            message.sequence == nextSequence
        else {
            stats.messagesIgnored += 1
            return []
        }
        nextSequence += 1
        turnTime = now.monotonic
        if message.senderDropped { peerDropped = true }
        stats.messagesReceived += 1
        stats.bytesReceived += message.encodedByteCount
        if let opening = message.opening {
            guard opening.leafBits == tree.leafBits, tree.leafBits == store.leavesPerPartition.trailingZeroBitCount,
                opening.partition < store.partitionCount
            else { return abort(.layoutMismatch) }
            let root = MerkleTree(leaves: store.leaves(ofPartition: partition)).root
            localRoot = root
            if fingerprint(root, salt: salt) != opening.root { enqueue(descent: .root) }
        }
        if let violation = absorb(message, store: &store, now: now) { return abort(.protocolViolation(violation)) }
        if message.isFinal { return [finish()] }
        var reply = ExchangeMessage(session: id, sequence: nextSequence, fromInitiator: role == .initiator)
        fill(&reply, store: store)
        reply.hasMore = !work.isEmpty
        // The final message carries nothing but the end: its sender finishes (and may record
        // an agreement) without hearing back, so objects in it could be lost unnoticed. A
        // reply with objects goes as an ordinary turn, and the peer's answer proves it arrived.
        if reply.asksNothing && reply.objects.isEmpty && !message.hasMore {
            reply.isFinal = true
            return [send(reply, now: now.monotonic), finish()]
        }
        return [send(reply, now: now.monotonic)]
    }

    /// Gives up if the peer's message is overdue. Returns no directives before the deadline.
    public mutating func timeout(now: Instant) -> [ExchangeDirective] {
        guard state == .open, now >= deadline else { return [] }
        return abort(.timedOut)
    }

    // MARK: Turns

    mutating func send(_ message: ExchangeMessage, now: Instant) -> ExchangeDirective {
        var message = message
        message.senderDropped = stats.deferredDropped > 0
        nextSequence += 1
        stats.messagesSent += 1
        stats.bytesSent += message.encodedByteCount
        stats.objectsSent += message.objects.count
        stats.objectBytesSent += message.objects.reduce(0) { $0 + $1.key.count + $1.encodedObject.count }
        stats.treeBytesSent += message.nodes.reduce(0) { $0 + ExchangeMessage.size(of: $1) }
        stats.keyListBytesSent += message.keyLists.reduce(0) { $0 + ExchangeMessage.size(of: $1) }
        deadline = now.adding(milliseconds: settings.replyTimeoutMilliseconds)
        return .send(message)
    }

    mutating func finish() -> ExchangeDirective {
        state = .finished
        stats.deferredDropped += work.count
        work = ExchangeWork()
        return .finished(stats)
    }

    mutating func abort(_ reason: AbortReason) -> [ExchangeDirective] {
        state = .aborted(reason)
        work = ExchangeWork()
        return [.aborted(reason, stats)]
    }

    mutating func enqueue(descent node: ExchangeMessage.NodeRef) {
        guard work.count < settings.maxPendingItems else {
            stats.deferredDropped += 1
            return
        }
        work.descents.append(node)
    }
}

/// What a session does next, for its caller to carry out.
public enum ExchangeDirective: Equatable, Sendable {
    /// Send this to the peer; the session then waits until `deadline`.
    case send(ExchangeMessage)
    /// The exchange is complete on this side; drop the session.
    case finished(ExchangeStats)
    /// The exchange gave up; drop the session. Whatever was merged stays merged.
    case aborted(ExchangeSession.AbortReason, ExchangeStats)
}

/// Counters of one session, for HS.STATS and for the efficiency measurements.
public struct ExchangeStats: Equatable, Sendable {
    public var messagesSent = 0
    public var messagesReceived = 0
    public var messagesIgnored = 0
    public var bytesSent = 0
    public var bytesReceived = 0
    /// Bytes of children-fingerprint sections sent (the tree levels walked).
    public var treeBytesSent = 0
    public var keyListBytesSent = 0
    public var objectsSent = 0
    /// Key plus encoded object bytes of the objects sent.
    public var objectBytesSent = 0
    public var objectsMerged = 0
    /// Settled tombstones received for keys this side holds nothing of, and not stored.
    public var settledSkipped = 0
    /// Work dropped at a bound (or left when the session ended): a later session repairs it.
    public var deferredDropped = 0
    public init() {}
}

/// A session's queued work, each list in the order it was found.
struct ExchangeWork: Sendable {
    /// Nodes whose children's fingerprints this side sends next.
    var descents: [ExchangeMessage.NodeRef] = []
    /// Nodes whose key list this side sends next.
    var keyLists: [ExchangeMessage.NodeRef] = []
    /// Nodes where the peer holds nothing: every key goes, in path order from `after`.
    var pushNodes: [(node: ExchangeMessage.NodeRef, after: UInt64?)] = []
    /// Keys (by hash) whose objects this side sends.
    var pushes: [UInt64] = []
    /// Key-state fingerprints this side asks the peer for.
    var pulls: [UInt32] = []

    var count: Int { descents.count + keyLists.count + pushNodes.count + pushes.count + pulls.count }
    var isEmpty: Bool { count == 0 }
}
