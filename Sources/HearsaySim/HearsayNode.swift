import HearsayCore
import RESP

/// Adapts the full `Node` (store, commands and cluster side) to the simulator. Peer
/// traffic is the node's own frames (type and payload bytes) on the channel the node
/// chose: datagrams may be lost, duplicated and reordered, streams are FIFO per link.
/// Timers are the node's `.setTimer` effects plus the periodic expiry tick a runtime
/// would run; membership changes become observations for the checkers.
public struct HearsayNode: SimulatedNode {
    /// One peer frame in flight.
    public struct Message: Sendable {
        public var type: MessageType
        public var payload: [UInt8]
        public var channel: PeerChannel
    }

    public enum Timer: Sendable {
        case node(NodeTimer)
        /// Active expiry (`Node.tick`), which the runtime drives from its own timer.
        case expiry
    }

    public enum Observation: Sendable {
        case changed(MembershipChange)
        /// The reply to a client command the node deferred (coordinated by other replicas).
        case reply(ticket: UInt64, bytes: [UInt8])
        /// The node counted `count` more peer frames it could not decode.
        case malformedFrames(count: Int)
    }

    public var node: Node
    /// The session client commands run in (one client per simulated node).
    public var session: ClientSession
    /// Period of the expiry tick; 0 runs none. Nanoseconds.
    public let expiryIntervalNanoseconds: Int64
    /// What the node produced, taken after every event (the libuv runtime takes it once per
    /// loop iteration; the simulator's turns are single events).
    var output = NodeOutput()
    var malformedSeen = 0

    /// A node of a cluster: `settings` must carry a fresh writer id and seed per life,
    /// `cluster` the stable node id, the address and (on a restart) a higher incarnation.
    public init(settings: NodeSettings, cluster: ClusterSettings, expiryIntervalNanoseconds: Int64, now: Now) {
        node = Node(settings: settings)
        node.joinCluster(cluster)
        session = node.connect(id: 1, address: "client:1", localAddress: cluster.address, now: now.monotonic)
        self.expiryIntervalNanoseconds = expiryIntervalNanoseconds
    }

    public static func travelsOnStream(_ message: Message) -> Bool { message.channel == .stream }

    public mutating func start(now: Now, actions: inout SimulatedActions<HearsayNode>) {
        handle(.start, now: now, actions: &actions)
        if expiryIntervalNanoseconds > 0 {
            actions.setTimer(.expiry, at: now.monotonic.adding(nanoseconds: expiryIntervalNanoseconds))
        }
    }

    public mutating func receive(_ message: Message, now: Now, actions: inout SimulatedActions<HearsayNode>) {
        let before = traceState()
        handle(.frame(Frame(type: message.type, payload: message.payload)), now: now, actions: &actions)
        traceChange(from: before, now: now, cause: "frame \(message.type)")
    }

    /// With a trace key set (`HEARSAY_SIM_TRACE_KEY`), the key's state on this node, else nil.
    func traceState() -> String? {
        guard let key = ReplicationScenarios.traceKey else { return nil }
        return node.debugState(of: Array(key.utf8))
    }

    /// Prints the traced key's state on this node when an event changed it.
    func traceChange(from before: String?, now: Now, cause: String) {
        guard let before, let after = traceState(), after != before else { return }
        let id = "\(node.cluster.settings.nodeID)"
        print("     t=\(now.monotonic.milliseconds) node \(id) after \(cause): \(after)")
    }

    public mutating func timerFired(_ timer: Timer, now: Now, actions: inout SimulatedActions<HearsayNode>) {
        switch timer {
        case .node(let nodeTimer):
            let before = traceState()
            handle(.timerFired(nodeTimer), now: now, actions: &actions)
            traceChange(from: before, now: now, cause: "timer \(nodeTimer)")
        case .expiry:
            node.tick(now: now)
            carryOut(now: now, &actions)
            actions.setTimer(.expiry, at: now.monotonic.adding(nanoseconds: expiryIntervalNanoseconds))
        }
    }

    /// Feeds one cluster event (start, frame, timer, leave) and carries out its effects.
    public mutating func handle(_ event: NodeEvent, now: Now, actions: inout SimulatedActions<HearsayNode>) {
        node.handle(event, now: now)
        carryOut(now: now, &actions)
    }

    /// What a client command gave: its reply now, or a ticket its `.reply` observation will carry.
    public enum CommandResult: Sendable {
        case reply([UInt8])
        case deferred(ticket: UInt64)
    }

    /// Runs one client command, e.g. `["SET", "k", "v"]`, and returns its raw RESP reply
    /// (empty when deferred: see `submit`); its effects are carried out.
    public mutating func execute(
        _ words: [String], now: Now,
        actions: inout SimulatedActions<HearsayNode>
    ) -> [UInt8] {
        if case .reply(let bytes) = submit(words, now: now, actions: &actions) { return bytes }
        return []
    }

    /// Runs one client command; a command coordinated by other replicas answers later.
    public mutating func submit(
        _ words: [String], now: Now,
        actions: inout SimulatedActions<HearsayNode>
    ) -> CommandResult {
        var reply = ReplyBuffer(capacity: 4096, protocolVersion: session.protocolVersion)
        let outcome = withArguments(words.map { Array($0.utf8) }) { arguments in
            node.execute(arguments, session: &session, now: now, reply: &reply)
        }
        carryOut(now: now, &actions)
        if case .deferred(let ticket) = outcome { return .deferred(ticket: ticket) }
        return .reply(reply.bytes)
    }

    /// Takes the node's output and carries it out as the runtime does: effects in order, then
    /// the deferred replies.
    mutating func carryOut(now: Now, _ actions: inout SimulatedActions<HearsayNode>) {
        node.takeOutput(into: &output, now: now)
        for effect in output.effects {
            switch effect {
            case .send(let type, let payload, let address, let channel):
                actions.send(Message(type: type, payload: payload, channel: channel), to: address)
            case .setTimer(let timer, let at):
                actions.setTimer(.node(timer), at: at)
            case .membershipChanged(let change):
                actions.observe(.changed(change))
            }
        }
        output.replies.forEachReply { _, ticket, bytes in actions.observe(.reply(ticket: ticket, bytes: Array(bytes))) }
        let malformed = node.cluster.malformedFrames
        if malformed > malformedSeen {
            actions.observe(.malformedFrames(count: malformed - malformedSeen))
            malformedSeen = malformed
        }
    }

    /// This node's membership view, sorted as the core sorts it.
    public var view: [Member] { node.cluster.membership.view }

    /// The placement this node holds for its view.
    public var placement: Placement? { node.topology.placement }
}
