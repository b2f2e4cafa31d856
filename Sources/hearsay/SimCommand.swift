import ArgumentParser
import Glibc
import HearsaySim

/// `hearsay sim`: runs simulator scenarios. A run is a pure function of
/// (scenario, seed, nodes); a failing run prints the command that replays it.
struct SimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim", abstract: "Run deterministic simulation scenarios (see --list).")

    @Option(help: "Scenario to run (see --list).") var scenario: String?
    @Flag(help: "List the scenarios and exit.") var list = false
    @Option(help: "First seed.") var seed: UInt64 = 1
    @Option(help: "Node count (default: the scenario's; cluster-random-faults lets the seed pick).")
    var nodes: Int?
    @Option(help: "Run this many consecutive seeds, starting at --seed.") var seeds = 1
    @Flag(help: "Print the membership measurement tables (sizes: --nodes, or 10, 100 and 1000).")
    var measure = false
    @Flag(help: "Print every run's full result, not only failures.") var verbose = false

    func run() throws {
        if let key = getenv("HEARSAY_SIM_TRACE_KEY") { ReplicationScenarios.traceKey = String(cString: key) }
        if list {
            for s in SimulationScenario.all {
                let padded = s.name + String(repeating: " ", count: max(1, 24 - s.name.count))
                print("\(padded)\(s.nodeRange) nodes, default \(s.defaultNodes): \(s.summary)")
            }
            return
        }
        if measure {
            print(MembershipMeasurements.report(sizes: nodes.map { [$0] } ?? [10, 100, 1000]))
            if scenario == nil { return }
        }
        guard let name = scenario else { throw ValidationError("give --scenario NAME, --list or --measure") }
        guard let found = SimulationScenario.named(name) else {
            throw ValidationError("no scenario \(name); --list shows them")
        }
        guard seeds >= 1 else { throw ValidationError("--seeds must be at least 1") }
        var passed = 0
        var failed = 0
        var simulatedSeconds = 0.0
        let started = monotonicSeconds()
        for offset in 0..<UInt64(seeds) {
            let runSeed = seed &+ offset
            let runStarted = monotonicSeconds()
            let result = found.run(seed: runSeed, nodes: nodes)
            let wall = monotonicSeconds() - runStarted
            simulatedSeconds += result.simulatedSeconds
            if result.passed { passed += 1 } else { failed += 1 }
            let speed = wall > 0 ? Int(result.simulatedSeconds / wall) : 0
            if result.passed && !verbose {
                print(
                    "PASS \(name) seed=\(runSeed) nodes=\(result.nodes) "
                        + "(\(Int(result.simulatedSeconds)) s simulated, \(speed)x)")
            } else {
                print("\(result)")
            }
        }
        let wall = monotonicSeconds() - started
        let speed = wall > 0 ? Int(simulatedSeconds / wall) : 0
        print(
            "\(passed) passed, \(failed) failed (\(Int(simulatedSeconds)) simulated s "
                + "in \(Int(wall * 10) / 10).\(Int(wall * 10) % 10) wall s, \(speed) simulated s per wall s)")
        if failed > 0 { throw ExitCode(1) }
    }

    func monotonicSeconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}
