/// Fault injection for demos and tests (HS.FAULT): drops or delays the frames a node
/// exchanges with given peers, at the node's own boundary, so the simulator and the real
/// runtime see the same faults. Outgoing frames are `.send` effects the node produced;
/// incoming frames are `.frame` events before the node looks at them. Both datagrams
/// (membership probes, so SWIM sees the partition) and stream traffic (replication,
/// anti-entropy) are covered.
///
/// Bounds: rules for at most `maxPeers` peers (each with an incoming and an outgoing
/// action); held frames at most `maxHeldFrames` and `maxHeldBytes` of payload, in and out
/// together. Past either bound the frame due first (the oldest, when delays are equal) is
/// dropped and counted in `heldDropped` and in its rule's dropped count. A delay is at most `maxDelayMilliseconds`.
public struct FaultInjector: Sendable {
    public static let maxPeers = 64
    public static let maxHeldFrames = 10_000
    public static let maxHeldBytes = 64 << 20
    public static let maxDelayMilliseconds: Int64 = 3_600_000

    /// A frame held by a delay rule until `releaseAt`.
    struct Held: Sendable {
        enum Payload: Sendable {
            case outgoing(type: MessageType, payload: [UInt8], to: String, channel: PeerChannel)
            case incoming(Frame)
        }
        var releaseAt: Instant
        var sequence: UInt64
        var peer: NodeID
        var incoming: Bool
        var payload: Payload

        var bytes: Int {
            switch payload {
            case .outgoing(_, let payload, _, _): return payload.count
            case .incoming(let frame): return frame.payload.count
            }
        }
    }

    public private(set) var rules: [NodeID: PeerFault] = [:]
    /// Held frames sorted by (releaseAt, sequence); `heldStart` is the first still held.
    var held: [Held] = []
    var heldStart = 0
    public private(set) var heldBytes = 0
    var nextSequence: UInt64 = 0
    /// The earliest release timer set and not yet fired, if any.
    var armedAt: Instant?
    /// Held frames dropped at the bound.
    public private(set) var heldDropped = 0

    public init() {}

    /// True while any rule is set (the node checks nothing otherwise).
    public var isActive: Bool { !rules.isEmpty }
    public var heldCount: Int { held.count - heldStart }

    // MARK: Rules

    /// Sets `action` for `peer` in `direction`, replacing what that direction had. False when
    /// the peer is new and `maxPeers` peers already have rules.
    mutating func set(_ action: FaultAction, peer: NodeID, direction: FaultDirection) -> Bool {
        var rule = rules[peer] ?? PeerFault()
        if rules[peer] == nil && rules.count >= FaultInjector.maxPeers { return false }
        if direction.coversIncoming { rule.incoming = action }
        if direction.coversOutgoing { rule.outgoing = action }
        rules[peer] = rule
        return true
    }

    /// Removes the rules of `peer`, or of every peer; returns how many (peer, direction)
    /// rules went. Frames already held are still released when due.
    mutating func clear(peer: NodeID?) -> Int {
        let removed: [PeerFault]
        if let peer {
            removed = rules.removeValue(forKey: peer).map { [$0] } ?? []
        } else {
            removed = Array(rules.values)
            rules = [:]
        }
        return removed.reduce(0) { $0 + ($1.incoming == nil ? 0 : 1) + ($1.outgoing == nil ? 0 : 1) }
    }

    /// What happens to a frame from (`incoming`) or to `peer`: nil lets it through.
    func action(for peer: NodeID, incoming: Bool) -> FaultAction? {
        guard let rule = rules[peer] else { return nil }
        return incoming ? rule.incoming : rule.outgoing
    }

    mutating func countDrop(_ peer: NodeID, incoming: Bool) {
        if incoming { rules[peer]?.droppedIncoming += 1 } else { rules[peer]?.droppedOutgoing += 1 }
    }

    // MARK: Holding

    /// Holds a frame for `peer` under a delay of `milliseconds`. Returns the instant a
    /// release timer must be set for, or nil when one already covers it.
    mutating func hold(
        _ payload: Held.Payload, peer: NodeID, incoming: Bool, milliseconds: Int64, now: Instant
    ) -> Instant? {
        var rule = rules[peer] ?? PeerFault()
        var releaseAt = now.adding(milliseconds: milliseconds)
        if incoming {
            releaseAt = max(releaseAt, rule.lastIncomingRelease)
            rule.lastIncomingRelease = releaseAt
            rule.delayedIncoming += 1
        } else {
            releaseAt = max(releaseAt, rule.lastOutgoingRelease)
            rule.lastOutgoingRelease = releaseAt
            rule.delayedOutgoing += 1
        }
        if rules[peer] != nil { rules[peer] = rule }
        let item = Held(releaseAt: releaseAt, sequence: nextSequence, peer: peer, incoming: incoming, payload: payload)
        nextSequence &+= 1
        insert(item)
        heldBytes += item.bytes
        while heldCount > FaultInjector.maxHeldFrames || heldBytes > FaultInjector.maxHeldBytes {
            let oldest = held[heldStart]
            heldBytes -= oldest.bytes
            heldStart += 1
            heldDropped += 1
            countDrop(oldest.peer, incoming: oldest.incoming)
        }
        compact()
        guard let first = nextRelease else { return nil }
        if let armedAt, armedAt <= first { return nil }
        armedAt = first
        return first
    }

    /// Keeps `held` sorted by (releaseAt, sequence); appending is the common case.
    private mutating func insert(_ item: Held) {
        var i = held.count
        while i > heldStart, held[i - 1].releaseAt > item.releaseAt { i -= 1 }
        held.insert(item, at: i)
    }

    private mutating func compact() {
        if heldStart > 0 && heldStart * 2 >= held.count {
            held.removeFirst(heldStart)
            heldStart = 0
        }
    }

    /// Frames held now for `peer` in one direction.
    func heldCount(for peer: NodeID, incoming: Bool) -> Int {
        held[heldStart...].reduce(0) { $0 + ($1.peer == peer && $1.incoming == incoming ? 1 : 0) }
    }

    var nextRelease: Instant? { heldStart < held.count ? held[heldStart].releaseAt : nil }

    /// Takes every held frame due at `now`, in release order, and says when the next release
    /// timer must be set (nil: none needed).
    mutating func releaseDue(now: Instant) -> (due: [Held], timer: Instant?) {
        var due: [Held] = []
        while heldStart < held.count, held[heldStart].releaseAt <= now {
            due.append(held[heldStart])
            heldBytes -= held[heldStart].bytes
            heldStart += 1
        }
        compact()
        if let armed = armedAt, armed <= now { armedAt = nil }
        guard let next = nextRelease else { return (due, nil) }
        if let armedAt, armedAt <= next { return (due, nil) }
        armedAt = next
        return (due, next)
    }
}
