import HearsaySim

@testable import HearsayCore

/// What the simulated replicas actually hold, read from the nodes' state (their stores and hint
/// stores), not through any command: per partition whether the running replicas hold equal
/// objects for every key and which keys differ, the keys some node holds with siblings, and
/// the hints pending per owner.
struct SimGroundTruth {
    /// nil: a replica is not running.
    var agree: [Bool?] = []
    var divergent: [Set<String>] = []
    var siblingKeys: Set<String> = []
    var hintsByOwner: [String: Int64] = [:]

    init(_ cluster: HearsayCluster) {
        let running = cluster.ids.indices.filter { cluster.sim.isRunning($0) }
        // The inspector takes the ring from the first node it reaches in id order.
        let reference = running.min { cluster.ids[$0] < cluster.ids[$1] }
        guard let reference, let placement = cluster.sim.node(reference)?.placement else { return }
        let indexOf = Dictionary(uniqueKeysWithValues: cluster.ids.enumerated().map { ($1, $0) })
        let count = placement.partitionCount.value
        for p in 0..<count {
            let replicas = placement.replicas(for: PartitionID(p)).map { indexOf[$0] }
            guard replicas.allSatisfy({ $0 != nil && cluster.sim.isRunning($0!) }) else {
                agree.append(nil)
                divergent.append([])
                continue
            }
            let held = replicas.map { Self.objects(of: cluster.sim.node($0!)!.node, partition: p) }
            var keys: Set<String> = []
            for objects in held { keys.formUnion(objects.keys) }
            let differing = keys.filter { key in held.contains { $0[key] != held[0][key] } }
            agree.append(differing.isEmpty)
            divergent.append(differing)
        }
        for index in running {
            let node = cluster.sim.node(index)!.node
            for p in 0..<count {
                for (key, object) in Self.objects(of: node, partition: p) where object.register.count > 1 {
                    siblingKeys.insert(key)
                }
            }
            for (owner, hints) in node.hints.owners ?? [:] where !hints.hints.isEmpty {
                hintsByOwner[owner.description, default: 0] += Int64(hints.hints.count)
            }
        }
    }

    /// Every key a node stores in a partition, tombstones included, as whole objects.
    static func objects(of node: Node, partition: Int) -> [String: StoredObject] {
        var result: [String: StoredObject] = [:]
        node.keyspace.forEachEntry(inPartition: partition) { box in
            result[String(decoding: box.keyBytes, as: UTF8.self)] = CompactObject.materialize(box)
        }
        return result
    }
}
