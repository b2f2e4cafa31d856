/// How a peer message travels. Probes and acks go as datagrams so they never queue behind
/// bulk data; state exchanges and replication use a stream connection.
public enum PeerChannel: Hashable, Sendable {
    case datagram
    case stream
}

/// The timers a node sets. Timers are never cancelled: a stale one is ignored when it fires.
public enum NodeTimer: Hashable, Sendable {
    case membership(MembershipTimer)
    /// Time to fail the coordinated requests whose deadline has passed. One timer for all of
    /// them, every tenth of the request timeout while any is pending, rather than one per
    /// request: the driver's timer heap stayed small and a busy node stopped spending 7% of
    /// its time on it.
    case requestDeadlines
    /// Periodic replication chores: hint replay and expiry.
    case replicationTick
    /// Periodic anti-entropy: start an exchange, time out stale ones.
    case antiEntropyTick
    /// Frames held by an HS.FAULT delay come due.
    case faultRelease
}

/// Everything from the outside that reaches a node besides client requests.
public enum NodeEvent: Sendable {
    /// Join the cluster through the configured seeds. MUST be the first cluster event.
    case start
    /// A frame from a peer, already de-framed and authenticated by the driver.
    case frame(Frame)
    /// A timer set by a `.setTimer` effect came due.
    case timerFired(NodeTimer)
    /// Leave the cluster gracefully (on SIGTERM): announce it, keep serving briefly.
    case leave
}

/// What a node asks its driver to do.
public enum NodeEffect: Sendable {
    /// Send one frame of `type` carrying `payload` to the peer at `address` ("host:port").
    case send(type: MessageType, payload: [UInt8], to: String, channel: PeerChannel)
    /// Deliver `.timerFired(timer)` once this node's clock reaches `at`.
    case setTimer(NodeTimer, at: Instant)
    /// A member's entry changed in this node's view (for the log).
    case membershipChanged(MembershipChange)
    // Replies to deferred requests leave beside the effects, in `NodeOutput.replies`: one
    // byte buffer the driver reuses (see `ClientReplies`).
}
