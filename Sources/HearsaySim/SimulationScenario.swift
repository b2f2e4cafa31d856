/// A named, runnable simulation: `hearsay sim --scenario NAME --seed N --nodes M`
/// looks it up in `SimulationScenario.all` and calls `run(seed:nodes:)`.
public struct SimulationScenario: Sendable {
    public let name: String
    /// One line on what the scenario does and what it checks.
    public let summary: String
    /// Node counts the scenario accepts; `run` clamps into this range.
    public let nodeRange: ClosedRange<Int>
    public let defaultNodes: Int
    let body: @Sendable (_ seed: UInt64, _ nodes: Int) -> SimulationResult
    /// When set, a run without a node count lets the seed pick it (VOPR style). The
    /// pick uses its own generator, so `--nodes` with the picked count replays the run.
    let pickNodes: (@Sendable (_ seed: UInt64) -> Int)?

    public init(
        name: String, summary: String, nodeRange: ClosedRange<Int>, defaultNodes: Int,
        pickNodes: (@Sendable (_ seed: UInt64) -> Int)? = nil,
        body: @escaping @Sendable (_ seed: UInt64, _ nodes: Int) -> SimulationResult
    ) {
        precondition(nodeRange.contains(defaultNodes), "default \(defaultNodes) outside \(nodeRange)")
        self.name = name
        self.summary = summary
        self.nodeRange = nodeRange
        self.defaultNodes = defaultNodes
        self.pickNodes = pickNodes
        self.body = body
    }

    /// The node count a run with `nodes` (nil: the scenario's choice) uses.
    public func nodeCount(seed: UInt64, nodes: Int?) -> Int {
        let wanted = nodes ?? pickNodes?(seed) ?? defaultNodes
        return min(max(wanted, nodeRange.lowerBound), nodeRange.upperBound)
    }

    /// Runs the scenario; the same seed and node count always give the same run.
    public func run(seed: UInt64, nodes: Int? = nil) -> SimulationResult {
        body(seed, nodeCount(seed: seed, nodes: nodes))
    }

    /// Every registered scenario, in a fixed order.
    public static let all: [SimulationScenario] =
        MembershipScenarios.all + ClusterScenarios.all + ReplicationScenarios.all + ReplicationCrashScenarios.all
        + AntiEntropyScenarios.all + TombstoneScenarios.all + EvictionScenarios.all

    public static func named(_ name: String) -> SimulationScenario? { all.first { $0.name == name } }
}

/// The outcome of one run. `description` ends with the line that replays it.
public struct SimulationResult: Sendable, CustomStringConvertible {
    public let scenario: String
    public let seed: UInt64
    public let nodes: Int
    public let passed: Bool
    /// What happened, in a few lines (timings, message counts).
    public let summary: String
    /// Every checker complaint, empty when `passed`.
    public let failures: [String]
    /// Virtual time the run covered. Seconds.
    public let simulatedSeconds: Double

    public init(
        scenario: String, seed: UInt64, nodes: Int, passed: Bool, summary: String, failures: [String],
        simulatedSeconds: Double
    ) {
        self.scenario = scenario
        self.seed = seed
        self.nodes = nodes
        self.passed = passed
        self.summary = summary
        self.failures = failures
        self.simulatedSeconds = simulatedSeconds
    }

    public var reproduceCommand: String { "hearsay sim --scenario \(scenario) --seed \(seed) --nodes \(nodes)" }

    public var description: String {
        var lines = ["\(passed ? "PASS" : "FAIL") \(scenario) seed=\(seed) nodes=\(nodes): \(summary)"]
        for failure in failures.prefix(20) { lines.append("  - \(failure)") }
        if failures.count > 20 { lines.append("  - ... \(failures.count - 20) more") }
        if !passed { lines.append("reproduce with: \(reproduceCommand)") }
        return lines.joined(separator: "\n")
    }
}
