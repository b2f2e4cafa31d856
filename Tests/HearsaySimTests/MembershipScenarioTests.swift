import HearsayCore
import HearsaySim
import Testing

/// Every membership scenario over many seeds. The normal run uses a few dozen
/// seeds per scenario; HEARSAY_SIM_SEEDS=N runs N per scenario instead.
struct MembershipScenarioTests {
    static func seedCount(default fallback: Int) -> Int {
        guard let raw = environment("HEARSAY_SIM_SEEDS"), let n = Int(raw), n > 0 else { return fallback }
        return n
    }

    /// Runs `check` for seeds 1...N (HEARSAY_SIM_SEEDS, else `fallback`) and returns each
    /// failing seed with its failures, so it can be replayed (empty when every seed passed).
    static func failingSeeds(default fallback: Int, _ check: (UInt64) -> [String]) -> [String] {
        let count = seedCount(default: fallback)
        return (1...UInt64(count)).compactMap { seed in
            let failures = check(seed)
            return failures.isEmpty ? nil : "seed \(seed) (HEARSAY_SIM_SEEDS=\(count)): \(failures)"
        }
    }

    /// Seeds 1...count with node counts spread over `nodes` (small ones more often).
    static func cases(_ count: Int, nodes: ClosedRange<Int>) -> [(seed: UInt64, nodes: Int)] {
        (1...count).map { i in
            var rng = SeededGenerator(seed: UInt64(i) &* 0x9E37)
            let span = nodes.upperBound - nodes.lowerBound
            // Square a uniform draw so most runs are small and some are large.
            let u = Double.random(in: 0..<1, using: &rng)
            return (UInt64(i), nodes.lowerBound + Int(Double(span) * u * u))
        }
    }

    static func checkScenario(_ scenario: String, _ seeds: [(seed: UInt64, nodes: Int)]) {
        guard let found = SimulationScenario.named(scenario) else {
            Issue.record("no scenario \(scenario)")
            return
        }
        var failed = 0
        for (seed, nodes) in seeds {
            let result = found.run(seed: seed, nodes: nodes)
            if !result.passed {
                failed += 1
                Issue.record("\(result)")
            }
        }
        #expect(failed == 0, "\(failed) of \(seeds.count) seeds failed")
    }

    @Test func formThroughOneSeed_5to100Nodes_shouldReachIdenticalViews() {
        var seeds = Self.cases(Self.seedCount(default: 40), nodes: 5...60)
        seeds.append((seed: 1_000, nodes: 100))
        Self.checkScenario("membership-form", seeds)
    }

    @Test func crash_shouldBeMarkedDownByEveryLiveNode() {
        Self.checkScenario("membership-crash", Self.cases(Self.seedCount(default: 40), nodes: 3...40))
    }

    @Test func crashWithLossDuplicatesReordering_shouldBeMarkedDownWithoutFalseDowns() {
        Self.checkScenario("membership-crash-lossy", Self.cases(Self.seedCount(default: 25), nodes: 4...30))
    }

    @Test func pausedNodeComesBack_shouldRefuteAndStayAMemberAccusingNoOne() {
        Self.checkScenario("membership-pause", Self.cases(Self.seedCount(default: 40), nodes: 3...40))
    }

    @Test func twoWayPartitionHeals_shouldShowEveryoneAliveEverywhere() {
        Self.checkScenario("membership-partition", Self.cases(Self.seedCount(default: 30), nodes: 3...30))
    }

    @Test func oneWayCuts_shouldBeRoutedAroundByIndirectProbes() {
        Self.checkScenario("membership-one-way", Self.cases(Self.seedCount(default: 25), nodes: 3...30))
    }

    @Test func gracefulLeave_shouldBeLeftInEveryView() {
        Self.checkScenario("membership-leave", Self.cases(Self.seedCount(default: 40), nodes: 3...40))
    }

    @Test func restartOnNewAddress_shouldBeSameMemberWithHigherIncarnation() {
        Self.checkScenario("membership-restart", Self.cases(Self.seedCount(default: 40), nodes: 3...40))
    }

    @Test func sameSeed_shouldReplayIdentically() {
        let scenario = SimulationScenario.named("membership-crash-lossy")!
        let first = scenario.run(seed: 77, nodes: 12)
        let second = scenario.run(seed: 77, nodes: 12)
        #expect(first.summary == second.summary)
        #expect(first.passed == second.passed)
    }

    @Test func failingRun_shouldPrintReproduceLine() {
        let result = SimulationResult(
            scenario: "x", seed: 5, nodes: 3, passed: false, summary: "s", failures: ["f"],
            simulatedSeconds: 1)
        #expect(result.description.hasSuffix("reproduce with: hearsay sim --scenario x --seed 5 --nodes 3"))
    }
}
