import HearsayCore
import HearsaySim
import Testing

/// A node that sends numbered messages to one peer and records what arrives.
struct CountingNode: SimulatedNode {
    struct Message {
        var number: Int
        var stream: Bool
    }

    typealias Timer = Int
    typealias Observation = Int

    let peer: String?
    let count: Int
    let stream: Bool

    mutating func start(now: Now, actions: inout SimulatedActions<CountingNode>) {
        guard let peer else { return }
        for number in 0..<count { actions.send(Message(number: number, stream: stream), to: peer) }
    }

    mutating func receive(_ message: Message, now: Now, actions: inout SimulatedActions<CountingNode>) {
        actions.observe(message.number)
    }

    mutating func timerFired(_ timer: Int, now: Now, actions: inout SimulatedActions<CountingNode>) {}

    static func travelsOnStream(_ message: Message) -> Bool { message.stream }
}

struct SimulatorChannelTests {
    static func arrivals(stream: Bool, pauseReceiver: Bool = false) -> [Int] {
        var network = NetworkModel(
            latency: .uniform(minimumNanoseconds: 1_000, maximumNanoseconds: 50_000_000),
            lossProbability: 0.3, duplicateProbability: 0.2, reorderProbability: 0.5)
        network.reorderDelayMaximumNanoseconds = 100_000_000
        let sim = Simulator<CountingNode>(seed: 3, network: network) { spec in
            CountingNode(peer: spec.index == 0 ? "b" : nil, count: 200, stream: stream)
        }
        var seen: [Int] = []
        sim.onObservation = { _, _, number in seen.append(number) }
        sim.addNode(id: NodeID(2), address: "b")
        if pauseReceiver { sim.pause(0, forNanoseconds: 30_000_000) }
        sim.addNode(id: NodeID(1), address: "a", afterNanoseconds: 1)
        if pauseReceiver { sim.pause(1, forNanoseconds: 30_000_000) }
        sim.run(forNanoseconds: 1_000_000_000)
        return seen
    }

    @Test func stream_overLossyReorderingNetwork_shouldArriveCompleteAndInOrder() {
        #expect(Self.arrivals(stream: true) == Array(0..<200))
    }

    @Test func stream_toPausedReceiver_shouldStillArriveInOrder() {
        #expect(Self.arrivals(stream: true, pauseReceiver: true) == Array(0..<200))
    }

    @Test func datagrams_overTheSameNetwork_shouldBeLostDuplicatedAndReordered() {
        let seen = Self.arrivals(stream: false)
        #expect(Set(seen).count < 200)
        #expect(seen.count > Set(seen).count)
        #expect(seen != seen.sorted())
    }

    /// A scenario's action on a paused node (a client request) runs when the pause ends,
    /// after what reached the node before it; a checker's look runs at once.
    @Test func injectOnAPausedNode_shouldRunAfterWhatArrivedEarlier() {
        let network = NetworkModel(latency: .uniform(minimumNanoseconds: 1_000, maximumNanoseconds: 2_000))
        let sim = Simulator<CountingNode>(seed: 1, network: network) { spec in
            CountingNode(peer: spec.index == 1 ? "b" : nil, count: 5, stream: true)
        }
        var seen: [Int] = []
        sim.onObservation = { _, _, number in seen.append(number) }
        sim.addNode(id: NodeID(2), address: "b")
        sim.run(forNanoseconds: 1_000)
        sim.pause(0, forNanoseconds: 100_000_000)
        sim.addNode(id: NodeID(1), address: "a")
        sim.run(forNanoseconds: 50_000_000)
        #expect(seen.isEmpty)
        #expect(sim.inject(0) { _, _, actions in actions.observe(-1) })
        sim.actNow(0) { _, _, actions in actions.observe(-2) }
        sim.run(forNanoseconds: 100_000_000)
        #expect(seen == [-2, 0, 1, 2, 3, 4, -1])
        #expect(sim.statistics.injectionsHeldBack == 1)
    }
}
