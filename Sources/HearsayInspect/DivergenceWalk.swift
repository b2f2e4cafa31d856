/// Finds the keys that differ in partitions whose replicas' roots differ: compares the replicas'
/// 64 Merkle leaves, then the key lists of the leaves that differ (or of the whole partition
/// when many leaves do). One pipelined round trip per node per step.
struct DivergenceWalk {
    /// HS.DIGEST p KEYS returns at most this many entries.
    static let keysPerReply: Int64 = 10_000
    let inspector: Inspector
    let nodes: [String: NodeSample]
    let replicasOf: [[String]]
    private(set) var problems: [String] = []

    init(inspector: Inspector, nodes: [String: NodeSample], replicasOf: [[String]]) {
        self.inspector = inspector
        self.nodes = nodes
        self.replicasOf = replicasOf
    }

    /// Asks every node its share of `requests` (partition -> command) in one pipeline; returns
    /// node -> partition -> reply. A node that fails is left out and named in `problems`.
    mutating func gather(_ requests: [String: [(key: Int, command: [String])]]) -> [String: [Int: RESPValue]] {
        var result: [String: [Int: RESPValue]] = [:]
        for (id, list) in requests where !list.isEmpty {
            guard let address = nodes[id]?.address else { continue }
            do {
                let replies = try inspector.ask(address, list.map(\.command))
                var byKey: [Int: RESPValue] = [:]
                for (entry, reply) in zip(list, replies) { byKey[entry.key] = reply }
                result[id] = byKey
            } catch {
                problems.append("node \(id) at \(address) during the Merkle walk: \(error.description)")
            }
        }
        return result
    }

    /// Divergent keys per partition; partitions whose key lists could not be read are left out.
    mutating func divergentKeys(in partitions: [Int], leafThreshold: Int) -> [Int: Int] {
        guard !partitions.isEmpty else { return [:] }
        var leafRequests: [String: [(key: Int, command: [String])]] = [:]
        for p in partitions {
            for id in replicasOf[p] { leafRequests[id, default: []].append((p, ["HS.DIGEST", String(p)])) }
        }
        let leaves = gather(leafRequests)
        // (partition, leaf or -1 for the whole partition) to ask every replica for.
        var keyRequests: [String: [(key: Int, command: [String])]] = [:]
        var plan: [Int: [Int]] = [:]
        for p in partitions {
            let lists = replicasOf[p].compactMap { leaves[$0]?[p].flatMap(NodeReplies.digests) }
            guard lists.count == replicasOf[p].count, let first = lists.first else { continue }
            let differing = (0..<first.count).filter { leaf in
                Set(lists.map { $0.count > leaf ? $0[leaf] : "" }).count > 1
            }
            // The whole partition in one reply only while it fits (HS.DIGEST KEYS stops at
            // 10,000 entries, and replicas list keys in different orders).
            let fitsOneReply = replicasOf[p].allSatisfy { id in
                guard let load = nodes[id]?.partitions?.first(where: { $0.partition == p }) else { return false }
                return load.keys + load.tombstones < Self.keysPerReply
            }
            let steps = differing.count > leafThreshold && fitsOneReply ? [-1] : differing
            plan[p] = steps
            for (index, step) in steps.enumerated() {
                let tag = p * 128 + index
                var command = ["HS.DIGEST", String(p), "KEYS"]
                if step >= 0 { command.append(String(step)) }
                for id in replicasOf[p] { keyRequests[id, default: []].append((tag, command)) }
            }
        }
        let keyReplies = gather(keyRequests)
        var result: [Int: Int] = [:]
        for (p, steps) in plan {
            var count = 0
            var complete = true
            for index in steps.indices {
                let tag = p * 128 + index
                var digests: [[String: String]] = []
                for id in replicasOf[p] {
                    guard let reply = keyReplies[id]?[tag], let rows = NodeReplies.keyDigests(reply) else {
                        complete = false
                        break
                    }
                    digests.append(Dictionary(rows.map { ($0.key, $0.digest) }, uniquingKeysWith: { a, _ in a }))
                }
                guard complete else { break }
                count += Self.differingKeys(digests).count
            }
            if complete { result[p] = count }
        }
        return result
    }

    /// Keys that are missing from some of `replicas` or held with different digests.
    static func differingKeys(_ replicas: [[String: String]]) -> [String] {
        var all: Set<String> = []
        for replica in replicas { all.formUnion(replica.keys) }
        return all.filter { key in Set(replicas.map { $0[key] ?? "" }).count > 1 }.sorted()
    }

    /// `--partition P`: every key of P as each replica holds it.
    mutating func detail(of p: Int, partitionCount: Int) -> PartitionDetail {
        guard p >= 0 && p < partitionCount else {
            return PartitionDetail(
                partition: p, replicas: [], keys: [], note: "no partition \(p) (0..<\(partitionCount))")
        }
        let replicas = replicasOf[p]
        var requests: [String: [(key: Int, command: [String])]] = [:]
        for id in replicas { requests[id] = [(p, ["HS.DIGEST", String(p), "KEYS"])] }
        let replies = gather(requests)
        var byReplica: [String: [String: KeyDigest]] = [:]
        var notes: [String] = []
        for id in replicas {
            guard let reply = replies[id]?[p] else {
                notes.append("node \(id) did not answer")
                continue
            }
            guard let rows = NodeReplies.keyDigests(reply) else {
                notes.append("node \(id): \(reply.errorText ?? "unexpected reply to HS.DIGEST \(p) KEYS")")
                continue
            }
            byReplica[id] = Dictionary(rows.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        }
        var all: Set<String> = []
        for rows in byReplica.values { all.formUnion(rows.keys) }
        let keys = all.sorted().map { key -> KeyVersions in
            var versions: [String: String?] = [:]
            for id in byReplica.keys {
                versions[id] = byReplica[id]?[key].map {
                    "\($0.digest) \($0.type) siblings=\($0.siblings) \($0.version)"
                }
            }
            let digests = byReplica.values.map { $0[key]?.digest ?? "" }
            return KeyVersions(key: key, differs: Set(digests).count > 1, byReplica: versions)
        }
        return PartitionDetail(
            partition: p, replicas: replicas, keys: keys, note: notes.isEmpty ? nil : notes.joined(separator: "; "))
    }
}
