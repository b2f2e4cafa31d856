import Testing

@testable import HearsayCore

/// A state-based CRDT under test: a bottom element and a join.
protocol TestLattice: Equatable {
    init()
    mutating func merge(_ other: Self)
}

extension MultiValueRegister: TestLattice {}
extension ORSet: TestLattice {}
extension ORMap: TestLattice {}
extension PNCounter: TestLattice {}
extension StoredObject: TestLattice {}

/// What one simulated run produced: every replica's states along the way, every delta the
/// operations emitted (in emission order), and the replicas' final states.
struct SimulatedRun<State: TestLattice> {
    var snapshots: [State] = []
    var deltas: [State] = []
    var replicas: [State] = []

    /// The join of every replica: what all of them converge to once everything is delivered.
    var joinOfReplicas: State {
        var all = State()
        for replica in replicas { all.merge(replica) }
        return all
    }
}

/// Context an operation generator gets: which replica acts, the step's physical time, and a
/// timestamp from that replica's hybrid logical clock.
struct OperationSite {
    var replica: Int
    var node: NodeID
    var now: WallTime
    var timestamp: HybridTimestamp
}

enum Simulation {
    static let nodes: [NodeID] = [NodeID(0xA1), NodeID(0xB2), NodeID(0xC3)]
    static let start = WallTime(milliseconds: 1_700_000_000_000)

    /// Runs `steps` random steps over `nodes.count` replicas: an operation at a random replica
    /// (the generator returns the delta or nil), or a merge of one replica's whole state, or of
    /// a random earlier delta (duplicated, out of order), into another.
    static func run<State: TestLattice>(
        seed: UInt64, steps: Int,
        operation: (inout State, OperationSite, inout SeededGenerator) -> State?
    ) -> SimulatedRun<State> {
        var rng = SeededGenerator(seed: seed)
        var run = SimulatedRun<State>()
        run.replicas = Array(repeating: State(), count: nodes.count)
        var clocks = Array(repeating: HybridLogicalClock(maxSkewMilliseconds: 1_000), count: nodes.count)
        for step in 0..<steps {
            let replica = Int.random(in: 0..<nodes.count, using: &rng)
            let roll = Int.random(in: 0..<10, using: &rng)
            if roll < 6 {
                // Skewed and sometimes backwards physical time per node.
                let skew = Int64.random(in: -5...5, using: &rng)
                let now = start.adding(milliseconds: Int64(step) * 3 + skew)
                let site = OperationSite(
                    replica: replica, node: nodes[replica], now: now, timestamp: clocks[replica].now(physical: now))
                if let delta = operation(&run.replicas[replica], site, &rng) { run.deltas.append(delta) }
            } else if roll < 8 || run.deltas.isEmpty {
                let source = Int.random(in: 0..<nodes.count, using: &rng)
                run.replicas[replica].merge(run.replicas[source])
            } else {
                run.replicas[replica].merge(run.deltas[Int.random(in: 0..<run.deltas.count, using: &rng)])
            }
            run.snapshots.append(run.replicas[replica])
        }
        return run
    }

    /// Checks the join laws on `casesPerRun` random triples of states from each of `runs` runs,
    /// and that every order of delivering all deltas (with duplicates) converges to the join
    /// of the replicas. Returns how many law cases ran. Stops at the first failure.
    @discardableResult
    static func checkLaws<State: TestLattice>(
        _ name: String, seed: UInt64, runs: Int, steps: Int, casesPerRun: Int,
        operation: (inout State, OperationSite, inout SeededGenerator) -> State?
    ) -> Int {
        var cases = 0
        for r in 0..<runs {
            let runSeed = seed &+ UInt64(r)
            let run: SimulatedRun<State> = Simulation.run(seed: runSeed, steps: steps, operation: operation)
            var rng = SeededGenerator(seed: runSeed ^ 0x5EED)
            let pool = run.snapshots + run.deltas
            for _ in 0..<casesPerRun {
                let a = pool.randomElement(using: &rng)!
                let b = pool.randomElement(using: &rng)!
                let c = pool.randomElement(using: &rng)!
                cases += 1
                guard checkTriple(a, b, c, "\(name) seed=\(runSeed)") else { return cases }
            }
            guard checkConvergence(run, rng: &rng, "\(name) seed=\(runSeed)") else { return cases }
        }
        return cases
    }

    static func checkTriple<State: TestLattice>(_ a: State, _ b: State, _ c: State, _ label: String) -> Bool {
        var ab = a
        ab.merge(b)
        var ba = b
        ba.merge(a)
        var abC = ab
        abC.merge(c)
        var bc = b
        bc.merge(c)
        var aBC = a
        aBC.merge(bc)
        var aa = a
        aa.merge(a)
        var abB = ab
        abB.merge(b)
        let ok = ab == ba && abC == aBC && aa == a && abB == ab
        #expect(ab == ba, "commutativity, reproduce with \(label)")
        #expect(abC == aBC, "associativity, reproduce with \(label)")
        #expect(aa == a, "idempotence, reproduce with \(label)")
        #expect(abB == ab, "absorption (a+b)+b == a+b, reproduce with \(label)")
        return ok
    }

    static func checkConvergence<State: TestLattice>(
        _ run: SimulatedRun<State>, rng: inout SeededGenerator, _ label: String
    ) -> Bool {
        let expected = run.joinOfReplicas
        for _ in 0..<3 {
            var deliveries = run.deltas + run.deltas.prefix(run.deltas.count / 2)
            deliveries.shuffle(using: &rng)
            var replica = State()
            for delta in deliveries { replica.merge(delta) }
            guard replica == expected else {
                #expect(replica == expected, "deltas in another order diverged, reproduce with \(label)")
                return false
            }
        }
        return true
    }
}

/// A few short byte strings, so that random operations collide on values and elements.
func smallBytes(_ rng: inout SeededGenerator, choices: Int = 4) -> [UInt8] {
    let pick = Int.random(in: 0..<choices, using: &rng)
    return Array("v\(pick)".utf8)
}
