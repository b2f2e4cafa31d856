/// What HS.FAULT does to the traffic of one peer in one direction.
public enum FaultAction: Equatable, Sendable {
    /// Every frame is dropped.
    case drop
    /// Every frame is held this long, then delivered (in order per peer and direction).
    case delay(milliseconds: Int64)
}

/// Which traffic a fault covers: frames this node sends to the peer, receives from it, or both.
public enum FaultDirection: Equatable, Sendable {
    case incoming
    case outgoing
    case both

    var coversIncoming: Bool { self != .outgoing }
    var coversOutgoing: Bool { self != .incoming }
}

/// One peer's faults: an action per direction, and what they did.
public struct PeerFault: Equatable, Sendable {
    public var incoming: FaultAction?
    public var outgoing: FaultAction?
    public var droppedIncoming = 0
    public var droppedOutgoing = 0
    public var delayedIncoming = 0
    public var delayedOutgoing = 0
    /// The last release time given per direction: a later frame is never released before an
    /// earlier one, so a stream stays in order even when the delay shrinks.
    var lastIncomingRelease = Instant.zero
    var lastOutgoingRelease = Instant.zero

    var isEmpty: Bool { incoming == nil && outgoing == nil }
}
