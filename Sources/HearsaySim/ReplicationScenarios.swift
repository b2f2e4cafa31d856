import HearsayCore

/// Replication under faults, checked against what the client was told.
///
/// One client drives a workload (SETs of unique values, DELs, INCRs on counter keys) at
/// N=3, R=W=2 through random nodes while the seed injects message loss, a partition, a
/// pause, and at most one crash with a restart (a crash loses that node's memory). Then
/// faults stop, hints drain (there is no anti-entropy yet), and the checkers judge:
/// 1. every acknowledged write is returned by a quorum read, or a later write was attempted;
/// 2. every acknowledged write was held by at least W nodes (data or hints) when acknowledged;
/// 3. a key whose last acknowledged operation was a DEL, with nothing attempted after, reads nil;
/// 4. a counter reads at least the sum of its acknowledged increments and at most the sum of
///    all attempted ones.
/// Keys whose holders include the crashed node are read at ALL (a crash loses a copy, which
/// only anti-entropy could restore from the others); the rest at R=2.
public enum ReplicationScenarios {
    static let second: Int64 = 1_000_000_000
    /// Set by HEARSAY_SIM_TRACE_KEY (through `hearsay sim`) to print every operation on one key.
    nonisolated(unsafe) public static var traceKey: String? = nil
    static var traceKeyValue: String? { traceKey }

    public static let all: [SimulationScenario] = [
        SimulationScenario(
            name: "replication-faults",
            summary: "a client writes at W=2 through loss, a partition, a pause and a crash; acknowledged writes"
                + " survive, quorums hold, deletes stay deleted, counters count",
            nodeRange: 3...12, defaultNodes: 5
        ) { run(seed: $0, nodes: $1) }
    ]

    enum Op {
        case set(String, String)
        case del(String)
        case incr(String)

        var words: [String] {
            switch self {
            case .set(let key, let value): ["SET", key, value]
            case .del(let key): ["DEL", key]
            case .incr(let key): ["INCR", key]
            }
        }
    }

    struct History {
        /// Per key: (op index, value or nil for DEL, acknowledged).
        var writes: [String: [(index: Int, value: String?, acked: Bool, via: Int)]] = [:]
        /// Holders of each acknowledged value when it was acknowledged (for failure reports).
        var holdersOfValue: [String: [Int]] = [:]
        var deleteReplies: [Int: String] = [:]
        /// Operation indexes of DELs acknowledged through stand-ins.
        var hintedDeletes: Set<Int> = []
        var counters: [String: (acked: Int, attempted: Int)] = [:]
        /// Keys whose acknowledged writes were held by a node that later crashed.
        var lostCopy: Set<String> = []
        var holdersAtAck: [String: [Int]] = [:]
        /// Values whose acknowledgement counted a stand-in's hint (fewer than W owners held them).
        var hintedAcks: Set<String> = []

        /// Values held by a node that crashed when fewer than W (2) other owners still held
        /// them: a later DEL's quorum may not have seen them (they are then concurrent with it,
        /// and writes win). Excluded from "stays deleted" like hinted ones.
        var crashedCopies: Set<String> = []
        var keyOfValue: [String: String] = [:]
        /// The dot each acknowledged value was written with.
        var dotOfValue: [String: Dot] = [:]
        /// Acknowledged values a write that had failed replaced after them (`check`).
        var supersededByFailed: Set<String> = []

        /// Per counter key, the dots of acknowledged increments (the dot each one minted).
        var ackedIncrements: [String: Set<Dot>] = [:]
        /// Acknowledged increments and values whose every copy was lost (see `trackCopies`).
        var lostIncrements: [String: Set<Dot>] = [:]
        var lostValues: Set<String> = []
        /// Which nodes held each tracked increment and value (in data or hints) at the last
        /// look, and how many hints each node had dropped at a bound by then.
        var incrementHolders: [Dot: Set<Int>] = [:]
        var valueHolders: [String: Set<Int>] = [:]
        var hintsDropped: [Int] = []
        /// Crashes per node so far, and for each tracked value and increment, the owners the
        /// hints holding it were kept for, with each owner's crash count when the hint was
        /// first seen: a hint replayed to its owner is deleted on the owner's acknowledgement,
        /// so if the owner crashed after taking it, the copy died in that crash.
        var crashes: [Int: Int] = [:]
        var valueHintTargets: [String: [Int: [Int: Int]]] = [:]
        var incrementHintTargets: [Dot: [Int: [Int: Int]]] = [:]
        /// The nodes that held each tracked value or increment when they crashed.
        var valueDiedWith: [String: Set<Int>] = [:]
        var incrementDiedWith: [Dot: Set<Int>] = [:]
    }

    static func run(seed: UInt64, nodes: Int) -> SimulationResult {
        var run = ClusterScenarios.Run("replication-faults", seed: seed, nodes: nodes, extraCheck: nil)
        guard run.form() else { return run.result() }
        let cluster = run.cluster
        let sim = run.sim
        var history = History()
        let crashed = workload(&run, nodes: nodes, history: &history)
        // Faults stop; hints drain.
        sim.heal()
        sim.network.lossProbability = 0
        if let victim = crashed { cluster.restart(victim) }
        run.converge("healed after the workload")
        sim.run(forNanoseconds: 30 * second)
        trackCopies(&history, cluster: cluster)
        check(history, cluster: cluster, run: &run)
        return run.result()
    }

    /// The seeded workload with its faults (loss, partitions, a pause, at most one crash and
    /// restart): 20% INCRs, `deletePercent`% DELs, the rest SETs. `afterEach` runs after every
    /// operation (a scenario's own traffic). Returns the node that is still crashed at the end, if any.
    static func workload(
        _ run: inout ClusterScenarios.Run, nodes: Int, deletePercent: Int = 10, history: inout History,
        afterEach: (Int) -> Void = { _ in }
    ) -> Int? {
        let cluster = run.cluster
        let sim = run.sim
        var crashed: Int? = nil
        var crashedOnce = false
        var paused = false
        let operations = 240
        for i in 0..<operations {
            // Faults, chosen by the seed as the workload goes.
            let roll = sim.random(in: 0..<100)
            if roll < 3 && !crashedOnce {
                let victim = sim.random(in: 0..<nodes)
                noteCrash(victim, cluster: cluster, nodes: nodes, history: &history)
                crashed = victim
                crashedOnce = true
                run.notes.append("crash \(victim) at op \(i)")
            } else if roll < 6, let victim = crashed {
                cluster.restart(victim)
                crashed = nil
                run.notes.append("restart \(victim) at op \(i)")
            } else if roll < 8 {
                let minority = [sim.random(in: 0..<nodes)]
                sim.partition([minority, (0..<nodes).filter { !minority.contains($0) }])
            } else if roll < 12 {
                sim.heal()
            } else if roll < 13 && !paused {
                sim.pause(sim.random(in: 0..<nodes), forNanoseconds: Int64(sim.random(in: 1_000..<4_000)) * 1_000_000)
                paused = true
            } else if roll < 16 {
                sim.network.lossProbability = Double(sim.random(in: 0..<6)) / 100
            }
            let live = cluster.liveNodes
            guard !live.isEmpty else { continue }
            let via = live[sim.random(in: 0..<live.count)]
            let op = randomOp(i, sim: sim, deletePercent: deletePercent)
            perform(op, index: i, via: via, cluster: cluster, history: &history, run: &run)
            afterEach(i)
            sim.run(forNanoseconds: Int64(sim.random(in: 1..<200)) * 1_000_000)
            trackCopies(&history, cluster: cluster)
        }
        return crashed
    }

    static let keys = (0..<12).map { "key:\($0)" }
    static let counterKeys = (0..<3).map { "counter:\($0)" }

    /// Operation `i` of the workload: 20% INCRs, `deletePercent`% DELs, the rest SETs of
    /// the unique value "v`i`".
    static func randomOp(_ i: Int, sim: Simulator<HearsayNode>, deletePercent: Int) -> Op {
        let pick = sim.random(in: 0..<100)
        if pick < 20 { return .incr(counterKeys[sim.random(in: 0..<counterKeys.count)]) }
        if pick < 20 + deletePercent { return .del(keys[sim.random(in: 0..<keys.count)]) }
        return .set(keys[sim.random(in: 0..<keys.count)], "v\(i)")
    }

    /// Crashes `victim` and records what its lost memory puts at risk: keys whose
    /// acknowledged copies it held (read at ALL later), values that fewer than W other
    /// owners still hold (a later DEL's quorum may not see them), and writes whose last
    /// copy it held (`trackCopies`).
    static func noteCrash(_ victim: Int, cluster: HearsayCluster, nodes: Int, history: inout History) {
        // Who holds what just before the crash (copies move between looks: a hint replayed,
        // a write delivered), so that the look after it judges exactly what the crash took.
        trackCopies(&history, cluster: cluster)
        cluster.crash(victim)
        history.crashes[victim, default: 0] += 1
        for (key, holders) in history.holdersAtAck where holders.contains(victim) {
            history.lostCopy.insert(key)
        }
        for (value, holders) in history.holdersOfValue where holders.contains(victim) {
            guard let key = history.keyOfValue[value] else { continue }
            let others = (0..<nodes).filter { index in
                index != victim
                    && cluster.sim.node(index)?.node.ownedValues(of: Array(key.utf8)).contains(Array(value.utf8))
                        == true
            }
            if others.count < 2 { history.crashedCopies.insert(value) }
        }
        trackCopies(&history, cluster: cluster, crashed: victim)
    }

    /// Follows the copies of what the final checks rely on (each key's last acknowledged
    /// value, every acknowledged increment) and marks one lost when no node holds it any
    /// more, in its data or its hints, and every node that held it at the last look has
    /// since crashed (`crashed`) or dropped hints at their bound (age, count, bytes): the
    /// documented ways a write acknowledged at W=2 can disappear. A copy that vanishes any
    /// other way is not excused, and the final checks judge it. Called after every
    /// operation and at every crash.
    static func trackCopies(_ history: inout History, cluster: HearsayCluster, crashed: Int? = nil) {
        let n = cluster.sim.nodeCount
        // One copy of each node per look (copying a node retains every field).
        let nodes = (0..<n).map { cluster.sim.node($0)?.node }
        let dropped = nodes.map { $0?.hintsDropped ?? 0 }
        if history.hintsDropped.count < n { history.hintsDropped = dropped }
        let before = history.hintsDropped
        let crashes = history.crashes
        /// A copy vanished in a documented way: each of its last holders crashed, dropped
        /// hints at a bound, or kept it in a hint for an owner that crashed holding the copy
        /// after the hint was first seen (the replay's acknowledgement deletes the hint, and
        /// can arrive after the look that saw the owner crash with the copy).
        func excused(_ holders: Set<Int>, hintTargets: [Int: [Int: Int]], diedWith: Set<Int>) -> Bool {
            func handedToCrashed(_ holder: Int) -> Bool {
                (hintTargets[holder] ?? [:]).contains {
                    diedWith.contains($0.key) && crashes[$0.key, default: 0] > $0.value
                }
            }
            return !holders.isEmpty
                && holders.allSatisfy { $0 == crashed || dropped[$0] != before[$0] || handedToCrashed($0) }
        }
        /// Per holder, the owners (by index) of its hints of `key`, with each owner's crash
        /// count from when that hint was first seen.
        func hintTargets(_ key: String, previous: [Int: [Int: Int]]) -> [Int: [Int: Int]] {
            var targets: [Int: [Int: Int]] = [:]
            for i in 0..<n {
                for owner in nodes[i]?.hintOwners(of: Array(key.utf8)) ?? [] {
                    guard let index = cluster.ids.firstIndex(of: owner) else { continue }
                    targets[i, default: [:]][index] = previous[i]?[index] ?? crashes[index, default: 0]
                }
            }
            return targets
        }
        var lastValues: [String: String] = [:]
        for (key, ops) in history.writes {
            if let last = ops.last(where: \.acked), let value = last.value, !history.lostValues.contains(value) {
                lastValues[key] = value
            }
        }
        let tracked = Set(lastValues.keys).union(history.ackedIncrements.keys).sorted()
        var held: [String: [StoredObject?]] = [:]
        for key in tracked { held[key] = nodes.map { $0?.heldObject(of: Array(key.utf8)) } }
        for (key, value) in lastValues {
            let bytes = Array(value.utf8)
            let holders = Set((0..<n).filter { held[key]![$0]?.register.contains { $0.value == bytes } == true })
            let targets = history.valueHintTargets[value] ?? [:]
            if let crashed, history.valueHolders[value]?.contains(crashed) == true {
                history.valueDiedWith[value, default: []].insert(crashed)
            }
            let diedWith = history.valueDiedWith[value] ?? []
            if holders.isEmpty && excused(history.valueHolders[value] ?? [], hintTargets: targets, diedWith: diedWith) {
                history.lostValues.insert(value)
            }
            history.valueHolders[value] = holders
            history.valueHintTargets[value] = hintTargets(key, previous: targets)
        }
        for (key, dots) in history.ackedIncrements {
            for dot in dots where history.lostIncrements[key]?.contains(dot) != true {
                let holders = Set((0..<n).filter { held[key]![$0]?.context.contains(dot) == true })
                let targets = history.incrementHintTargets[dot] ?? [:]
                if let crashed, history.incrementHolders[dot]?.contains(crashed) == true {
                    history.incrementDiedWith[dot, default: []].insert(crashed)
                }
                let diedWith = history.incrementDiedWith[dot] ?? []
                if holders.isEmpty
                    && excused(history.incrementHolders[dot] ?? [], hintTargets: targets, diedWith: diedWith)
                {
                    history.lostIncrements[key, default: []].insert(dot)
                }
                history.incrementHolders[dot] = holders
                history.incrementHintTargets[dot] = hintTargets(key, previous: targets)
            }
        }
        history.hintsDropped = dropped
    }

    /// Runs `op` through node `node` and records what the client was told. With
    /// `crashAfterNanoseconds`, node `node` crashes that long after the request reached it
    /// (a coordinator dying in the middle of a quorum write); without a reply by then, the
    /// client's connection breaks and the operation counts as attempted, not acknowledged.
    static func perform(
        _ op: Op, index: Int, via node: Int, cluster: HearsayCluster, history: inout History,
        run: inout ClusterScenarios.Run, crashAfterNanoseconds: Int64? = nil
    ) {
        let countersBefore: Set<Dot>
        if case .incr(let key) = op { countersBefore = counterDots(key, cluster) } else { countersBefore = [] }
        let contextBefore: StoredObject
        if case .set(let key, _) = op {
            contextBefore = mergedCopies(key, cluster)
        } else {
            contextBefore = StoredObject()
        }
        guard let crashAfter = crashAfterNanoseconds else {
            let reply = cluster.request(node, op.words) ?? "-NOREPLY\r\n"
            record(
                op, reply: reply, index: index, via: node, countersBefore: countersBefore,
                contextBefore: contextBefore, cluster, &history, &run)
            return
        }
        let ticket = cluster.submit(node, op.words)
        cluster.sim.run(forNanoseconds: crashAfter)
        let reply = ticket.flatMap(cluster.reply(for:))
        if let reply {
            record(
                op, reply: reply, index: index, via: node, countersBefore: countersBefore,
                contextBefore: contextBefore, cluster, &history, &run)
        }
        noteCrash(node, cluster: cluster, nodes: cluster.sim.nodeCount, history: &history)
        run.notes.append("crash \(node) during op \(index)")
        if reply == nil {
            record(
                op, reply: "-CRASHED\r\n", index: index, via: node, countersBefore: countersBefore,
                contextBefore: contextBefore, cluster, &history, &run)
        }
    }

    /// Records the outcome of `op` as the client saw it, and checks who holds what it acknowledged.
    static func record(
        _ op: Op, reply: String, index: Int, via node: Int, countersBefore: Set<Dot>, contextBefore: StoredObject,
        _ cluster: HearsayCluster, _ history: inout History, _ run: inout ClusterScenarios.Run
    ) {
        let words = op.words
        if let traced = ReplicationScenarios.traceKey, words.count > 1, words[1] == traced {
            print("op \(index) via \(node): \(words.joined(separator: " ")) -> \(reply.debugDescription)")
            for i in 0..<cluster.sim.nodeCount {
                guard let n = cluster.sim.node(i)?.node else { continue }
                print("   node \(i) (\(cluster.ids[i]), writer \(n.writer)): \(n.debugState(of: Array(traced.utf8)))")
            }
        }
        let acked = !reply.hasPrefix("-")
        switch op {
        case .set(let key, let value):
            history.writes[key, default: []].append((index, value, acked, node))
            if acked {
                checkHolders(
                    key, value: value, contextBefore: contextBefore, cluster: cluster, history: &history, run: &run)
            }
        case .del(let key):
            history.writes[key, default: []].append((index, nil, acked, node))
            // A DEL acknowledged through stand-ins' hints (fewer than W owners hold its
            // tombstone) did not see the owners' copies: the same sloppy-quorum gap.
            if acked {
                var owners = 0
                for i in 0..<cluster.sim.nodeCount {
                    if cluster.sim.node(i)?.node.ownsTombstone(of: Array(key.utf8)) ?? false { owners += 1 }
                }
                if owners < 2 { history.hintedDeletes.insert(index) }
            }
            history.deleteReplies[index] = reply.trimmingSuffixNewline
        case .incr(let key):
            var counts = history.counters[key] ?? (0, 0)
            counts.attempted += 1
            if acked {
                counts.acked += 1
                // The increment's dot is the one no node held before it.
                history.ackedIncrements[key, default: []].formUnion(
                    counterDots(key, cluster).subtracting(countersBefore))
            }
            history.counters[key] = counts
        }
    }

    /// Every node's copy of `key` (data and hints) merged into one: what the cluster has seen.
    static func mergedCopies(_ key: String, _ cluster: HearsayCluster) -> StoredObject {
        var merged = StoredObject()
        for i in 0..<cluster.sim.nodeCount {
            if let held = cluster.sim.node(i)?.node.heldObject(of: Array(key.utf8)) { merged.merge(held) }
        }
        return merged
    }

    /// The dots the cluster's copies of a key gained between `before` and `after`: each
    /// writer's newest dot where its counter grew, and cloud dots not seen before. A write
    /// made meanwhile has one of them.
    static func newDots(_ before: CausalContext, _ after: CausalContext) -> [Dot] {
        var dots = after.versionVector.entries
            .filter { $0.counter > before.versionVector[$0.node] }
            .map { Dot(node: $0.node, counter: $0.counter) }
        dots += after.cloud.filter { !before.contains($0) }
        return dots
    }

    /// Every counter entry's dot any node holds for `key`, in data or hints.
    static func counterDots(_ key: String, _ cluster: HearsayCluster) -> Set<Dot> {
        (0..<cluster.sim.nodeCount).reduce(into: Set<Dot>()) { dots, i in
            dots.formUnion(
                cluster.sim.node(i)?.node.heldObject(of: Array(key.utf8))?.counterEntries.map(\.stamp.dot) ?? [])
        }
    }

    /// Check 2: when a SET is acknowledged, at least W nodes hold it (in data or in hints).
    /// A write is held by a node whose copy has seen its dot: it holds the value, or a later
    /// state that replaced it. Only a write that had failed (and so is indeterminate: its
    /// request may still run on a stalled coordinator) can replace an acknowledged one before
    /// the client hears of it; every other replacement happens later.
    ///
    /// When no copy shows the value any more (a failed write already replaced it), its dot is
    /// one of the dots the copies gained during the request; each of them must then have
    /// been seen by W nodes.
    static func checkHolders(
        _ key: String, value: String, contextBefore: StoredObject, cluster: HearsayCluster, history: inout History,
        run: inout ClusterScenarios.Run
    ) {
        let bytes = Array(value.utf8)
        let keyBytes = Array(key.utf8)
        var holders: [Int] = []
        var owners = 0
        var dot: Dot? = nil
        for i in 0..<cluster.sim.nodeCount {
            guard let node = cluster.sim.node(i)?.node else { continue }
            if node.heldValues(of: keyBytes).contains(bytes) { holders.append(i) }
            if node.ownedValues(of: keyBytes).contains(bytes) { owners += 1 }
            if dot == nil { dot = node.heldObject(of: keyBytes)?.register.first { $0.value == bytes }?.stamp.dot }
        }
        var seen = holders
        let candidates =
            dot.map { [$0] } ?? newDots(contextBefore.context, mergedCopies(key, cluster).context)
        if !candidates.isEmpty {
            if candidates.count == 1 { history.dotOfValue[value] = candidates[0] }
            seen = (0..<cluster.sim.nodeCount).filter { i in
                let context = cluster.sim.node(i)?.node.heldObject(of: keyBytes)?.context
                return candidates.allSatisfy { context?.contains($0) == true }
            }
        }
        if owners < 2 { history.hintedAcks.insert(value) }
        history.holdersAtAck[key] = holders
        history.holdersOfValue[value] = holders
        history.keyOfValue[value] = key
        if seen.count < 2 {
            run.failures.append("SET \(key) \(value) acknowledged but held by \(seen.count) node(s) \(seen)")
        }
    }

    /// Whether acknowledged `value` of `key` is gone only because a write that had failed
    /// replaced it: the replicas' merged copy has seen its dot, and what it shows instead comes
    /// from failed writes (a failed DEL when it shows nothing).
    static func supersededByFailedWrite(
        _ key: String, value: String, read: Set<String>, ops: [(index: Int, value: String?, acked: Bool, via: Int)],
        cluster: HearsayCluster, history: History
    ) -> Bool {
        guard let dot = history.dotOfValue[value] else { return false }
        var merged = StoredObject()
        for index in cluster.liveNodes {
            if let held = cluster.sim.node(index)?.node.heldObject(of: Array(key.utf8)) { merged.merge(held) }
        }
        guard merged.context.contains(dot) else { return false }
        let failedValues = Set(ops.filter { !$0.acked }.compactMap(\.value))
        if read.isEmpty { return ops.contains { !$0.acked && $0.value == nil } }
        return read.isSubset(of: failedValues)
    }

    static func check(_ recorded: History, cluster: HearsayCluster, run: inout ClusterScenarios.Run) {
        var history = recorded
        let live = cluster.liveNodes
        guard let reader = live.first else { return run.failures.append("no live node to read from") }
        for key in history.writes.keys.sorted() {
            let ops = history.writes[key]!
            guard let lastAcked = ops.lastIndex(where: { $0.acked }) else { continue }
            let consistency =
                history.lostCopy.contains(key) ? ["HS.CONSISTENCY", "ALL"] : ["HS.CONSISTENCY", "2", "2"]
            _ = cluster.request(reader, consistency)
            let read = cluster.request(reader, ["HS.SIBLINGS", key]) ?? ""
            let values = Set(siblingValues(read))
            let laterAttempted = ops[(lastAcked + 1)...].contains { _ in true }
            switch ops[lastAcked].value {
            case let value?:
                let later = ops[(lastAcked + 1)...].compactMap(\.value)
                if history.lostValues.contains(value) {
                    break  // every copy was lost (see `trackCopies`)
                } else if !values.contains(value) && !laterAttempted
                    && supersededByFailedWrite(
                        key, value: value, read: values, ops: ops, cluster: cluster, history: history)
                {
                    history.supersededByFailed.insert(value)
                } else if !values.contains(value) && !later.contains(where: values.contains) && !laterAttempted {
                    run.failures.append("\(key): acknowledged \(value) lost; read \(values.sorted())")
                } else if !values.contains(value) && later.isEmpty && !laterAttempted {
                    run.failures.append("\(key): acknowledged \(value) missing; read \(values.sorted())")
                }
            case nil:
                // A DEL at W=2 saw every write acknowledged before it (its quorum pre-read), so
                // none may come back. A write that failed may still surface: it is concurrent
                // with the DEL, and writes win over concurrent deletes (README).
                // Sloppy quorum's known gap: a write acknowledged through a stand-in's hint is
                // invisible to the owners until the hint is replayed, so a DEL in between does
                // not see it (Dynamo, section 4.6); likewise a DEL acknowledged through
                // stand-ins does not see the owners' copies. Such operations are excluded here.
                let ackedBefore = Set(ops[..<lastAcked].filter(\.acked).compactMap(\.value))
                    .subtracting(history.hintedAcks).subtracting(history.crashedCopies)
                let resurrected = values.intersection(ackedBefore)
                if !laterAttempted && !resurrected.isEmpty && !history.hintedDeletes.contains(ops[lastAcked].index) {
                    let detail = resurrected.sorted().map { "\($0) held by \(history.holdersOfValue[$0] ?? [])" }
                    run.failures.append(
                        "\(key): deleted (acknowledged, op \(ops[lastAcked].index) via node "
                            + "\(ops[lastAcked].via), replied \(history.deleteReplies[ops[lastAcked].index] ?? "?")) "
                            + "but reads \(detail)")
                }
            }
        }
        for key in history.counters.keys.sorted() {
            let counts = history.counters[key]!
            _ = cluster.request(reader, ["HS.CONSISTENCY", "ALL"])
            let reply = cluster.request(reader, ["GET", key]) ?? ""
            let value = Int(reply.split(separator: "\r\n").dropFirst().first ?? "") ?? 0
            // An increment whose every copy was lost is gone; any other acknowledged one must count.
            let lost = history.lostIncrements[key]?.count ?? 0
            if value < counts.acked - lost || value > counts.attempted {
                run.failures.append(
                    "\(key): reads \(value), acknowledged \(counts.acked) (\(lost) lost with every copy),"
                        + " attempted \(counts.attempted)")
            }
        }
        _ = cluster.request(reader, ["HS.CONSISTENCY", "DEFAULT"])
        run.notes.append("\(history.writes.values.reduce(0) { $0 + $1.filter(\.acked).count }) writes acknowledged")
        run.notes.append(
            "\(history.hintedAcks.count) SETs and \(history.hintedDeletes.count) DELs acknowledged through hints")
        run.notes.append("\(history.crashedCopies.count) values acknowledged on a node that crashed later")
        if !history.supersededByFailed.isEmpty {
            run.notes.append(
                "\(history.supersededByFailed.count) acknowledged values replaced by writes that had failed")
        }
        let lost = history.lostIncrements.values.reduce(0) { $0 + $1.count }
        if lost + history.lostValues.count > 0 {
            run.notes.append(
                "\(history.lostValues.count) acknowledged values and \(lost) INCRs lost with every copy"
                    + " (crashed, or hints dropped at their bound)")
        }
    }

    /// The values in an HS.SIBLINGS reply (RESP2: flat maps, "value" then the value).
    static func siblingValues(_ reply: String) -> [String] {
        let lines = reply.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        var values: [String] = []
        var i = 0
        while i + 2 < lines.count {
            if lines[i] == "value" { values.append(lines[i + 2]) }
            i += 1
        }
        return values
    }
}

extension String {
    fileprivate var trimmingSuffixNewline: String {
        var s = self
        while s.hasSuffix("\r\n") { s.removeLast() }
        return s
    }
}
