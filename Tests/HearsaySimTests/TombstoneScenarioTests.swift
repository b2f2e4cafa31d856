import HearsayCore
import HearsaySim
import Testing

/// Tombstone purging under faults (see TombstoneScenarios): purged everywhere, replicas
/// identical, nothing deleted comes back, no acknowledged write lost. HEARSAY_SIM_SEEDS=N
/// runs N seeds.
struct TombstoneScenarioTests {
    @Test func deletesUnderFaults_arePurgedEverywhere_andNothingDeletedComesBack() {
        MembershipScenarioTests.checkScenario("tombstone-purge", ClusterScenarioTests.cases(10, nodes: 3...7))
    }

    /// The checker is not vacuous: the run must acknowledge deletes and purge tombstones.
    @Test func tombstoneRun_deletesAndPurges() {
        let result = SimulationScenario.named("tombstone-purge")!.run(seed: 5, nodes: 4)
        #expect(result.passed, "\(result)")
        let parts = result.summary.split(separator: ",").map { $0.trimmingPrefixSpaces }
        let deletes = parts.first { $0.hasSuffix("DELs acknowledged") }.flatMap { Int($0.split(separator: " ")[0]) }
        let purged = parts.first { $0.hasSuffix("in all") }.flatMap { Int($0.split(separator: " ").dropLast(2).last!) }
        #expect((deletes ?? 0) > 10 && (purged ?? 0) > 10, "seed=5: \(result.summary)")
    }
}

extension Substring {
    fileprivate var trimmingPrefixSpaces: Substring { drop { $0 == " " } }
}
