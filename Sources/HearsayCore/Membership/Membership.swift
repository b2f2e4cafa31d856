/// SWIM membership and failure detection as a value type with no I/O
/// (SWIM: Das, Gupta, Motivala 2002; Lifeguard: Dadgar et al. 2018).
///
/// A driver owns one instance per node and calls `handle(_:now:into:)` for every
/// event; the instance appends what should happen to the driver's buffer:
///
///     var membership = Membership(id: id, address: "10.0.0.1:17379", seed: 42)
///     var effects: [MembershipEffect] = []
///     effects.reserveCapacity(64)
///     membership.handle(.start(seeds: ["10.0.0.2:17379"]), now: clock(), into: &effects)
///     // perform effects, then effects.removeAll(keepingCapacity: true)
///
/// Callers MUST deliver every timer set by `.setTimer` (late is fine: lateness is
/// how the instance notices its own loop lagging) and MUST pass a `now` that does
/// not go backwards. Randomness comes only from the generator seeded at init, so
/// the same events at the same instants produce the same effects.
public struct Membership {
    public let settings: MembershipSettings
    /// This node's own record: its incarnation only grows.
    public internal(set) var myself: Member

    var members: [NodeID: Member] = [:]
    /// All member ids except this node's, sorted: the defined iteration order.
    var memberIDs: [NodeID] = []
    /// Incarnations of forgotten members: gossip at or below them is stale.
    var forgotten: [NodeID: UInt64] = [:]
    var suspicions: [NodeID: Suspicion] = [:]
    var gossip = DisseminationQueue()
    var probeOrder = ProbeOrder()
    var health: LocalHealth
    var rng: SeededGenerator
    var nextSequence: UInt64 = 0
    var probe: Probe?
    var relays: [UInt64: Relay] = [:]
    var seeds: [String] = []
    var started = false
    /// Whether this node has learned its cluster (see `noteJoinProgress`); at once without seeds.
    public internal(set) var isJoined = false
    /// A push-pull reply arrived (a seed or a member answered a join).
    var joinReplied = false
    /// Alive or suspect members, this node included while it has not left.
    public internal(set) var reachableMemberCount = 1
    var nextTickAt: Instant = .zero
    var nextPushPullAt: Instant = .zero
    var nextJoinAt: Instant = .zero
    var scratchIDs: [NodeID] = []

    /// The direct probe of the current protocol period.
    struct Probe {
        var target: NodeID
        var sequence: UInt64
        var timeoutAt: Instant
        var acked = false
        var indirectAsked = 0
        var nacks = 0
    }

    /// An indirect probe this node runs on behalf of `requester`.
    struct Relay {
        var requesterAddress: String
        var requesterSequence: UInt64
    }

    /// Most seeds remembered for joining.
    public static let maxSeeds = 16

    /// `knownMembers` are members known before any message (static configuration,
    /// a list kept from a previous run): they enter the view as given, without
    /// being re-gossiped and without `.changed` effects. Unknown members beyond
    /// `settings.maxMembers` and this node's own id are ignored.
    public init(
        id: NodeID, address: String, incarnation: UInt64 = 0,
        settings: MembershipSettings = .lan, seed: UInt64, knownMembers: [Member] = []
    ) {
        self.settings = settings.validated()
        precondition(address.utf8.count <= MembershipCodec.maxAddressBytes, "address too long: \(address)")
        self.myself = Member(id: id, address: address, incarnation: incarnation, status: .alive)
        self.health = LocalHealth(awarenessMaxMultiplier: settings.awarenessMaxMultiplier)
        self.rng = SeededGenerator(seed: seed ^ id.rawValue)
        for member in knownMembers.sorted(by: { $0.id < $1.id })
        where member.id != id && members[member.id] == nil && memberIDs.count + 1 < settings.maxMembers {
            members[member.id] = member
            memberIDs.append(member.id)
            if member.status.isReachable {
                reachableMemberCount += 1
                probeOrder.insert(member.id, using: &rng)
            }
        }
    }

    /// The single entry point: see the type's documentation for the contract.
    public mutating func handle(_ event: MembershipEvent, now: Instant, into effects: inout [MembershipEffect]) {
        switch event {
        case .start(let seeds):
            onStart(seeds: seeds, now: now, into: &effects)
        case .timerFired(let timer):
            precondition(started, "timer \(timer) before start")
            switch timer {
            case .protocolPeriod: onProtocolPeriod(now: now, into: &effects)
            case .probeTimeout(let sequence): onProbeTimeout(sequence: sequence, now: now, into: &effects)
            case .relayTimeout(let sequence): onRelayTimeout(sequence: sequence, into: &effects)
            }
        case .received(let message):
            precondition(started, "message before start")
            onMessage(message, now: now, into: &effects)
        case .leave:
            precondition(started, "leave before start")
            onLeave(now: now, into: &effects)
        case .forget(let id):
            onForget(id, into: &effects)
        }
    }

    /// Convenience for `handle(.forget(id), ...)`.
    public mutating func forget(_ id: NodeID, now: Instant, into effects: inout [MembershipEffect]) {
        handle(.forget(id), now: now, into: &effects)
    }

    // MARK: Views

    /// Every member this node knows, itself included, sorted by id.
    public var view: [Member] {
        var all = memberIDs.compactMap { members[$0] }
        let position = all.firstIndex { $0.id > myself.id } ?? all.count
        all.insert(myself, at: position)
        return all
    }

    /// This node's record of `id` (its own record for its own id).
    public func member(_ id: NodeID) -> Member? {
        id == myself.id ? myself : members[id]
    }

    /// Local health score (0 = healthy); timeouts are scaled by score + 1.
    public var localHealthScore: Int { health.score }

    /// How often a timer fired so late that this node went quiet.
    public var lagsSeen: Int { health.lagsSeen }

    /// Updates waiting to be piggybacked.
    public var pendingGossipCount: Int { gossip.count }

    var probeIntervalNanoseconds: Int64 { settings.probeIntervalMilliseconds &* 1_000_000 }
    var probeTimeoutNanoseconds: Int64 { settings.probeTimeoutMilliseconds &* 1_000_000 }

    /// How long an intermediate waits before it nacks: 80% of what is left of the
    /// requester's period after its direct probe, so the nack arrives in time.
    var relayTimeoutNanoseconds: Int64 {
        (settings.probeIntervalMilliseconds - settings.probeTimeoutMilliseconds) * 800_000
    }

    mutating func takeSequence() -> UInt64 {
        nextSequence &+= 1
        return nextSequence
    }
}
