import HearsayCore
import HearsaySim
import Testing

/// Replication under loss, a partition, a pause and a crash, judged against what the client
/// was told (see ReplicationScenarios). A few dozen seeds in the normal run;
/// HEARSAY_SIM_SEEDS=N runs N.
struct ReplicationScenarioTests {
    @Test func quorumWritesUnderFaults_shouldSurviveHoldAQuorumStayDeletedAndCount() {
        MembershipScenarioTests.checkScenario(
            "replication-faults", ClusterScenarioTests.cases(24, nodes: 3...7))
    }

    /// The checker is not vacuous: a run whose workload acknowledged nothing would pass
    /// trivially, so the summary must report acknowledged writes.
    @Test func replicationRun_acknowledgesWrites() {
        guard let scenario = SimulationScenario.named("replication-faults") else {
            Issue.record("replication-faults is not registered")
            return
        }
        let result = scenario.run(seed: 11, nodes: 5)
        #expect(result.passed, "\(result)")
        let acknowledged = result.summary.split(separator: ",").first { $0.contains("writes acknowledged") }
        let count = acknowledged.flatMap { Int($0.split(separator: " ").first ?? "") } ?? 0
        #expect(count > 20, "too few acknowledged writes to judge anything: \(result.summary)")
    }
}

/// Anti-entropy alone (hints off, no reads) makes every partition's owners identical after a
/// partition heals, within the scenario's stated bound.
struct AntiEntropyScenarioTests {
    @Test func merkleExchangesAlone_shouldMakeOwnersIdenticalAfterAHeal() {
        MembershipScenarioTests.checkScenario(
            "anti-entropy-converges", ClusterScenarioTests.cases(8, nodes: 3...6))
    }
}
