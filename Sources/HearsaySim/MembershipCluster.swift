import HearsayCore

/// A simulated cluster of `Membership` nodes with the bookkeeping scenarios need:
/// ground truth (which nodes crashed or left), a checker fed by every change, and
/// agreement checks over the nodes' views.
public final class MembershipCluster {
    public let sim: Simulator<MembershipNode>
    public let settings: MembershipSettings
    public let checker: MembershipChecker
    public let ids: [NodeID]
    /// Nodes that are meant to be gone: crashed for good, or left.
    public private(set) var crashed: Set<Int> = []
    public private(set) var left: Set<Int> = []
    private var restarts: [Int: Int] = [:]

    /// How the cluster comes together.
    public enum Formation {
        /// Node 0 starts alone; the others join through it, spread over `spreadNanoseconds`.
        case throughSeed(spreadNanoseconds: Int64)
        /// Every node starts knowing every other as alive (for measurements at scale).
        case preformed
    }

    /// `skewedClocks` gives each node a skew of up to +-1 s and a drift of up to +-100 ppm.
    public init(
        seed: UInt64, nodes: Int, settings: MembershipSettings = .simulation, network: NetworkModel = .lan,
        formation: Formation = .throughSeed(spreadNanoseconds: 2_000_000_000), skewedClocks: Bool = true
    ) {
        precondition(nodes >= 1 && nodes <= 65_535, "nodes \(nodes)")
        self.settings = settings
        var idGenerator = SeededGenerator(seed: StableHash.combine(seed, 0x1D5))
        var chosen: [NodeID] = []
        var used: Set<UInt64> = []
        while chosen.count < nodes {
            let raw = idGenerator.next()
            if used.insert(raw).inserted { chosen.append(NodeID(raw)) }
        }
        ids = chosen
        let seedAddresses = [Self.address(0, life: 0), nodes > 1 ? Self.address(1, life: 0) : Self.address(0, life: 0)]
        let preformed: Bool
        if case .preformed = formation { preformed = true } else { preformed = false }
        sim = Simulator(seed: seed, network: network) { spec in
            let seeds: [String]
            if preformed || (spec.index == 0 && spec.life == 0) {
                seeds = []
            } else {
                seeds = [spec.index == 0 ? seedAddresses[1] : seedAddresses[0]]
            }
            // A preformed cluster starts with everyone known as alive, as if it had
            // been running for a while (no join traffic, no gossip backlog).
            let known =
                preformed && spec.life == 0
                ? chosen.enumerated().map {
                    Member(
                        id: $1, address: Self.address($0, life: 0), incarnation: 0,
                        status: .alive)
                }
                : []
            let membership = Membership(
                id: spec.id, address: spec.address, settings: settings, seed: spec.seed,
                knownMembers: known)
            return MembershipNode(membership: membership, seeds: seeds)
        }
        checker = MembershipChecker(
            ids: chosen,
            isRunning: { [weak sim] index in sim?.isRunning(index) ?? false },
            incarnationOf: { [weak sim] index in sim?.node(index)?.membership.myself.incarnation })
        checkerGroundTruth()
        for index in 0..<nodes {
            var clock = NodeClock.exact
            if skewedClocks {
                clock = NodeClock(
                    skewNanoseconds: Int64(sim.random(in: -1_000_000_000..<1_000_000_001)),
                    driftPartsPerMillion: Int64(sim.random(in: -100..<101)), originNanoseconds: sim.now)
            }
            var after: Int64 = 0
            if case .throughSeed(let spread) = formation, index > 0, spread > 0 {
                after = Int64(sim.random(in: 0..<Int(spread)))
            }
            sim.addNode(id: chosen[index], address: Self.address(index, life: 0), clock: clock, afterNanoseconds: after)
        }
    }

    private func checkerGroundTruth() {
        let checker = self.checker
        sim.onObservation = { time, observer, observation in
            checker.observe(time: time, observer: observer, observation)
        }
    }

    public static func address(_ index: Int, life: Int) -> String {
        "10.\(life % 256).\(index / 256).\(index % 256):17379"
    }

    // MARK: Faults with ground truth

    public func crash(_ index: Int) {
        sim.crash(index)
        crashed.insert(index)
        checker.expectedDown.insert(index)
    }

    /// Restarts a node (state lost) at a new address if `newAddress`; it rejoins
    /// through node 0 (node 1 for node 0).
    public func restart(_ index: Int, newAddress: Bool) {
        let address = newAddress ? Self.address(index, life: 1 + restarts[index, default: 0]) : nil
        restarts[index, default: 0] += 1
        sim.restart(index, address: address)
        crashed.remove(index)
        checker.expectedDown.remove(index)
        checker.reset(observer: index)
    }

    public func leave(_ index: Int) {
        left.insert(index)
        checker.expectedDown.insert(index)
        sim.inject(index) { node, now, actions in node.handle(.leave, now: now, actions: &actions) }
    }

    /// Stops a node that left (its process exits after announcing).
    public func stopLeft(_ index: Int) {
        precondition(left.contains(index), "node \(index) did not leave")
        sim.crash(index)
    }

    // MARK: Views

    /// The nodes whose views count: running, not left.
    public var liveNodes: [Int] { (0..<sim.nodeCount).filter { sim.isRunning($0) && !left.contains($0) } }

    public func view(_ index: Int) -> [Member]? { sim.node(index)?.membership.view }

    /// What every live view should say about node `index`.
    public func expectedStatus(_ index: Int) -> MemberStatus {
        if left.contains(index) { return .left }
        if crashed.contains(index) { return .down }
        return .alive
    }

    /// nil when every live node holds the same view and that view lists every node
    /// with its expected status; otherwise the first disagreement found.
    public func disagreement() -> String? {
        ViewAgreement.firstDisagreement(
            live: liveNodes, nodeCount: sim.nodeCount, ids: ids, view: view, expectedStatus: expectedStatus,
            address: sim.address)
    }

    /// Runs until `disagreement()` is nil or `timeoutNanoseconds` pass; returns the
    /// last disagreement (nil on success).
    public func runUntilAgreement(timeoutNanoseconds: Int64, checkEveryNanoseconds: Int64 = 500_000_000) -> String? {
        let agreed = sim.run(until: sim.now + timeoutNanoseconds, checkingEvery: checkEveryNanoseconds) { _ in
            disagreement() == nil
        }
        return agreed ? nil : disagreement()
    }

    public var probeIntervalNanoseconds: Int64 { settings.probeIntervalMilliseconds * 1_000_000 }
}
