/// Everything a node asks of its driver, gathered as it happens and handed over whole by
/// `Node.takeOutput(into:now:)`: the one way out of the core. Both drivers take it after each
/// turn (the libuv runtime at the end of every loop iteration, the simulator after every
/// event) and carry it out the same way: `effects` in order, then `replies`.
///
/// Replication messages wait in `peers`, batched per peer and message type, and become `.send`
/// effects when the output is taken, so everything a turn produces for one peer leaves in one
/// frame per message type. The driver owns the buffers it swaps in and reuses them.
public struct NodeOutput {
    /// Peer frames to send, timers to set and membership changes to log, in the order made.
    public internal(set) var effects: [NodeEffect] = []
    /// Replies to deferred client requests, in the order they completed.
    public internal(set) var replies = ClientReplies()
    /// Replication messages not yet framed (see `PeerOutbox`).
    var peers = PeerOutbox()
    /// Frames an HS.FAULT delay held that are now due: sent as they are, past the rules.
    var released: [NodeEffect] = []

    public init() { effects.reserveCapacity(64) }

    public var isEmpty: Bool { effects.isEmpty && replies.isEmpty && peers.isEmpty && released.isEmpty }

    /// Empties the buffers, keeping their storage for the next turn.
    public mutating func removeAll() {
        effects.removeAll(keepingCapacity: true)
        replies.removeAll()
        released.removeAll(keepingCapacity: true)
    }
}
