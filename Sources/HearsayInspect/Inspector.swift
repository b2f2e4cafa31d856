/// Collects snapshots of a cluster: discovers the members through the seed addresses, asks each
/// node what it holds, compares replicas partition by partition and walks the Merkle leaves of
/// those that differ down to keys. It only reads; it never changes data. Clients are kept from
/// one sample to the next and reconnected after an error.
public final class Inspector {
    public let connector: NodeConnector
    public let seeds: [String]
    /// `--partition P`: list this partition's keys and every replica's version of them.
    public var detailPartition: Int?
    /// A partition is hot when its requests or keys exceed this many times the mean.
    public var hotFactor = 3.0
    /// Partitions whose differing leaves exceed this are fetched whole rather than leaf by leaf.
    public var wholePartitionLeafThreshold = 8

    private var clients: [String: NodeClient] = [:]
    private var lastAgreed: [Int: Double] = [:]
    private var firstTime: Double?

    public init(connector: NodeConnector, seeds: [String]) {
        self.connector = connector
        self.seeds = seeds
    }

    deinit {
        for client in clients.values { client.close() }
    }

    /// Sends `commands` to the node at `address`, connecting first if needed. An error drops
    /// the connection (the next call reconnects).
    func ask(_ address: String, _ commands: [[String]]) throws(InspectError) -> [RESPValue] {
        do {
            let client: NodeClient
            if let existing = clients[address] {
                client = existing
            } else {
                client = try connector.connect(to: address)
                clients[address] = client
            }
            return try client.pipeline(commands)
        } catch {
            clients.removeValue(forKey: address)?.close()
            throw error
        }
    }

    func sampleNode(_ address: String, expectedID: String?) -> NodeSample {
        do {
            let replies = try ask(address, NodeSample.commands)
            return NodeSample(address: address, expectedID: expectedID, replies: replies)
        } catch {
            return NodeSample(address: address, expectedID: expectedID, problem: error.description)
        }
    }

    /// Discovers the members and samples each once: seeds first, then every member any
    /// reachable node lists (left members excepted), in two rounds at most.
    func sampleCluster() -> (nodes: [String: NodeSample], order: [String], problems: [String]) {
        var problems: [String] = []
        var byID: [String: NodeSample] = [:]
        var reference: Set<String>?
        for seed in seeds {
            let sample = sampleNode(seed, expectedID: nil)
            guard sample.isReachable, let id = sample.id, let members = sample.members else {
                problems.append("\(seed): \(sample.problem ?? "no answer")")
                continue
            }
            let ids = Set(members.map(\.id))
            if let reference, !reference.contains(id) {
                problems.append(
                    "\(seed): node \(id) is not a member of the cluster seen through \(seeds[0]) "
                        + "(a node of a different cluster)")
                continue
            }
            if reference == nil { reference = ids }
            byID[id] = sample
        }
        for _ in 0..<2 {
            var wanted: [String: String] = [:]
            for sample in byID.values where sample.isReachable {
                for member in sample.members ?? [] where member.status != "left" && byID[member.id] == nil {
                    wanted[member.id] = member.address
                }
            }
            if wanted.isEmpty { break }
            for (id, peer) in wanted.sorted(by: { $0.key < $1.key }) {
                let address = connector.clientAddress(forPeer: peer)
                byID[id] = sampleNode(address, expectedID: id)
            }
        }
        for (id, sample) in byID.sorted(by: { $0.key < $1.key }) where !sample.isReachable {
            problems.append("node \(id) at \(sample.address): \(sample.problem ?? "")")
        }
        return (byID, byID.keys.sorted(by: Self.idOrder), problems)
    }

    /// Node ids sort as numbers when they are hex of one length, else as text.
    static func idOrder(_ a: String, _ b: String) -> Bool {
        if let x = UInt64(a, radix: 16), let y = UInt64(b, radix: 16) { return x < y }
        return a < b
    }

    /// One full sample. `now` is in seconds (wall clock, or virtual time in a simulation).
    public func sample(now: Double) -> Snapshot {
        if firstTime == nil { firstTime = now }
        let (nodes, order, nodeProblems) = sampleCluster()
        var problems = nodeProblems
        let reachable = order.filter { nodes[$0]?.isReachable == true }
        let ring = reachable.lazy.compactMap { nodes[$0]?.ring }.first
        let partitionCount = ring?.partitions ?? reachable.lazy.compactMap { nodes[$0]?.roots?.count }.first ?? 0
        let replicasOf: [[String]] =
            ring?.replicasOf ?? Array(repeating: reachable.isEmpty ? [] : [reachable[0]], count: partitionCount)

        var partitions: [PartitionStatus] = []
        var differing: [Int] = []
        for p in 0..<partitionCount {
            let replicas = replicasOf[p]
            let answered = replicas.compactMap { id -> String? in
                guard let roots = nodes[id]?.roots, nodes[id]?.isReachable == true, p < roots.count else { return nil }
                return roots[p]
            }
            let agree: Bool? = answered.count < replicas.count ? nil : Set(answered).count <= 1
            if agree == true { lastAgreed[p] = now }
            if agree == false { differing.append(p) }
            partitions.append(
                PartitionStatus(
                    partition: p, replicas: replicas, agree: agree, divergentKeys: agree == true ? 0 : nil,
                    keys: nil, requests: nil, hot: false, sinceAgreed: lastAgreed[p].map { now - $0 },
                    sinceExchangeAgreed: nil, exchangeNeverAgreed: nil))
        }
        var walk = DivergenceWalk(inspector: self, nodes: nodes, replicasOf: replicasOf)
        let counts = walk.divergentKeys(in: differing, leafThreshold: wholePartitionLeafThreshold)
        for (p, count) in counts { partitions[p].divergentKeys = count }
        problems += walk.problems
        let detail = detailPartition.map { walk.detail(of: $0, partitionCount: partitionCount) }

        let load = LoadSpread(nodes: nodes, order: reachable, partitionCount: partitionCount, hotFactor: hotFactor)
        for p in 0..<partitionCount {
            partitions[p].keys = load.keys[p]
            partitions[p].requests = load.requests[p]
            partitions[p].hot = load.hot.contains(p)
        }

        let agreementReported = !reachable.isEmpty && reachable.allSatisfy { nodes[$0]?.agreement != nil }
        if agreementReported {
            for id in reachable {
                for row in nodes[id]?.agreement ?? [] where row.partition >= 0 && row.partition < partitionCount {
                    if row.milliseconds < 0 {
                        partitions[row.partition].exchangeNeverAgreed = true
                    } else {
                        let seconds = Double(row.milliseconds) / 1000
                        partitions[row.partition].sinceExchangeAgreed = max(
                            partitions[row.partition].sinceExchangeAgreed ?? 0, seconds)
                        if partitions[row.partition].exchangeNeverAgreed == nil {
                            partitions[row.partition].exchangeNeverAgreed = false
                        }
                    }
                }
            }
            for p in partitions.indices where partitions[p].exchangeNeverAgreed == true {
                partitions[p].sinceExchangeAgreed = nil
            }
        }

        var siblings: [String: Int] = [:]
        var hintsByOwner: [String: Int64] = [:]
        var totals = ActivityTotals(
            exchangesStarted: 0, exchangesFinished: 0, exchangesAborted: 0, objectsMerged: 0, objectsSent: 0,
            readRepairs: 0, hintsReplayed: 0, hintsStored: 0)
        var statuses: [NodeStatus] = []
        for id in order {
            let node = nodes[id]!
            for (key, n) in node.siblingKeys ?? [:] { siblings[key] = max(siblings[key] ?? 0, n) }
            for (owner, n) in node.pendingHints where n > 0 { hintsByOwner[owner, default: 0] += n }
            let c = node.counters
            totals.exchangesStarted += c["exchanges_started"] ?? 0
            totals.exchangesFinished += c["exchanges_finished"] ?? 0
            totals.exchangesAborted += c["exchanges_aborted"] ?? 0
            totals.objectsMerged += c["exchange_objects_merged"] ?? 0
            totals.objectsSent += c["exchange_objects_sent"] ?? 0
            totals.readRepairs += c["read_repairs"] ?? 0
            totals.hintsStored += c["hints_stored"] ?? 0
            totals.hintsReplayed += node.hintsByOwner.values.reduce(0) { $0 + ($1["replayed"] ?? 0) }
            statuses.append(
                NodeStatus(
                    id: id, address: node.address, reachable: node.isReachable, problem: node.problem,
                    keys: load.nodeKeys[id] ?? node.keyCount, requests: load.nodeRequests[id],
                    replicaOf: replicasOf.reduce(0) { $0 + ($1.contains(id) ? 1 : 0) },
                    hintsPending: node.counters["hints_pending"] ?? 0, exchangesFinished: c["exchanges_finished"] ?? 0,
                    objectsMerged: c["exchange_objects_merged"] ?? 0, readRepairs: c["read_repairs"] ?? 0,
                    usedMemory: c["used_memory"], evictedKeys: c["evicted_keys"]))
        }
        let membership = MembershipMatrix(nodes: nodes, observers: reachable)
        let divergentKeys = partitions.reduce(0) { $0 + ($1.agree == false ? ($1.divergentKeys ?? 0) : 0) }
        let unknown = partitions.filter { $0.agree == nil }.count
        let hintsPending = hintsByOwner.values.reduce(0, +)
        let sortedSiblings = siblings.map { KeySiblings(key: $0.key, siblings: $0.value) }
            .sorted { ($0.siblings, $1.key) > ($1.siblings, $0.key) }
        var snapshot = Snapshot(
            time: now, elapsed: now - (firstTime ?? now), seed: seeds.first ?? "", nodes: statuses,
            membership: membership, partitionCount: partitionCount, replicationFactor: ring?.replicas ?? 1,
            partitions: partitions, divergentKeys: divergentKeys, divergentPartitions: differing.count,
            unknownPartitions: unknown, hotPartitions: load.hot.sorted(), agreementReported: agreementReported,
            keysWithSiblings: siblings.count,
            siblingKeys: Array(sortedSiblings.prefix(100)), hintsPendingByOwner: hintsByOwner,
            hintsPending: hintsPending, antiEntropy: totals, partitionDetail: detail, problems: problems,
            converged: false, verdict: "")
        Verdict.apply(to: &snapshot, reachableNodes: reachable.count)
        return snapshot
    }
}
