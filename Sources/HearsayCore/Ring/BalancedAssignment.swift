/// Chooses, for every partition, `replicas` distinct nodes so that every node
/// holds between `loadMinimum` and `loadMaximum` replicas and the summed cost
/// of the chosen (partition, node) pairs is minimal. A min-cost flow solved by
/// successive shortest paths (Ahuja, Magnanti, Orlin ch. 9 and 14), specialised
/// to the bipartite partition/node graph:
///
/// 1. Start from every partition's `replicas` cheapest nodes (plain rendezvous
///    hashing). That is optimal if loads are ignored, so the residual graph has
///    no negative cycle.
/// 2. Node load has a convex cost: `penalty` per replica below the minimum or
///    above the maximum, 0 in between. Repeatedly find the cheapest way to move
///    one replica unit from some node `a` to some node `b` along an alternating
///    path a -gives up p1-> v1 -gives up p2-> ... -> b (Bellman-Ford/SPFA, since
///    arcs that give up a partition have negative cost) and apply it while it
///    lowers the total. Canceling the cheapest cycle through the load node keeps
///    the residual graph free of negative cycles, so the end state is optimal.
///
/// The optimum is a function of the costs alone, not of any history, which is
/// what lets every node compute the same ring. Costs are pairwise distinct in
/// practice (32-bit hashes), so the optimum is unique and the path order does
/// not matter; even on a tie the procedure is deterministic.
struct BalancedAssignment {
    let partitionCount: Int
    let nodeCount: Int
    let replicas: Int
    let loadMinimum: Int
    let loadMaximum: Int
    /// Row-major [partition * nodeCount + node]; MUST be in 0..<2^32 so path sums stay far below `penalty`.
    let cost: [Int64]

    /// Larger than any path of pair costs: at most 2 * (P + n) <= 2^18 arcs of < 2^32.
    static let penalty: Int64 = 1 << 56

    /// Row-major [partition * nodeCount + node]: true where the node holds a replica of the partition.
    private(set) var assigned: [Bool]
    private(set) var load: [Int]

    init(partitionCount: Int, nodeCount: Int, replicas: Int, loadMinimum: Int, loadMaximum: Int, cost: [Int64]) {
        precondition(replicas >= 0 && replicas <= nodeCount, "replicas \(replicas) > nodes \(nodeCount)")
        precondition(cost.count == partitionCount * nodeCount, "cost matrix has \(cost.count) entries")
        precondition(loadMinimum <= loadMaximum, "load bounds \(loadMinimum)...\(loadMaximum)")
        precondition(nodeCount * loadMinimum <= partitionCount * replicas
                     && partitionCount * replicas <= nodeCount * loadMaximum,
                     "no load in \(loadMinimum)...\(loadMaximum) sums to \(partitionCount * replicas)")
        self.partitionCount = partitionCount
        self.nodeCount = nodeCount
        self.replicas = replicas
        self.loadMinimum = loadMinimum
        self.loadMaximum = loadMaximum
        self.cost = cost
        self.assigned = Array(repeating: false, count: partitionCount * nodeCount)
        self.load = Array(repeating: 0, count: nodeCount)
    }

    mutating func solve() {
        assignCheapest()
        // Every augmentation lowers the total cost by at least 1 and the
        // penalty terms at most P*N times; this bound only catches a bug.
        let augmentationsMaximum = partitionCount * replicas * (nodeCount + 2) + 16
        var scratch = PathScratch(vertexCount: nodeCount + partitionCount)
        var augmentations = 0
        while augmentOnce(&scratch) {
            augmentations += 1
            precondition(augmentations <= augmentationsMaximum, "placement did not converge")
        }
        for v in 0..<nodeCount {
            precondition(load[v] >= loadMinimum && load[v] <= loadMaximum,
                         "node \(v) holds \(load[v]), outside \(loadMinimum)...\(loadMaximum)")
        }
    }

    /// Step 1: each partition's `replicas` cheapest nodes.
    private mutating func assignCheapest() {
        var order = Array(0..<nodeCount)
        for p in 0..<partitionCount {
            let row = p * nodeCount
            order.sort { (cost[row + $0], $0) < (cost[row + $1], $1) }
            for r in 0..<replicas {
                assigned[row + order[r]] = true
                load[order[r]] += 1
            }
        }
    }

    /// Cost of giving up one replica at node v (negative: it helps).
    private func releaseCost(_ v: Int) -> Int64 {
        if load[v] > loadMaximum { return -Self.penalty }
        if load[v] <= loadMinimum { return Self.penalty }
        return 0
    }

    /// Cost of taking one more replica at node v.
    private func acquireCost(_ v: Int) -> Int64 {
        if load[v] < loadMinimum { return -Self.penalty }
        if load[v] >= loadMaximum { return Self.penalty }
        return 0
    }

    struct PathScratch {
        var distance: [Int64]
        var previous: [Int]
        var queued: [Bool]
        var queue: [Int]
        init(vertexCount: Int) {
            distance = Array(repeating: 0, count: vertexCount)
            previous = Array(repeating: -1, count: vertexCount)
            queued = Array(repeating: false, count: vertexCount)
            queue = Array(repeating: 0, count: vertexCount)
        }
    }

    /// Finds the cheapest alternating path from any node to any node; applies it
    /// if it lowers the total cost. Vertices 0..<n are nodes, n..<n+P partitions.
    private mutating func augmentOnce(_ s: inout PathScratch) -> Bool {
        shortestPaths(&s)
        var best: Int64 = 0
        var end = -1
        for v in 0..<nodeCount where s.distance[v] != Int64.max && s.previous[v] >= 0 {
            let total = s.distance[v] + acquireCost(v)
            if total < best { best = total; end = v }
        }
        guard end >= 0 else { return false }
        load[end] += 1
        var v = end
        var hops = 0
        while s.previous[v] >= 0 {
            let p = s.previous[v] - nodeCount
            let giver = s.previous[s.previous[v]]
            assigned[p * nodeCount + v] = true
            assigned[p * nodeCount + giver] = false
            v = giver
            hops += 1
            precondition(hops <= partitionCount, "augmenting path longer than the partition count")
        }
        load[v] -= 1
        return true
    }

    /// SPFA (queue-based Bellman-Ford) from a virtual source joined to every
    /// node by its release cost. No negative cycle exists (see type comment),
    /// so it terminates; the relaxation bound only catches a bug.
    private func shortestPaths(_ s: inout PathScratch) {
        let n = nodeCount
        let vertexCount = n + partitionCount
        s.distance.withUnsafeMutableBufferPointer { dist in
        s.previous.withUnsafeMutableBufferPointer { prev in
        s.queued.withUnsafeMutableBufferPointer { queued in
        s.queue.withUnsafeMutableBufferPointer { queue in
        cost.withUnsafeBufferPointer { cost in
        assigned.withUnsafeBufferPointer { assigned in
            var head = 0
            var count = 0
            for i in 0..<vertexCount { dist[i] = Int64.max; prev[i] = -1; queued[i] = false }
            for v in 0..<n where load[v] > 0 {
                dist[v] = releaseCost(v)
                queue[(head + count) % vertexCount] = v
                count += 1
                queued[v] = true
            }
            var relaxations = 0
            let relaxationsMaximum = vertexCount * vertexCount * n + 1024
            while count > 0 {
                let u = queue[head]
                head = (head + 1) % vertexCount
                count -= 1
                queued[u] = false
                let du = dist[u]
                if u < n {
                    // Node u gives up a partition it holds.
                    for p in 0..<partitionCount where assigned[p * n + u] {
                        let candidate = du - cost[p * n + u]
                        if candidate < dist[n + p] {
                            dist[n + p] = candidate
                            prev[n + p] = u
                            if !queued[n + p] {
                                queue[(head + count) % vertexCount] = n + p
                                count += 1
                                queued[n + p] = true
                            }
                        }
                    }
                } else {
                    // Partition u - n goes to a node that does not hold it yet.
                    let row = (u - n) * n
                    for v in 0..<n where !assigned[row + v] {
                        let candidate = du + cost[row + v]
                        if candidate < dist[v] {
                            dist[v] = candidate
                            prev[v] = u
                            if !queued[v] {
                                queue[(head + count) % vertexCount] = v
                                count += 1
                                queued[v] = true
                            }
                        }
                    }
                }
                relaxations += 1
                precondition(relaxations <= relaxationsMaximum, "negative cycle in placement graph")
            }
        }}}}}}
    }
}
