/// A peer message of the membership protocol. Every message names its sender
/// (id, address, incarnation), so any message is also proof that the sender is
/// alive at that incarnation, and carries piggybacked gossip (SWIM 4.4).
public struct MembershipMessage: Hashable, Sendable {
    public var sender: Member
    public var body: Body
    /// Updates piggybacked on this message, at most `MembershipCodec.maxPiggybackUpdates`.
    public var gossip: [MemberUpdate]

    public init(sender: Member, body: Body, gossip: [MemberUpdate] = []) {
        self.sender = sender
        self.body = body
        self.gossip = gossip
    }

    public enum Body: Hashable, Sendable {
        /// Direct probe (SWIM 4.1). `target` lets a node that took over a reused
        /// address ignore a probe meant for someone else.
        case ping(sequence: UInt64, target: NodeID)
        /// Answer to a ping, or relayed by an intermediate for a ping-req.
        case ack(sequence: UInt64)
        /// Asks the receiver to probe `target` and ack back on success.
        case pingRequest(sequence: UInt64, target: NodeID, targetAddress: String)
        /// The intermediate of a ping-req got no ack in time (Lifeguard IV.A):
        /// evidence that the requester's own network works.
        case nack(sequence: UInt64)
        /// Full state exchange. `isJoin` marks a join through a seed; a message
        /// with `isReply == false` is answered with the receiver's own state.
        case pushPull(isJoin: Bool, isReply: Bool, members: [MemberUpdate])
        /// The sender leaves gracefully; its own `left` record is in `sender`.
        case leave
    }

    /// Push-pull states can be large; a transport with a stream path should use it.
    public var prefersStream: Bool {
        if case .pushPull = body { return true }
        return false
    }
}
