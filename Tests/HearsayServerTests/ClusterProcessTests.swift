import Foundation
import Glibc
import HearsayCore
import Testing

/// Real `hearsay server` processes on loopback, talking UDP and TCP to each other.
/// Serialized: each test runs several processes, and two at once on two cores would
/// measure the machine rather than the protocol.
@Suite(.serialized)
struct ClusterProcessTests {
    /// The fast preset the tests run with (`--membership local`).
    static let settings = MembershipSettings.local

    /// Worst-case time for every survivor to mark one crashed member down, with n members
    /// before the crash and the membership settings above:
    ///
    ///     reach      = (n - 1) * probeInterval      every survivor probes the dead node within
    ///                                                one round over the n - 1 others
    ///     probe      = probeInterval                 the period of the failed probe: direct
    ///                                                timeout, then indirect probes
    ///     suspicion  = suspicionMaxMultiplier * suspicionMultiplier * log2(n + 1) * probeInterval
    ///                                                the longest a suspicion can run (no confirmations)
    ///     deadline   = reach + probe + suspicion + slack
    ///
    /// Slack (5 s) covers a debug build of five processes on two shared cores, and the
    /// local-health scaling that such a lag may trigger. For .local and n = 5:
    /// 2 s + 0.5 s + 7.76 s + 5 s = 15.3 s.
    static func downDeadlineSeconds(members n: Int) -> Double {
        let interval = Double(settings.probeIntervalMilliseconds) / 1000
        let suspicion = settings.suspicionMaxMultiplier * Double(settings.suspicionMinimumNanoseconds(
            reachableMembers: n)) / 1e9
        return Double(n - 1) * interval + interval + suspicion + 5
    }

    @Test func fiveNodesFormOneViewAndAgreeWhenOneIsKilled() throws {
        let cluster = try LocalCluster()
        defer { cluster.stopAll() }
        let seed = try cluster.start("node1", ["--node-id", "1", "--membership", "local"])
        for i in 2...5 {
            try cluster.start("node\(i)", ["--node-id", "\(i)", "--membership", "local",
                                           "--seed", "127.0.0.1:\(seed.clusterPort)"])
        }
        let ids = (1...5).map { String(repeating: "0", count: 15) + "\($0)" }
        let ports = cluster.nodes.map(\.clientPort)

        // All five list the same five members, all alive.
        var views: [[MemberRow]] = []
        let formed = eventually(within: 20) {
            views = ports.map { (try? members(port: $0)) ?? [] }
            return views.allSatisfy { view in
                view.map(\.id) == ids && view.allSatisfy { $0.status == "alive" } && view == views[0]
            }
        }
        #expect(formed, "no common view of 5 alive members: \(views)\n\(cluster.logs)")
        guard formed else { return }

        // A crash: the other four mark node 5 down within the deadline and agree on the view.
        cluster.nodes[4].kill9()
        let deadline = Self.downDeadlineSeconds(members: 5)
        let survivors = Array(ports.prefix(4))
        let detected = eventually(within: deadline) {
            views = survivors.map { (try? members(port: $0)) ?? [] }
            return views.allSatisfy { view in
                view.map(\.id) == ids && view.last?.status == "down"
                    && view.prefix(4).allSatisfy { $0.status == "alive" }
            }
        }
        #expect(detected, "node 5 not down everywhere within \(deadline) s: \(views)\n\(cluster.logs)")
        #expect(views.allSatisfy { $0 == views[0] }, "survivors disagree: \(views)")
        #expect(cluster.nodes[0].log.contains("member down"), "the down transition is logged")
    }

    @Test func aNodeWithAnotherClusterKeyDoesNotJoin() throws {
        let cluster = try LocalCluster()
        defer { cluster.stopAll() }
        let right = try cluster.keyFile("right.key", "the right key\n")
        let wrong = try cluster.keyFile("wrong.key", "not the right key\n")
        let seed = try cluster.start("seed", ["--node-id", "a", "--membership", "local",
                                              "--cluster-key-file", right])
        let seedAddress = "127.0.0.1:\(seed.clusterPort)"
        let intruder = try cluster.start("intruder", ["--node-id", "b", "--membership", "local",
                                                      "--cluster-key-file", wrong, "--seed", seedAddress])
        // Control: a node with the right key (surrounding whitespace trimmed) joins through the same seed.
        let friend = try cluster.start("friend", ["--node-id", "c", "--membership", "local",
                                                  "--cluster-key-file", right, "--seed", seedAddress])
        let friendJoined = eventually(within: 20) {
            let view = (try? members(port: seed.clientPort))?.map(\.id) ?? []
            return view.contains { $0.hasSuffix("c") }
        }
        #expect(friendJoined, "the node with the right key did not join\n\(cluster.logs)")
        let refused = eventually(within: 10) { seed.log.contains("failed authentication") }
        #expect(refused, "the refusal is logged\n\(seed.log)")
        // Let the intruder retry its join a few times (every joinRetryInterval); it must stay
        // alone, and nobody may know it.
        usleep(UInt32(3 * Self.settings.joinRetryIntervalMilliseconds * 1_000))
        let intruderView = try members(port: intruder.clientPort).map(\.id)
        let seedView = try members(port: seed.clientPort).map(\.id)
        let friendView = try members(port: friend.clientPort).map(\.id)
        #expect(intruderView == ["000000000000000b"])
        #expect(!seedView.contains("000000000000000b"))
        #expect(!friendView.contains("000000000000000b"))
    }

    @Test func aNodeOfAnotherClusterNameDoesNotJoin() throws {
        let cluster = try LocalCluster()
        defer { cluster.stopAll() }
        let seed = try cluster.start("blue", ["--node-id", "1", "--membership", "local", "--cluster-name", "blue"])
        let other = try cluster.start("green", ["--node-id", "2", "--membership", "local", "--cluster-name", "green",
                                                "--seed", "127.0.0.1:\(seed.clusterPort)"])
        let refused = eventually(within: 10) { seed.log.contains("failed authentication") }
        #expect(refused, "the seed never refused the other cluster\n\(cluster.logs)")
        #expect(try members(port: seed.clientPort).map(\.id) == ["0000000000000001"])
        #expect(try members(port: other.clientPort).map(\.id) == ["0000000000000002"])
    }
}
