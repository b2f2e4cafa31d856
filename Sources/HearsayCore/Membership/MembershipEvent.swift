/// Everything that can happen to a membership instance. The driver turns
/// datagrams, timers and operator commands into these and calls `handle`.
public enum MembershipEvent: Sendable {
    /// Begin: schedule the first protocol period and join through `seeds`
    /// ("host:port"; an empty list starts a new cluster). MUST be the first event.
    case start(seeds: [String])
    /// A timer set by a `.setTimer` effect came due.
    case timerFired(MembershipTimer)
    /// A message arrived from a peer (already decoded).
    case received(MembershipMessage)
    /// Leave gracefully: announce `left` and stop probing. The driver SHOULD keep
    /// handling events for a few probe intervals so the announcement spreads.
    case leave
    /// An operator removes a member from this node's view (typically a `down` one).
    /// Stale gossip at or below its last incarnation is ignored afterwards.
    case forget(NodeID)
}

/// The timers a membership instance sets. Timers are never cancelled: a timer
/// that is no longer wanted is ignored when it fires, so the driver only needs
/// "call me back at".
public enum MembershipTimer: Hashable, Sendable {
    /// Start the next protocol period.
    case protocolPeriod
    /// The direct probe with this sequence number waited long enough for an ack.
    case probeTimeout(sequence: UInt64)
    /// An indirect probe run for another node waited long enough.
    case relayTimeout(sequence: UInt64)
}

/// What a membership instance asks its driver to do.
public enum MembershipEffect: Sendable {
    /// Send `message` to the node at `address` (best effort, like a datagram).
    case send(MembershipMessage, to: String)
    /// Deliver `.timerFired(timer)` once this node's clock reaches `at`.
    case setTimer(MembershipTimer, at: Instant)
    /// A member's entry changed in this node's view (for the log and placement).
    case changed(MembershipChange)
}
