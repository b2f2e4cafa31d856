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

    /// The checker is not vacuous: the runs must acknowledge deletes and purge tombstones.
    @Test func tombstoneRuns_deleteAndPurge() {
        var deletes = 0
        var purged = 0
        for seed: UInt64 in [5, 6, 7, 8] {
            let result = SimulationScenario.named("tombstone-purge")!.run(seed: seed, nodes: 4)
            #expect(result.passed, "\(result)")
            let parts = result.summary.split(separator: ",").map { $0.trimmingPrefixSpaces }
            deletes +=
                parts.first { $0.hasSuffix("DELs acknowledged") }.flatMap { Int($0.split(separator: " ")[0]) } ?? 0
            purged +=
                parts.first { $0.hasSuffix("in all") }.flatMap { Int($0.split(separator: " ").dropLast(2).last!) } ?? 0
        }
        #expect(deletes > 30 && purged > 15, "seeds 5-8: \(deletes) deletes, \(purged) purged")
    }
}

extension Substring {
    fileprivate var trimmingPrefixSpaces: Substring { drop { $0 == " " } }
}
