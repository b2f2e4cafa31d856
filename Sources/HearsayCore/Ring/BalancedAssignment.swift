/// Chooses, for every partition, `replicas` distinct nodes so that every node
/// holds between `loadMinimum` and `loadMaximum` replicas and the summed cost
/// of the chosen (partition, node) pairs is minimal. A min-cost flow solved by
/// successive shortest paths with node potentials (Ahuja, Magnanti, Orlin
/// ch. 9), specialised to the bipartite partition/node graph:
///
/// 1. Start from every partition's `replicas` cheapest nodes (plain rendezvous
///    hashing). That is optimal if loads are ignored, so the residual graph has
///    no negative cycle, and potentials that make every residual arc's reduced
///    cost non-negative exist (partition potential: minus its dearest holder).
/// 2. Move one replica unit at a time along the cheapest alternating path
///    a -gives up p1-> v1 -gives up p2-> ... -> b, found by Dijkstra on reduced
///    costs with early exit, in phases: from overloaded nodes to underloaded
///    ones, then from overloaded nodes to any node below the maximum, then from
///    any node above the minimum to underloaded ones. Each shortest path keeps
///    the residual graph free of negative cycles.
/// 3. Finally apply any path from a node above the minimum to a node below the
///    maximum that still lowers the total (which nodes end at the ceiling).
///
/// The result has no improving path or cycle, so it is the optimum, a function
/// of the costs alone, not of any history: that is what lets every node compute
/// the same ring. Costs are pairwise distinct in practice (32-bit hashes), so
/// the optimum is unique and the path order does not matter; even on a tie the
/// procedure is deterministic.
struct BalancedAssignment {
    let partitionCount: Int
    let nodeCount: Int
    let replicas: Int
    let loadMinimum: Int
    let loadMaximum: Int
    /// Row-major [partition * nodeCount + node]; MUST be in 0..<2^32 so path sums cannot overflow.
    let cost: [Int64]

    /// `cost` transposed, [node * partitionCount + partition]: a node's row is contiguous.
    private let costByNode: [Int64]
    /// Row-major [partition * nodeCount + node]: true where the node holds a replica of the partition.
    private(set) var assigned: [Bool]
    /// `assigned` transposed, [node * partitionCount + partition].
    private var heldByNode: [Bool]
    private(set) var load: [Int]
    /// Augmenting paths applied by the last `solve()`; for tests and profiling.
    private(set) var augmentations = 0

    init(partitionCount: Int, nodeCount: Int, replicas: Int, loadMinimum: Int, loadMaximum: Int, cost: [Int64]) {
        precondition(replicas >= 0 && replicas <= nodeCount, "replicas \(replicas) > nodes \(nodeCount)")
        precondition(cost.count == partitionCount * nodeCount, "cost matrix has \(cost.count) entries")
        precondition(loadMinimum <= loadMaximum, "load bounds \(loadMinimum)...\(loadMaximum)")
        precondition(
            nodeCount * loadMinimum <= partitionCount * replicas
                && partitionCount * replicas <= nodeCount * loadMaximum,
            "no load in \(loadMinimum)...\(loadMaximum) sums to \(partitionCount * replicas)")
        self.partitionCount = partitionCount
        self.nodeCount = nodeCount
        self.replicas = replicas
        self.loadMinimum = loadMinimum
        self.loadMaximum = loadMaximum
        self.cost = cost
        var transposed = [Int64](repeating: 0, count: cost.count)
        for p in 0..<partitionCount {
            for v in 0..<nodeCount { transposed[v * partitionCount + p] = cost[p * nodeCount + v] }
        }
        self.costByNode = transposed
        self.assigned = Array(repeating: false, count: partitionCount * nodeCount)
        self.heldByNode = Array(repeating: false, count: partitionCount * nodeCount)
        self.load = Array(repeating: 0, count: nodeCount)
    }

    mutating func solve() {
        var s = Scratch(nodeCount: nodeCount, partitionCount: partitionCount)
        assignCheapest(&s)
        // Each phase ends when its sources or sinks run out; every path moves one
        // unit, and the total misplacement is at most P*N, so this only catches a bug.
        let augmentationsMaximum = 2 * partitionCount * replicas + nodeCount + 16
        // (source loads above, sink loads below, only if it lowers the total)
        let phases = [
            (loadMaximum, loadMinimum, false), (loadMaximum, loadMaximum, false),
            (loadMinimum, loadMinimum, false), (loadMinimum, loadMaximum, true),
        ]
        for (above, below, onlyIfCheaper) in phases {
            while augmentOnce(&s, sourceAbove: above, sinkBelow: below, onlyIfCheaper: onlyIfCheaper) {
                augmentations += 1
                precondition(augmentations <= augmentationsMaximum, "placement did not converge")
            }
        }
        for v in 0..<nodeCount {
            precondition(
                load[v] >= loadMinimum && load[v] <= loadMaximum,
                "node \(v) holds \(load[v]), outside \(loadMinimum)...\(loadMaximum)")
        }
    }

    /// Step 1: each partition's `replicas` cheapest nodes, and potentials that
    /// make this assignment's residual arcs non-negative.
    private mutating func assignCheapest(_ s: inout Scratch) {
        // The `replicas` cheapest by insertion into a short sorted list: O(n * N) per partition.
        var best = [Int](repeating: 0, count: replicas)
        for p in 0..<partitionCount {
            let row = p * nodeCount
            var count = 0
            for v in 0..<nodeCount {
                let key = (cost[row + v], v)
                if count == replicas && key >= (cost[row + best[count - 1]], best[count - 1]) { continue }
                var i = count < replicas ? count : count - 1
                while i > 0 && key < (cost[row + best[i - 1]], best[i - 1]) {
                    best[i] = best[i - 1]
                    i -= 1
                }
                best[i] = v
                if count < replicas { count += 1 }
            }
            for r in 0..<replicas {
                assigned[row + best[r]] = true
                heldByNode[best[r] * partitionCount + p] = true
                load[best[r]] += 1
            }
            s.potential[nodeCount + p] = replicas > 0 ? -cost[row + best[replicas - 1]] : 0
        }
    }

    /// Scratch space reused across paths. Vertices 0..<n are nodes, n..<n+P partitions.
    struct Scratch {
        var potential: [Int64]
        var distance: [Int64]
        var previous: [Int]
        var settled: [Bool]
        var heap = MinHeap()
        init(nodeCount: Int, partitionCount: Int) {
            let count = nodeCount + partitionCount
            potential = Array(repeating: 0, count: count)
            distance = Array(repeating: Int64.max, count: count)
            previous = Array(repeating: -1, count: count)
            settled = Array(repeating: false, count: count)
        }
    }

    /// Finds the cheapest alternating path from a node holding more than
    /// `sourceAbove` to a different node holding fewer than `sinkBelow` and
    /// applies it (if `onlyIfCheaper`, only when it lowers the total). Dijkstra
    /// on reduced costs from a virtual root joined to every source, stopping
    /// when the virtual sink is settled; then potentials are lowered so every
    /// residual arc keeps a non-negative reduced cost.
    private mutating func augmentOnce(
        _ s: inout Scratch, sourceAbove: Int, sinkBelow: Int,
        onlyIfCheaper: Bool
    ) -> Bool {
        let n = nodeCount
        let vertexCount = n + partitionCount
        var rootPotential = Int64.min
        var sinkPotential = Int64.max
        for v in 0..<n {
            if load[v] > sourceAbove && load[v] > 0 { rootPotential = max(rootPotential, s.potential[v]) }
            if load[v] < sinkBelow { sinkPotential = min(sinkPotential, s.potential[v]) }
        }
        guard rootPotential != Int64.min, sinkPotential != Int64.max else { return false }
        for i in 0..<vertexCount {
            s.distance[i] = Int64.max
            s.previous[i] = -1
            s.settled[i] = false
        }
        var heap = s.heap
        s.heap = MinHeap()
        defer { s.heap = heap }
        heap.removeAll()
        for v in 0..<n where load[v] > sourceAbove && load[v] > 0 {
            s.distance[v] = rootPotential - s.potential[v]
            heap.push(s.distance[v], v)
        }
        var sinkDistance = Int64.max
        var end = -1
        let sinkVertex = vertexCount
        cost.withUnsafeBufferPointer { cost in
            costByNode.withUnsafeBufferPointer { costByNode in
                assigned.withUnsafeBufferPointer { assigned in
                    heldByNode.withUnsafeBufferPointer { heldByNode in
                        load.withUnsafeBufferPointer { load in
                            s.potential.withUnsafeBufferPointer { pot in
                                s.distance.withUnsafeMutableBufferPointer { dist in
                                    s.previous.withUnsafeMutableBufferPointer { prev in
                                        s.settled.withUnsafeMutableBufferPointer { settled in
                                            while let (d, u) = heap.pop() {
                                                if u == sinkVertex { break }
                                                if settled[u] || d != dist[u] { continue }
                                                settled[u] = true
                                                if u < n {
                                                    // A node reached through a partition can end the path.
                                                    if prev[u] >= 0 && load[u] < sinkBelow {
                                                        let candidate = d + pot[u] - sinkPotential
                                                        if candidate < sinkDistance {
                                                            sinkDistance = candidate
                                                            end = u
                                                            heap.push(candidate, sinkVertex)
                                                        }
                                                    }
                                                    // Node u gives up a partition it holds.
                                                    let base = d + pot[u]
                                                    let row = u * partitionCount
                                                    for p in 0..<partitionCount where heldByNode[row + p] {
                                                        let w = n + p
                                                        let candidate = base - costByNode[row + p] - pot[w]
                                                        if candidate < dist[w] {
                                                            dist[w] = candidate
                                                            prev[w] = u
                                                            heap.push(candidate, w)
                                                        }
                                                    }
                                                } else {
                                                    // Partition u - n goes to a node that does not hold it yet.
                                                    let row = (u - n) * n
                                                    let base = d + pot[u]
                                                    for v in 0..<n where !assigned[row + v] {
                                                        let candidate = base + cost[row + v] - pot[v]
                                                        if candidate < dist[v] {
                                                            dist[v] = candidate
                                                            prev[v] = u
                                                            heap.push(candidate, v)
                                                        }
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        guard end >= 0 else { return false }
        // Real cost of the path: reduced length minus the root and sink potential offsets.
        if onlyIfCheaper && sinkDistance - rootPotential + sinkPotential >= 0 { return false }
        for i in 0..<vertexCount where s.distance[i] < sinkDistance {
            s.potential[i] -= sinkDistance - s.distance[i]
        }
        load[end] += 1
        var v = end
        var hops = 0
        while s.previous[v] >= 0 {
            let p = s.previous[v] - n
            let giver = s.previous[s.previous[v]]
            assigned[p * n + v] = true
            assigned[p * n + giver] = false
            heldByNode[v * partitionCount + p] = true
            heldByNode[giver * partitionCount + p] = false
            v = giver
            hops += 1
            precondition(hops <= partitionCount, "augmenting path longer than the partition count")
        }
        load[v] -= 1
        return true
    }
}

/// A binary min-heap of (key, vertex) pairs; stale entries are skipped by the caller.
struct MinHeap {
    private var keys: [Int64] = []
    private var values: [Int] = []

    mutating func removeAll() {
        keys.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
    }

    mutating func push(_ key: Int64, _ value: Int) {
        keys.append(key)
        values.append(value)
        var i = keys.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            if (keys[parent], values[parent]) <= (key, value) { break }
            keys[i] = keys[parent]
            values[i] = values[parent]
            i = parent
        }
        keys[i] = key
        values[i] = value
    }

    mutating func pop() -> (Int64, Int)? {
        guard let top = keys.first else { return nil }
        let result = (top, values[0])
        let lastKey = keys.removeLast()
        let lastValue = values.removeLast()
        if keys.isEmpty { return result }
        var i = 0
        let count = keys.count
        while true {
            let left = 2 * i + 1
            if left >= count { break }
            var child = left
            if left + 1 < count && (keys[left + 1], values[left + 1]) < (keys[left], values[left]) { child = left + 1 }
            if (lastKey, lastValue) <= (keys[child], values[child]) { break }
            keys[i] = keys[child]
            values[i] = values[child]
            i = child
        }
        keys[i] = lastKey
        values[i] = lastValue
        return result
    }
}
