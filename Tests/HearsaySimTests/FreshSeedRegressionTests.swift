import HearsayCore
import Testing

@testable import HearsaySim

/// Seeds that failed on fresh ranges, each replayed (see README, "The simulator"): a client
/// request that overtook a paused node's backlog (replication-faults), acknowledged
/// increments whose last copies were a crashed owner and a hint dropped at its bound
/// (tombstone-purge), a leave heard only by a node that crashed (cluster-random-faults), a
/// cluster restarted while partitioned that split into two groups (replication-crashes 280),
/// acknowledged writes that a write which had failed replaced later (the 2,0xx,xxx
/// replication-faults seeds) or had replaced before the acknowledgement reached the client
/// (6,039,608: no copy showed the value when it was acknowledged), and two nodes restarted while cut off that joined each other
/// and acknowledged writes as a cluster of two (the 2,03x,xxx replication-crashes seeds), and
/// a hint replayed to an owner that acknowledged it and crashed holding it, whose
/// acknowledgement reached the stand-in after the checker's look at the crash (7,201,757: a
/// checker error), an eviction marker and its value passed round three owners for ever
/// (eviction-faults 78 and 86 at 3 nodes), and a 3-node run whose partitions failed every
/// filler write so nothing was evicted (eviction-faults 256).
struct FreshSeedRegressionTests {
    static let seeds: [(scenario: String, seeds: [UInt64], nodes: Int?)] = [
        (
            "replication-faults",
            [
                100320, 100878, 100938, 101250, 102152, 102541, 104690, 107364, 108185, 108944, 109528,
                2_038_319, 2_044_682, 2_048_513, 2_097_885, 6_039_608,
            ], nil
        ),
        ("tombstone-purge", [300038, 300152, 300464, 300704, 300962, 301054, 301348, 301589, 301950], nil),
        ("cluster-random-faults", [201999], 4),
        ("replication-crashes", [280, 2_030_731, 2_031_337, 2_031_393, 7_201_757], nil),
        ("eviction-faults", [78, 86, 256], 3),
    ]

    @Test(arguments: seeds.map(\.scenario))
    func seedsThatOnceFailed_shouldPass(_ scenario: String) {
        let entry = Self.seeds.first { $0.scenario == scenario }!
        MembershipScenarioTests.checkScenario(
            scenario,
            entry.seeds.map { (seed: $0, nodes: entry.nodes ?? SimulationScenario.named(scenario)!.defaultNodes) })
    }

    @Test func crashHeavyReplication_shouldSurviveHoldAQuorumStayDeletedAndCount() {
        MembershipScenarioTests.checkScenario("replication-crashes", ClusterScenarioTests.cases(12, nodes: 3...7))
    }
}

/// The copy tracker excuses only what the README documents (every holder crashed, dropped
/// hints at their bound, or handed its hint to an owner that crashed holding the copy):
/// copies that vanish any other way fail the run.
struct CopyTrackerTests {
    static func acknowledged(_ op: ReplicationScenarios.Op, seed: UInt64)
        -> (ClusterScenarios.Run, ReplicationScenarios.History)
    {
        var run = ClusterScenarios.Run("copy-tracker", seed: seed, nodes: 3, extraCheck: nil)
        let formed = run.form()
        #expect(formed)
        var history = ReplicationScenarios.History()
        ReplicationScenarios.perform(op, index: 1, via: 0, cluster: run.cluster, history: &history, run: &run)
        run.sim.run(forNanoseconds: 1_000_000_000)
        ReplicationScenarios.trackCopies(&history, cluster: run.cluster)
        return (run, history)
    }

    @Test func valueErasedWithoutACrash_shouldFailTheRun() {
        var (run, history) = Self.acknowledged(.set("key:1", "v1"), seed: 3)
        // A bug that drops data (here FLUSHALL on every node) is no crash and no hint bound.
        for node in 0..<3 { run.cluster.command(node, ["FLUSHALL"]) }
        ReplicationScenarios.trackCopies(&history, cluster: run.cluster)
        ReplicationScenarios.check(history, cluster: run.cluster, run: &run)
        #expect(run.failures.contains { $0.contains("acknowledged v1 lost") }, "\(run.failures)")
    }

    @Test func incrementErasedWithoutACrash_shouldFailTheRun() {
        var (run, history) = Self.acknowledged(.incr("counter:1"), seed: 4)
        for node in 0..<3 { run.cluster.command(node, ["FLUSHALL"]) }
        ReplicationScenarios.trackCopies(&history, cluster: run.cluster)
        ReplicationScenarios.check(history, cluster: run.cluster, run: &run)
        #expect(run.failures.contains { $0.contains("counter:1: reads 0, acknowledged 1 (0 lost") }, "\(run.failures)")
    }

    @Test func everyHolderCrashed_shouldBeExcused() {
        var (run, history) = Self.acknowledged(.incr("counter:1"), seed: 5)
        for node in 0..<3 { ReplicationScenarios.noteCrash(node, cluster: run.cluster, nodes: 3, history: &history) }
        #expect(history.lostIncrements["counter:1"]?.count == 1)
        #expect(history.ackedIncrements["counter:1"]?.count == 1)
    }
}
