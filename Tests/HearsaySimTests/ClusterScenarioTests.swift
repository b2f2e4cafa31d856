import HearsayCore
import HearsaySim
import Testing

/// The full-node cluster scenarios over many seeds. The normal run keeps them to a
/// few dozen seconds in debug; HEARSAY_SIM_SEEDS=N runs N seeds per scenario.
struct ClusterScenarioTests {
    static func cases(_ fallback: Int, nodes: ClosedRange<Int>) -> [(seed: UInt64, nodes: Int)] {
        MembershipScenarioTests.cases(MembershipScenarioTests.seedCount(default: fallback), nodes: nodes)
    }

    @Test func formThroughOneSeed_shouldAgreeOnViewsPlacementAndServeLocalCommands() {
        var seeds = Self.cases(12, nodes: 1...30)
        seeds.append((seed: 500, nodes: 60))
        MembershipScenarioTests.checkScenario("cluster-form", seeds)
    }

    @Test func crash_shouldBeMarkedDownEverywhereAndKeepItsPartitions() {
        MembershipScenarioTests.checkScenario("cluster-crash", Self.cases(10, nodes: 2...20))
    }

    @Test func pause_shouldRefuteAndStayAMember() {
        MembershipScenarioTests.checkScenario("cluster-pause", Self.cases(10, nodes: 2...20))
    }

    @Test func healedPartition_shouldShowEveryoneAliveAndOnePlacement() {
        MembershipScenarioTests.checkScenario("cluster-partition", Self.cases(8, nodes: 2...20))
    }

    @Test func gracefulLeave_shouldBeLeftEverywhereAndOutOfEveryPlacement() {
        MembershipScenarioTests.checkScenario("cluster-leave", Self.cases(10, nodes: 2...20))
    }

    @Test func restart_shouldComeBackEmptyWithNewWriterAndHigherIncarnation() {
        MembershipScenarioTests.checkScenario("cluster-restart", Self.cases(10, nodes: 2...20))
    }

    /// VOPR style: the seed picks the node count too.
    @Test func randomFaults_shouldConvergeOnceFaultsStop() {
        let count = MembershipScenarioTests.seedCount(default: 14)
        guard let scenario = SimulationScenario.named("cluster-random-faults") else {
            Issue.record("no cluster-random-faults")
            return
        }
        var failed = 0
        for seed in 1...UInt64(count) {
            let result = scenario.run(seed: seed)
            if !result.passed {
                failed += 1
                Issue.record("\(result)")
            }
        }
        #expect(failed == 0, "\(failed) of \(count) seeds failed")
    }

    @Test func randomFaults_pickedNodeCount_shouldReplayWithTheReproduceLine() {
        let scenario = SimulationScenario.named("cluster-random-faults")!
        let picked = scenario.run(seed: 4)
        let replayed = scenario.run(seed: 4, nodes: picked.nodes)
        #expect(picked.nodes == scenario.nodeCount(seed: 4, nodes: nil))
        #expect(picked.summary == replayed.summary)
        #expect(picked.passed == replayed.passed)
    }

    @Test func brokenChecker_shouldFailTheRunAndPrintTheReproduceLine() {
        let broken = ClusterScenarios.scenarios { cluster in
            cluster.liveNodes.count > 2 ? "deliberately broken: \(cluster.liveNodes.count) live nodes" : nil
        }
        let form = broken.first { $0.name == "cluster-form" }!
        let result = form.run(seed: 3, nodes: 4)
        #expect(!result.passed)
        #expect(result.failures.contains { $0.contains("deliberately broken: 4 live nodes") })
        #expect(result.description.hasSuffix("reproduce with: hearsay sim --scenario cluster-form --seed 3 --nodes 4"))
        // The same broken check passes where its condition does not hold.
        #expect(form.run(seed: 3, nodes: 2).passed)
    }
}
