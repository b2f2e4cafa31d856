/// The deterministic simulator. Start at `Simulator` (the engine, generic over
/// `SimulatedNode`), `MembershipCluster` (a cluster of membership nodes with
/// ground truth and a checker), and `SimulationScenario.all` (what
/// `hearsay sim --scenario NAME --seed N --nodes M` runs).
public enum HearsaySimulation {
    /// The scenario names `hearsay sim` accepts, in a fixed order.
    public static var scenarioNames: [String] { SimulationScenario.all.map(\.name) }
}
