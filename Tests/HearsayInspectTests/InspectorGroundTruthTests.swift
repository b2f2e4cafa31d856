import Glibc
import HearsayCore
import HearsayInspect
import HearsaySim
import Testing

/// The inspector against a simulated cluster whose replicas the test can read directly: at many
/// points of a faulty run (a 3/2 partition with conflicting writes on both sides, a crash, the
/// healing, a restart) what the inspector reports (which partitions agree, how many keys
/// differ in each, which keys have siblings, the hints pending per owner) must equal what the
/// replicas hold. A few seeds in the normal run; HEARSAY_SIM_SEEDS=N runs N.
struct InspectorGroundTruthTests {
    static var seeds: [UInt64] {
        let count = getenv("HEARSAY_SIM_SEEDS").flatMap { Int(String(cString: $0)) } ?? 3
        return (1...UInt64(max(1, count))).map { $0 }
    }

    @Test func divergenceReportEqualsWhatReplicasHold_throughAPartitionACrashAndTheHealing() {
        for seed in Self.seeds {
            let run = GroundTruthRun(seed: seed)
            run.play()
            #expect(run.mismatches.count == 0, "seed \(seed): \(run.mismatches.prefix(5).joined(separator: "\n"))")
            #expect(run.checkpoints >= 40, "seed \(seed): only \(run.checkpoints) checkpoints")
            #expect(run.peakDivergentKeys > 0, "seed \(seed): the run never diverged, so nothing was checked")
            #expect(run.peakSiblingKeys > 0, "seed \(seed): no conflicting write ever showed as siblings")
            #expect(run.peakHints > 0, "seed \(seed): no hint was ever pending")
            #expect(run.convergedAtEnd, "seed \(seed): the inspector never reported convergence: \(run.lastVerdict)")
            // The HTML report of the run is one self-contained page: chart, matrix, heat map.
            let html = run.html
            #expect(
                html.contains("<polyline") && html.contains("<table")
                    && html.contains("aria-label=\"partition heat map\""))
            #expect(html.components(separatedBy: "<title>partition ").count - 1 == 32)
            for fetch in ["src=", "href=", "url(", "@import", "<script"] { #expect(!html.contains(fetch), "\(fetch)") }
            print(
                "InspectorGroundTruthTests: seed \(seed): \(run.checkpoints) checkpoints, peak \(run.peakDivergentKeys) "
                    + "divergent keys, \(run.peakSiblingKeys) sibling keys, \(run.peakHints) hints; converged \(run.convergedAtEnd)"
            )
            if !run.mismatches.isEmpty || !run.convergedAtEnd {
                print("InspectorGroundTruthTests: failing seed \(seed)")
            }
        }
    }
}

/// One faulty run, checked at every checkpoint.
final class GroundTruthRun {
    let cluster: HearsayCluster
    let inspector: Inspector
    let seed: UInt64
    private(set) var mismatches: [String] = []
    private(set) var checkpoints = 0
    private(set) var peakDivergentKeys = 0
    private(set) var peakSiblingKeys = 0
    private(set) var peakHints: Int64 = 0
    private(set) var convergedAtEnd = false
    private(set) var lastVerdict = ""
    private(set) var timeline = Timeline()
    private(set) var last: Snapshot?

    var html: String { last.map { HTMLReport.render($0, timeline) } ?? "" }

    init(seed: UInt64) {
        self.seed = seed
        cluster = HearsayCluster(seed: seed, nodes: 5, partitionCount: 32)
        inspector = Inspector(connector: SimConnector(cluster: cluster), seeds: [HearsayCluster.address(0)])
    }

    func run(seconds: Double, checkEvery step: Double) {
        var left = seconds
        while left > 0 {
            cluster.sim.run(forNanoseconds: Int64(min(step, left) * 1e9))
            left -= step
            check()
        }
    }

    func play() {
        if let problem = cluster.runUntilAgreement(timeoutNanoseconds: 60_000_000_000) {
            mismatches.append("the cluster never formed: \(problem)")
            return
        }
        for node in [0, 3] { _ = cluster.request(node, ["HS.CONSISTENCY", "ONE"]) }
        for i in 0..<60 { _ = cluster.request(i % 5, ["SET", "k:\(i)", "v\(i)"]) }
        _ = cluster.request(0, ["SADD", "s:0", "base"])
        // One key read far more than the rest makes its partition hot.
        for _ in 0..<300 { _ = cluster.request(0, ["GET", "hot:key"]) }
        run(seconds: 3, checkEvery: 0.5)
        if let snapshot = check(), let node = cluster.sim.node(0)?.node {
            let hot = node.keyspace.partition(ofHash: StableHash.hash(Array("hot:key".utf8)))
            if snapshot.hotPartitions != [hot] {
                mismatches.append("hot partitions reported \(snapshot.hotPartitions), expected [\(hot)]")
            }
        }

        // Majority {0, 1, 2} and minority {3, 4} both take writes to the same keys.
        cluster.sim.partition([[0, 1, 2], [3, 4]])
        run(seconds: 3, checkEvery: 0.5)
        for i in 0..<20 {
            _ = cluster.request(0, ["SET", "k:\(i)", "A\(i)"])
            _ = cluster.request(3, ["SET", "k:\(i)", "B\(i)"])
            _ = cluster.request(0, ["INCRBY", "c:\(i % 4)", "2"])
            _ = cluster.request(3, ["INCRBY", "c:\(i % 4)", "3"])
        }
        _ = cluster.request(0, ["SADD", "s:0", "a"])
        _ = cluster.request(3, ["SADD", "s:0", "b"])
        run(seconds: 4, checkEvery: 0.5)

        // A majority node crashes; the others keep writing.
        cluster.crash(2)
        run(seconds: 3, checkEvery: 0.5)
        for i in 20..<40 { _ = cluster.request(1, ["SET", "k:\(i)", "after-crash\(i)"]) }
        run(seconds: 2, checkEvery: 0.5)

        cluster.sim.heal()
        run(seconds: 3, checkEvery: 0.5)
        cluster.restart(2)
        var waited = 0.0
        while waited < 120 {
            cluster.sim.run(forNanoseconds: 500_000_000)
            waited += 0.5
            if let snapshot = check(), snapshot.converged {
                convergedAtEnd = true
                break
            }
        }
        run(seconds: 2, checkEvery: 1)
    }

    /// Samples the inspector and the replicas at the same virtual instant and records every
    /// difference between the two.
    @discardableResult
    func check() -> Snapshot? {
        let snapshot = inspector.sample(now: Double(cluster.sim.now) / 1e9)
        let truth = SimGroundTruth(cluster)
        checkpoints += 1
        lastVerdict = snapshot.verdict
        timeline.record(snapshot)
        last = snapshot
        let at = "t=\(Double(cluster.sim.now) / 1e9)s"
        guard snapshot.partitions.count == truth.agree.count else {
            mismatches.append("\(at): \(snapshot.partitions.count) partitions reported, \(truth.agree.count) held")
            return snapshot
        }
        var divergent = 0
        for p in snapshot.partitions {
            let expected = truth.agree[p.partition]
            if p.agree != expected {
                mismatches.append(
                    "\(at) partition \(p.partition): reported agree=\(String(describing: p.agree)), replicas "
                        + "\(String(describing: expected)) (differing keys \(truth.divergent[p.partition].sorted()))")
            } else if expected == false && p.divergentKeys != truth.divergent[p.partition].count {
                mismatches.append(
                    "\(at) partition \(p.partition): reported \(String(describing: p.divergentKeys)) divergent keys, "
                        + "replicas differ on \(truth.divergent[p.partition].sorted())")
            }
            divergent += truth.divergent[p.partition].count
        }
        if snapshot.divergentKeys != divergent {
            mismatches.append("\(at): reported \(snapshot.divergentKeys) divergent keys in all, replicas \(divergent)")
        }
        let reportedSiblings = Set(snapshot.siblingKeys.map(\.key))
        if reportedSiblings != truth.siblingKeys || snapshot.keysWithSiblings != truth.siblingKeys.count {
            mismatches.append(
                "\(at): siblings reported \(reportedSiblings.sorted()), held \(truth.siblingKeys.sorted())")
        }
        if snapshot.hintsPendingByOwner != truth.hintsByOwner {
            mismatches.append("\(at): hints reported \(snapshot.hintsPendingByOwner), held \(truth.hintsByOwner)")
        }
        peakDivergentKeys = max(peakDivergentKeys, divergent)
        peakSiblingKeys = max(peakSiblingKeys, truth.siblingKeys.count)
        peakHints = max(peakHints, truth.hintsByOwner.values.reduce(0, +))
        return snapshot
    }
}
