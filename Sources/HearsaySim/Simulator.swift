import HearsayCore

/// The deterministic simulator: virtual time, a simulated network and node faults,
/// driving any `SimulatedNode`. Everything random (latencies, loss, node seeds)
/// comes from one generator seeded with `seed`, and events run in (time,
/// insertion) order, so a run is a pure function of the seed and the scenario.
///
/// Faults: `crash` (state lost, timers void), `restart` (a fresh node with the same
/// id, optionally a new address), `pause` (a stall: events wait, then arrive late),
/// `partition` / `blockOneWay` / `heal`, and per-node `NodeClock` skew and drift
/// (`setClock` changes them mid-run).
///
/// Messages are datagrams (lost, duplicated, reordered as `network` says) unless the
/// node type says they travel on a stream (`SimulatedNode.travelsOnStream`): a stream
/// is FIFO per link and never loses a message, but a partition cuts it and a restart
/// of the receiver resets it (what was in flight is gone).
public final class Simulator<Node: SimulatedNode> {
    /// What the node factory gets for each life of each node.
    public struct NodeSpec {
        public let index: Int
        public let id: NodeID
        public let address: String
        /// 0 for the first start, +1 per restart.
        public let life: Int
        /// A seed for the node's own generator, derived from the simulator seed.
        public let seed: UInt64
        /// The node's own clocks when this life starts (a restarted node derives its
        /// incarnation from the wall clock, as the runtime does).
        public let startsAt: Now
    }

    public struct Statistics {
        public var eventsProcessed = 0
        public var messagesSent = 0
        public var messagesDelivered = 0
        public var messagesLost = 0
        public var messagesBlocked = 0
        public var messagesDuplicated = 0
        public var messagesToNowhere = 0
        /// Stream messages dropped because the receiver restarted while they were in flight.
        public var streamResets = 0
        public var sentByNode: [Int] = []
        /// Scenario actions (client requests) that waited for a paused node's backlog.
        public var injectionsHeldBack = 0
    }

    enum Payload {
        case start(node: Int, life: Int)
        case deliver(address: String, from: Int, message: Node.Message, stream: StreamEnd?)
        case timer(node: Int, life: Int, timer: Node.Timer)
        /// A pause ends: what waited for the node is handled, in arrival order.
        case resume(node: Int)
        /// A scenario's action on a node (a client request, an operator command) that reached
        /// it while it was paused: it waits its turn like anything else that arrived.
        case inject(node: Int, life: Int, body: (inout Node, Now, inout SimulatedActions<Node>) -> Void)
    }

    /// The receiving end of a stream connection: the node and the life it had when sent.
    struct StreamEnd {
        var node: Int
        var life: Int
    }

    struct Slot {
        var node: Node?
        var id: NodeID
        var address: String
        var life: Int
        var pausedUntil: Int64
        var clock: NodeClock
        /// Events that reached the node while it was paused (or while earlier ones still
        /// waited), in arrival order; handled when the pause ends.
        var backlog: [Payload] = []
    }

    public let seed: UInt64
    public var network: NetworkModel
    /// Virtual time. Nanoseconds.
    public private(set) var now: Int64
    public private(set) var statistics = Statistics()
    /// Called for every observation a node makes: (virtual time, node index, observation).
    public var onObservation: ((Int64, Int, Node.Observation) -> Void)?

    var rng: SeededGenerator
    var queue = EventQueue<Payload>()
    var slots: [Slot] = []
    var addressIndex: [String: Int] = [:]
    var blocked: Set<Int64> = []
    /// Per stream link, the virtual time of the last delivery scheduled on it (FIFO).
    var streamTail: [Int64: Int64] = [:]
    var actions = SimulatedActions<Node>()
    let makeNode: (NodeSpec) -> Node

    public init(
        seed: UInt64, network: NetworkModel = .lan, startNanoseconds: Int64 = 1_000_000_000_000,
        makeNode: @escaping (NodeSpec) -> Node
    ) {
        self.seed = seed
        self.network = network
        self.now = startNanoseconds
        self.rng = SeededGenerator(seed: seed)
        self.makeNode = makeNode
    }

    // MARK: Nodes

    public var nodeCount: Int { slots.count }

    /// Adds a node that starts `afterNanoseconds` from now. Returns its index.
    @discardableResult
    public func addNode(id: NodeID, address: String, clock: NodeClock = .exact, afterNanoseconds: Int64 = 0) -> Int {
        precondition(addressIndex[address] == nil, "address \(address) already in use")
        let index = slots.count
        slots.append(Slot(node: nil, id: id, address: address, life: 0, pausedUntil: 0, clock: clock))
        statistics.sentByNode.append(0)
        addressIndex[address] = index
        let startTime = now + max(0, afterNanoseconds)
        slots[index].node = makeNode(spec(index, startingAt: startTime))
        queue.push(.start(node: index, life: 0), at: startTime)
        return index
    }

    public func node(_ index: Int) -> Node? { slots[index].node }
    public func id(_ index: Int) -> NodeID { slots[index].id }
    public func address(_ index: Int) -> String { slots[index].address }
    public func isRunning(_ index: Int) -> Bool { slots[index].node != nil }
    public func isPaused(_ index: Int) -> Bool { slots[index].pausedUntil > now }
    public func clock(_ index: Int) -> NodeClock { slots[index].clock }
    public func localNow(_ index: Int) -> Now { slots[index].clock.now(now) }

    /// The node stops: its state is lost and its pending timers will never fire.
    public func crash(_ index: Int) {
        slots[index].node = nil
        slots[index].life += 1
        slots[index].pausedUntil = 0
        slots[index].backlog.removeAll()
    }

    /// A fresh node with the same id starts now, at `address` if given.
    public func restart(_ index: Int, address: String? = nil) {
        if slots[index].node != nil { crash(index) }
        if let address, address != slots[index].address {
            precondition(addressIndex[address] == nil, "address \(address) already in use")
            addressIndex[slots[index].address] = nil
            slots[index].address = address
            addressIndex[address] = index
        }
        slots[index].node = makeNode(spec(index, startingAt: now))
        queue.push(.start(node: index, life: slots[index].life), at: now)
    }

    /// The node stalls for `nanoseconds`: everything meant for it waits and then
    /// arrives at once, late, as it would to a process that was descheduled.
    public func pause(_ index: Int, forNanoseconds nanoseconds: Int64) {
        precondition(nanoseconds > 0, "pause of \(nanoseconds) ns")
        slots[index].pausedUntil = max(slots[index].pausedUntil, now + nanoseconds)
        queue.push(.resume(node: index), at: now + nanoseconds)
    }

    /// Replaces a node's clock from now on (a step, or a new drift). Timers already set
    /// keep the virtual time they were set for, as a real timer wheel would.
    public func setClock(_ index: Int, _ clock: NodeClock) { slots[index].clock = clock }

    /// Lets a scenario act on a node (an operator command, a client request); the
    /// node's actions are carried out as for any other event. A paused node takes it after
    /// what reached it earlier, when the pause ends, as a stalled process reads its sockets
    /// in order: a request must not overtake frames that arrived before it. Returns false
    /// when the node is not running (the body never runs).
    @discardableResult
    public func inject(_ index: Int, _ body: @escaping (inout Node, Now, inout SimulatedActions<Node>) -> Void)
        -> Bool
    {
        guard slots[index].node != nil else { return false }
        let payload = Payload.inject(node: index, life: slots[index].life, body: body)
        if heldBack(index, payload) {
            statistics.injectionsHeldBack += 1
        } else {
            handle(index, body)
        }
        return true
    }

    /// Acts on a node at once, paused or not: a checker's own look, not part of the run.
    public func actNow(_ index: Int, _ body: (inout Node, Now, inout SimulatedActions<Node>) -> Void) {
        handle(index, body)
    }

    func spec(_ index: Int, startingAt virtual: Int64) -> NodeSpec {
        let slot = slots[index]
        let nodeSeed = StableHash.combine(StableHash.combine(seed, UInt64(index)), UInt64(slot.life))
        return NodeSpec(
            index: index, id: slot.id, address: slot.address, life: slot.life, seed: nodeSeed,
            startsAt: slot.clock.now(virtual))
    }

    // MARK: Network faults

    /// Cuts every link between different groups, both ways. Nodes in no group are
    /// unaffected.
    public func partition(_ groups: [[Int]]) {
        for (g, group) in groups.enumerated() {
            for (h, other) in groups.enumerated() where g != h {
                for a in group { for b in other { blocked.insert(linkKey(a, b)) } }
            }
        }
    }

    /// Messages from `from` to `to` are dropped; the other direction still works.
    public func blockOneWay(from: Int, to: Int) { blocked.insert(linkKey(from, to)) }

    /// Every link works again.
    public func heal() { blocked.removeAll() }

    func linkKey(_ from: Int, _ to: Int) -> Int64 { Int64(from) << 32 | Int64(to) }

    // MARK: Running

    /// Processes events until virtual time reaches `deadline` (nanoseconds).
    public func run(until deadline: Int64) {
        while let next = queue.nextTime, next <= deadline { step() }
        now = max(now, deadline)
    }

    public func run(forNanoseconds nanoseconds: Int64) { run(until: now + nanoseconds) }

    /// Runs until `condition` holds (checked every `everyNanoseconds`) or `deadline`.
    /// Returns whether the condition held.
    public func run(
        until deadline: Int64, checkingEvery everyNanoseconds: Int64,
        condition: (Simulator) -> Bool
    ) -> Bool {
        precondition(everyNanoseconds > 0, "check interval \(everyNanoseconds)")
        while now < deadline {
            if condition(self) { return true }
            run(until: min(deadline, now + everyNanoseconds))
        }
        return condition(self)
    }

    func step() {
        guard let entry = queue.pop() else { return }
        now = max(now, entry.time)
        statistics.eventsProcessed += 1
        if case .resume(let index) = entry.payload {
            resume(index)
        } else {
            dispatch(entry.payload)
        }
    }

    func dispatch(_ payload: Payload) {
        switch payload {
        case .start(let index, let life):
            guard slots[index].life == life, slots[index].node != nil else { return }
            guard !heldBack(index, payload) else { return }
            handle(index) { node, localNow, actions in node.start(now: localNow, actions: &actions) }
        case .deliver(let address, let from, let message, let stream):
            guard let index = addressIndex[address], slots[index].node != nil else {
                statistics.messagesToNowhere += 1
                return
            }
            if let stream, stream.node != index || stream.life != slots[index].life {
                statistics.streamResets += 1
                return
            }
            guard !blocked.contains(linkKey(from, index)) else {
                statistics.messagesBlocked += 1
                return
            }
            guard !heldBack(index, payload) else { return }
            statistics.messagesDelivered += 1
            handle(index) { node, localNow, actions in node.receive(message, now: localNow, actions: &actions) }
        case .timer(let index, let life, let timer):
            guard slots[index].life == life, slots[index].node != nil else { return }
            guard !heldBack(index, payload) else { return }
            handle(index) { node, localNow, actions in node.timerFired(timer, now: localNow, actions: &actions) }
        case .inject(let index, let life, let body):
            guard slots[index].life == life, slots[index].node != nil else { return }
            guard !heldBack(index, payload) else { return }
            handle(index, body)
        case .resume:
            preconditionFailure("resume is not dispatched")
        }
    }

    /// A paused node keeps what reaches it in a backlog, and so does a node whose backlog
    /// is not yet drained, so nothing overtakes what arrived before it.
    func heldBack(_ index: Int, _ payload: Payload) -> Bool {
        guard slots[index].pausedUntil > now || !slots[index].backlog.isEmpty else { return false }
        slots[index].backlog.append(payload)
        return true
    }

    /// The pause is over (unless it was extended): everything that waited runs now, in order.
    func resume(_ index: Int) {
        guard slots[index].pausedUntil <= now, !slots[index].backlog.isEmpty else { return }
        var pending: [Payload] = []
        swap(&pending, &slots[index].backlog)
        for payload in pending { dispatch(payload) }
    }

    func handle(_ index: Int, _ body: (inout Node, Now, inout SimulatedActions<Node>) -> Void) {
        // Move the node out so it is uniquely referenced while it runs: a swap, not a copy
        // (copying a node retains every one of its fields).
        var taken: Node? = nil
        swap(&taken, &slots[index].node)
        guard var node = taken.take() else { return }
        actions.removeAll()
        body(&node, slots[index].clock.now(now), &actions)
        slots[index].node = node
        carryOut(from: index)
    }

    /// Turns the node's actions into future events.
    func carryOut(from index: Int) {
        for (message, address) in actions.sends { transmit(message, to: address, from: index) }
        let life = slots[index].life
        for (timer, at) in actions.timers {
            let virtual = max(now, slots[index].clock.virtual(at))
            queue.push(.timer(node: index, life: life, timer: timer), at: virtual)
        }
        if let onObservation {
            for observation in actions.observations { onObservation(now, index, observation) }
        }
    }

    func transmit(_ message: Node.Message, to address: String, from index: Int) {
        statistics.messagesSent += 1
        statistics.sentByNode[index] += 1
        if Node.travelsOnStream(message) {
            transmitOnStream(message, to: address, from: index)
            return
        }
        if network.lossProbability > 0 && Double.random(in: 0..<1, using: &rng) < network.lossProbability {
            statistics.messagesLost += 1
            return
        }
        queue.push(.deliver(address: address, from: index, message: message, stream: nil), at: now + delay())
        if network.duplicateProbability > 0 && Double.random(in: 0..<1, using: &rng) < network.duplicateProbability {
            statistics.messagesDuplicated += 1
            queue.push(.deliver(address: address, from: index, message: message, stream: nil), at: now + delay())
        }
    }

    /// A stream message: no loss, no duplicate, never before an earlier one on its link.
    /// Sending to nobody, or across a partition, fails as a connection attempt would.
    func transmitOnStream(_ message: Node.Message, to address: String, from index: Int) {
        guard let target = addressIndex[address], slots[target].node != nil else {
            statistics.messagesToNowhere += 1
            return
        }
        let link = linkKey(index, target)
        guard !blocked.contains(link) else {
            statistics.messagesBlocked += 1
            return
        }
        let at = max(now + network.drawLatency(using: &rng), streamTail[link] ?? 0)
        streamTail[link] = at
        let end = StreamEnd(node: target, life: slots[target].life)
        queue.push(.deliver(address: address, from: index, message: message, stream: end), at: at)
    }

    func delay() -> Int64 {
        var delay = network.drawLatency(using: &rng)
        if network.reorderProbability > 0 && Double.random(in: 0..<1, using: &rng) < network.reorderProbability {
            delay += Int64.random(in: 0...max(0, network.reorderDelayMaximumNanoseconds), using: &rng)
        }
        return delay
    }

    /// A random number from the simulator's generator, for scenarios.
    public func random(in range: Range<Int>) -> Int { Int.random(in: range, using: &rng) }
    public func randomUnit() -> Double { Double.random(in: 0..<1, using: &rng) }
}
