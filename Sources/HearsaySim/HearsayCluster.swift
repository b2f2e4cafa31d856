import HearsayCore

/// A simulated cluster of full Hearsay nodes with ground truth (which nodes crashed
/// or left), a membership checker fed by every change, client commands against any
/// node, and agreement checks over views and placements.
public final class HearsayCluster {
    public let sim: Simulator<HearsayNode>
    public let checker: MembershipChecker
    public let ids: [NodeID]
    public let membershipSettings: MembershipSettings
    /// Nodes that are down on purpose (crashed and not restarted), and nodes that left.
    public private(set) var crashed: Set<Int> = []
    public private(set) var left: Set<Int> = []
    /// Nodes that left and whose `left` record some other node received. A leave that
    /// nobody heard (every peer unreachable while it was announced) ends as `down`.
    public var leaveHeard: Set<Int> { heard.nodes }

    /// Node 0 founds the cluster; the others join through it within `spreadNanoseconds`.
    /// `skewedClocks` gives each node a skew of up to +-1 s and a drift of up to +-100 ppm.
    public init(
        seed: UInt64, nodes: Int, network: NetworkModel = .lan,
        membership: MembershipSettings = .simulation, partitionCount: Int = 256,
        spreadNanoseconds: Int64 = 2_000_000_000, skewedClocks: Bool = true,
        configure: @escaping @Sendable (inout ClusterSettings) -> Void = { _ in }
    ) {
        precondition(nodes >= 1 && nodes <= 4_096, "nodes \(nodes)")
        membershipSettings = membership
        var idGenerator = SeededGenerator(seed: StableHash.combine(seed, 0xC1D5))
        var chosen: [NodeID] = []
        var used: Set<UInt64> = []
        while chosen.count < nodes {
            let raw = idGenerator.next()
            if used.insert(raw).inserted { chosen.append(NodeID(raw)) }
        }
        ids = chosen
        let addresses = (0..<nodes).map { Self.address($0) }
        let log = WriterLog()
        let heard = HeardLeaves()
        let replies = DeferredReplies()
        self.replies = replies
        sim = Simulator(seed: seed, network: network) { spec in
            let node = Self.makeNode(
                spec, addresses: addresses, membership: membership,
                partitionCount: partitionCount, configure: configure)
            log.writers.append((spec.index, node.node.writer))
            return node
        }
        checker = MembershipChecker(
            ids: chosen,
            isRunning: { [weak sim] index in sim?.isRunning(index) ?? false },
            incarnationOf: { [weak sim] index in sim?.node(index)?.node.cluster.membership.myself.incarnation })
        writerLog = log
        self.heard = heard
        let checker = self.checker
        let indexOf = Dictionary(uniqueKeysWithValues: chosen.enumerated().map { ($1, $0) })
        sim.onObservation = { time, observer, observation in
            switch observation {
            case .changed(let change):
                checker.record(time: time, observer: observer, change)
                if change.current?.status == .left, let subject = indexOf[change.id], subject != observer {
                    heard.hearers[subject, default: []].insert(observer)
                }
            case .malformedFrames(let count):
                checker.violation("node \(observer) dropped \(count) peer frames it could not decode")
            case .reply(let ticket, let bytes):
                let nodeTicket = Ticket(node: observer, ticket: ticket)
                replies.byTicket[replies.callerTicket.removeValue(forKey: nodeTicket) ?? nodeTicket] = bytes
            }
        }
        for index in 0..<nodes {
            var clock = NodeClock.exact
            if skewedClocks {
                clock = NodeClock(
                    skewNanoseconds: Int64(sim.random(in: -1_000_000_000..<1_000_000_001)),
                    driftPartsPerMillion: Int64(sim.random(in: -100..<101)), originNanoseconds: sim.now)
            }
            let after = index > 0 && spreadNanoseconds > 0 ? Int64(sim.random(in: 0..<Int(spreadNanoseconds))) : 0
            sim.addNode(id: chosen[index], address: addresses[index], clock: clock, afterNanoseconds: after)
        }
    }

    /// Collects the writer id of every life as the factory makes it.
    final class WriterLog {
        var writers: [(index: Int, writer: NodeID)] = []
    }

    let writerLog: WriterLog

    /// Per node that left, the running nodes that hold its `left` record. A node that
    /// crashes forgets what it heard: a leave heard only by nodes that crashed since ends
    /// as `down`, as if nobody had heard it.
    final class HeardLeaves {
        var hearers: [Int: Set<Int>] = [:]
        var nodes: Set<Int> { Set(hearers.filter { !$0.value.isEmpty }.keys) }

        func forget(observer: Int) {
            for subject in hearers.keys { hearers[subject]!.remove(observer) }
        }
    }

    /// A deferred reply's address: the node the client talked to and the ticket it got.
    public struct Ticket: Hashable, Sendable {
        public var node: Int
        public var ticket: UInt64
    }

    final class DeferredReplies {
        var byTicket: [Ticket: [UInt8]] = [:]
        /// The ticket a caller holds, by the ticket its node gave when the request ran (a
        /// request to a paused node runs later, so the caller gets its own ticket first).
        var callerTicket: [Ticket: Ticket] = [:]
        /// Tickets for replies given at once count down from UInt64.max (the node's count up).
        var nextImmediate: UInt64 = .max
    }

    let replies: DeferredReplies

    /// Sends a client command to node `index`; its reply is `reply(for:)` once it arrived
    /// (at once for a command the node answers itself; a paused node runs it when the pause
    /// ends, after what reached it before). Nil when the node is not running.
    public func submit(_ index: Int, _ words: [String]) -> Ticket? {
        let replies = self.replies
        let ticket = Ticket(node: index, ticket: replies.nextImmediate)
        replies.nextImmediate -= 1
        let accepted = sim.inject(index) { node, now, actions in
            switch node.submit(words, now: now, actions: &actions) {
            case .reply(let bytes): replies.byTicket[ticket] = bytes
            case .deferred(let nodeTicket): replies.callerTicket[Ticket(node: index, ticket: nodeTicket)] = ticket
            }
        }
        return accepted ? ticket : nil
    }

    /// The reply for `ticket`, once it has arrived (taken: a second call returns nil).
    public func reply(for ticket: Ticket) -> String? {
        replies.byTicket.removeValue(forKey: ticket).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Sends a command and runs the simulation until its reply arrives or `timeout` passes.
    public func request(_ index: Int, _ words: [String], timeoutNanoseconds: Int64 = 5_000_000_000) -> String? {
        guard let ticket = submit(index, words) else { return nil }
        let deadline = sim.now + timeoutNanoseconds
        while sim.now < deadline {
            if let reply = reply(for: ticket) { return reply }
            sim.run(forNanoseconds: 1_000_000)
        }
        return reply(for: ticket)
    }

    let heard: HeardLeaves

    /// Writer ids per node, one per life so far.
    public var writersByNode: [[NodeID]] {
        var result = Array(repeating: [NodeID](), count: ids.count)
        for entry in writerLog.writers { result[entry.index].append(entry.writer) }
        return result
    }

    /// One life of one node. Every life draws a fresh writer id and seed (an in-memory
    /// node forgets its dots), and announces its start time in milliseconds as its
    /// incarnation, as the runtime does, so a restarted node outranks its old self.
    static func makeNode(
        _ spec: Simulator<HearsayNode>.NodeSpec, addresses: [String],
        membership: MembershipSettings, partitionCount: Int,
        configure: (inout ClusterSettings) -> Void = { _ in }
    ) -> HearsayNode {
        var settings = NodeSettings()
        settings.randomSeed = spec.seed
        settings.writerID = StableHash.combine(spec.seed, 0x3717) | 1
        settings.partitionCount = partitionCount
        var cluster = ClusterSettings(nodeID: spec.id, address: spec.address)
        cluster.membership = membership
        cluster.exchange = .simulation
        // A calmer anti-entropy pace than the runtime's 20 ms keeps long runs fast; the
        // anti-entropy scenario sets its own.
        cluster.antiEntropyIntervalMilliseconds = 1_000
        cluster.antiEntropyConcurrency = 1
        cluster.incarnation = UInt64(max(0, spec.startsAt.wall.milliseconds))
        if spec.life == 0 {
            // The first life forms the cluster through node 0 alone.
            cluster.seeds = spec.index == 0 ? [] : [addresses[0]]
        } else {
            // A restarted node knows a few seeds, as an operator would configure.
            cluster.seeds = addresses.prefix(4).filter { $0 != spec.address }.prefix(3).map { $0 }
        }
        configure(&cluster)
        return HearsayNode(
            settings: settings, cluster: cluster, expiryIntervalNanoseconds: 1_000_000_000,
            now: spec.startsAt)
    }

    public static func address(_ index: Int) -> String {
        "10.1.\(index / 256).\(index % 256):17379"
    }

    // MARK: Faults with ground truth

    /// The node stops; its state is lost.
    public func crash(_ index: Int) {
        sim.crash(index)
        heard.forget(observer: index)
        crashed.insert(index)
        checker.expectedDown.insert(index)
    }

    /// A fresh node with the same id, a new writer id and a higher incarnation.
    public func restart(_ index: Int) {
        precondition(!left.contains(index), "node \(index) left; it cannot come back")
        sim.restart(index)
        heard.forget(observer: index)
        crashed.remove(index)
        checker.expectedDown.remove(index)
        checker.reset(observer: index, refutesFirst: false)
    }

    /// The node announces that it leaves; `stopLeft` ends its process later.
    public func leave(_ index: Int) {
        left.insert(index)
        checker.expectedDown.insert(index)
        sim.inject(index) { node, now, actions in node.handle(.leave, now: now, actions: &actions) }
    }

    public func stopLeft(_ index: Int) {
        precondition(left.contains(index), "node \(index) did not leave")
        sim.crash(index)
    }

    // MARK: Client commands

    /// Runs one command on node `index` now and returns its raw RESP reply, or nil when
    /// the node is not running. A paused node still answers (the check is the test's
    /// client, not part of the run).
    @discardableResult
    public func command(_ index: Int, _ words: [String]) -> String? {
        var reply: [UInt8]?
        sim.actNow(index) { node, now, actions in reply = node.execute(words, now: now, actions: &actions) }
        return reply.map { String(decoding: $0, as: UTF8.self) }
    }

    @discardableResult
    public func command(_ index: Int, _ words: String...) -> String? { command(index, words) }

    // MARK: Views and placement

    /// The nodes whose views count: running, not left.
    public var liveNodes: [Int] { (0..<sim.nodeCount).filter { sim.isRunning($0) && !left.contains($0) } }

    public func view(_ index: Int) -> [Member]? { sim.node(index)?.view }

    /// What every live view should say about node `index`.
    public func expectedStatus(_ index: Int) -> MemberStatus {
        if left.contains(index) { return leaveHeard.contains(index) ? .left : .down }
        if crashed.contains(index) { return .down }
        return .alive
    }

    /// nil when every live node holds the same view and it lists every node with its
    /// expected status; otherwise the first disagreement found.
    public func viewDisagreement() -> String? {
        ViewAgreement.firstDisagreement(
            live: liveNodes, nodeCount: sim.nodeCount, ids: ids, view: view, expectedStatus: expectedStatus,
            describe: describe)
    }

    /// How each of `observers` sees node `subject`, e.g. "by 0: down#12, by 2: left#12".
    func describe(_ subject: Int, in observers: [Int]) -> String {
        let entries = observers.prefix(8).map { observer in
            let member = view(observer)?.first { $0.id == ids[subject] }
            return "by \(observer): " + (member.map { "\($0.status)#\($0.incarnation)" } ?? "unknown")
        }
        return entries.joined(separator: ", ") + (observers.count > 8 ? ", ..." : "")
    }

    /// With views agreed: nil when every live node computes the same placement, over
    /// exactly the members that have not left, and answers HS.RING and HS.MEMBERS
    /// byte for byte alike.
    public func placementDisagreement() -> String? {
        let live = liveNodes
        // HS.RING first: it fills each node's placement cache, so the reads below (on
        // copies) hit it instead of computing every placement twice.
        let rings = live.map { command($0, "HS.RING") }
        guard let first = live.first, let reference = sim.node(first)?.placement else { return "no live node" }
        let owners = (0..<sim.nodeCount).filter { expectedStatus($0) != .left }.map { ids[$0] }.sorted()
        if reference.members != owners {
            return "node \(first) places over \(reference.members.count) members, expected \(owners.count)"
        }
        for other in live.dropFirst() where sim.node(other)?.placement != reference {
            return "node \(other) computes a different placement than node \(first)"
        }
        let members = command(first, "HS.MEMBERS")
        for (position, other) in live.enumerated().dropFirst() {
            if rings[position] != rings[0] { return "node \(other) answers HS.RING unlike node \(first)" }
            if command(other, "HS.MEMBERS") != members {
                return "node \(other) answers HS.MEMBERS unlike node \(first)"
            }
        }
        return nil
    }

    /// Among live nodes, two that hold the same view must compute the same placement
    /// (it is a pure function of the member set). Checked during faults, on the first
    /// two holders of each view only: a placement costs milliseconds at 100 members.
    public func samePlacementForSameView() -> String? {
        var holders: [[Member]: [Int]] = [:]
        for index in liveNodes {
            guard let view = view(index), holders[view, default: []].count < 2 else { continue }
            holders[view, default: []].append(index)
        }
        for pair in holders.values.sorted(by: { $0[0] < $1[0] }) where pair.count == 2 {
            if sim.node(pair[0])?.placement != sim.node(pair[1])?.placement {
                return "nodes \(pair[0]) and \(pair[1]) hold one view but compute different placements"
            }
        }
        return nil
    }

    /// Runs until views and placements agree or `timeoutNanoseconds` pass; returns the
    /// last disagreement (nil on success).
    public func runUntilAgreement(timeoutNanoseconds: Int64, checkEveryNanoseconds: Int64 = 500_000_000) -> String? {
        let agreed = sim.run(until: sim.now + timeoutNanoseconds, checkingEvery: checkEveryNanoseconds) { _ in
            viewDisagreement() == nil
        }
        guard agreed else { return viewDisagreement() }
        return placementDisagreement()
    }

    public var probeIntervalNanoseconds: Int64 { membershipSettings.probeIntervalMilliseconds * 1_000_000 }
}
