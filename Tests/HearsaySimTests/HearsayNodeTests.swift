import HearsayCore
import HearsaySim
import Testing

/// The full-node adapter and its cluster harness, driven directly.
struct HearsayNodeTests {
    static let second: Int64 = 1_000_000_000

    /// Everything observable about a run: every membership change with its time and
    /// observer, the network statistics, and the final HS.MEMBERS and HS.RING replies.
    static func trace(seed: UInt64) -> [String] {
        var network = NetworkModel.lossy(0.05)
        network.duplicateProbability = 0.02
        network.reorderProbability = 0.1
        let cluster = HearsayCluster(seed: seed, nodes: 7, network: network)
        let box = TraceBox()
        let previous = cluster.sim.onObservation
        cluster.sim.onObservation = { time, observer, observation in
            if case .changed(let change) = observation { box.lines.append("\(time) \(observer) \(change)") }
            previous?(time, observer, observation)
        }
        cluster.sim.run(forNanoseconds: 20 * second)
        cluster.crash(2)
        cluster.sim.pause(4, forNanoseconds: 4 * second)
        cluster.sim.partition([[0, 1], [3, 5, 6]])
        cluster.sim.run(forNanoseconds: 20 * second)
        cluster.sim.heal()
        cluster.restart(2)
        cluster.sim.run(forNanoseconds: 40 * second)
        let stats = cluster.sim.statistics
        box.lines.append(
            "sent \(stats.messagesSent) lost \(stats.messagesLost) dup \(stats.messagesDuplicated) "
                + "blocked \(stats.messagesBlocked) resets \(stats.streamResets) events \(stats.eventsProcessed)")
        for index in cluster.liveNodes {
            box.lines.append(cluster.command(index, "HS.MEMBERS") ?? "none")
            box.lines.append(cluster.command(index, "HS.RING") ?? "none")
        }
        return box.lines
    }

    final class TraceBox {
        var lines: [String] = []
    }

    @Test func sameSeed_fullNodes_shouldProduceTheSameTrace() {
        let first = Self.trace(seed: 91)
        let second = Self.trace(seed: 91)
        #expect(first.count > 50)
        #expect(first == second)
        #expect(Self.trace(seed: 92) != first)
    }

    @Test func commands_onAnyNode_shouldRunAgainstThatNodesExecute() {
        let cluster = HearsayCluster(seed: 5, nodes: 4)
        #expect(cluster.runUntilAgreement(timeoutNanoseconds: 60 * Self.second) == nil)
        #expect(cluster.request(1, ["SET", "greeting", "hello"]) == "+OK\r\n")
        #expect(cluster.request(1, ["GET", "greeting"]) == "$5\r\nhello\r\n")
        // Replicated: every node answers, whichever replicas coordinate the key.
        #expect(cluster.request(2, ["GET", "greeting"]) == "$5\r\nhello\r\n")
        let members = cluster.command(3, "HS.MEMBERS") ?? ""
        #expect(members.hasPrefix("*4\r\n"))
        for id in cluster.ids { #expect(members.contains(id.description)) }
        #expect(cluster.command(0, "HS.RING") == cluster.command(3, "HS.RING"))
        cluster.crash(2)
        #expect(cluster.command(2, "PING") == nil)
    }

    @Test func placement_afterAgreement_shouldBeIdenticalOnEveryNode() {
        let cluster = HearsayCluster(seed: 8, nodes: 6)
        #expect(cluster.runUntilAgreement(timeoutNanoseconds: 60 * Self.second) == nil)
        let placements = cluster.liveNodes.compactMap { cluster.sim.node($0)?.placement }
        #expect(placements.count == 6)
        #expect(Set(placements.map(\.members)).count == 1)
        #expect(placements.allSatisfy { $0 == placements[0] })
    }

    @Test func forget_throughCommand_shouldRemoveTheMemberFromThatNodesPlacement() {
        let cluster = HearsayCluster(seed: 12, nodes: 4)
        #expect(cluster.runUntilAgreement(timeoutNanoseconds: 60 * Self.second) == nil)
        cluster.crash(3)
        #expect(cluster.runUntilAgreement(timeoutNanoseconds: 120 * Self.second) == nil)
        #expect(cluster.command(0, "HS.FORGET", cluster.ids[3].description) == "+OK\r\n")
        #expect(cluster.sim.node(0)?.placement?.members.contains(cluster.ids[3]) == false)
        #expect(cluster.sim.node(1)?.placement?.members.contains(cluster.ids[3]) == true)
    }
}
