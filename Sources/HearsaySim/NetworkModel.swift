import HearsayCore

/// How the simulated network treats each message: one latency draw, then loss,
/// duplication and reordering, all from the simulator's seeded generator.
public struct NetworkModel: Sendable {
    /// One-way delay of a message.
    public enum Latency: Sendable {
        case constant(nanoseconds: Int64)
        /// Uniform in minimum...maximum.
        case uniform(minimumNanoseconds: Int64, maximumNanoseconds: Int64)
        /// Uniform in minimum...maximum, except that with `tailProbability` the delay
        /// is uniform in maximum...tailMaximum (a slow path, a retransmission).
        case longTail(
            minimumNanoseconds: Int64, maximumNanoseconds: Int64,
            tailProbability: Double, tailMaximumNanoseconds: Int64)
    }

    public var latency: Latency
    /// Probability that a message is lost. 0...1.
    public var lossProbability: Double
    /// Probability that a delivered message arrives twice. 0...1.
    public var duplicateProbability: Double
    /// Probability that a message is held back by up to `reorderDelayMaximumNanoseconds`
    /// extra, so later messages overtake it. 0...1.
    public var reorderProbability: Double
    public var reorderDelayMaximumNanoseconds: Int64

    public init(
        latency: Latency, lossProbability: Double = 0, duplicateProbability: Double = 0,
        reorderProbability: Double = 0, reorderDelayMaximumNanoseconds: Int64 = 20_000_000
    ) {
        self.latency = latency
        self.lossProbability = lossProbability
        self.duplicateProbability = duplicateProbability
        self.reorderProbability = reorderProbability
        self.reorderDelayMaximumNanoseconds = reorderDelayMaximumNanoseconds
    }

    /// A data-centre LAN: 0.1 to 1 ms, 1% of messages up to 20 ms, nothing lost.
    public static let lan = NetworkModel(
        latency: .longTail(
            minimumNanoseconds: 100_000, maximumNanoseconds: 1_000_000,
            tailProbability: 0.01, tailMaximumNanoseconds: 20_000_000))

    /// The LAN with `loss` of messages lost.
    public static func lossy(_ loss: Double) -> NetworkModel {
        var model = NetworkModel.lan
        model.lossProbability = loss
        return model
    }

    func drawLatency(using rng: inout SeededGenerator) -> Int64 {
        switch latency {
        case .constant(let nanoseconds):
            return nanoseconds
        case .uniform(let minimum, let maximum):
            return Int64.random(in: minimum...max(minimum, maximum), using: &rng)
        case .longTail(let minimum, let maximum, let tailProbability, let tailMaximum):
            if Double.random(in: 0..<1, using: &rng) < tailProbability {
                return Int64.random(in: maximum...max(maximum, tailMaximum), using: &rng)
            }
            return Int64.random(in: minimum...max(minimum, maximum), using: &rng)
        }
    }
}
