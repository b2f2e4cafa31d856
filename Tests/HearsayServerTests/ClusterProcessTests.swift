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
        let suspicion =
            settings.suspicionMaxMultiplier
            * Double(
                settings.suspicionMinimumNanoseconds(
                    reachableMembers: n)) / 1e9
        return Double(n - 1) * interval + interval + suspicion + 5
    }

    @Test func fiveNodesFormOneViewAndAgreeWhenOneIsKilled() throws {
        let cluster = try LocalCluster()
        defer { cluster.stopAll() }
        let seed = try cluster.start("node1", ["--node-id", "1", "--membership", "local"])
        for i in 2...5 {
            try cluster.start(
                "node\(i)",
                [
                    "--node-id", "\(i)", "--membership", "local",
                    "--seed", "127.0.0.1:\(seed.clusterPort)",
                ])
        }
        let ids = (1...5).map { String(repeating: "0", count: 15) + "\($0)" }
        let ports = cluster.nodes.map(\.clientPort)

        // All five list the same five members, all alive.
        var views: [[MemberRow]] = []
        let startedAt = Date()
        let formed = eventually(within: 20) {
            views = ports.map { (try? members(port: $0)) ?? [] }
            return views.allSatisfy { view in
                view.map(\.id) == ids && view.allSatisfy { $0.status == "alive" } && view == views[0]
            }
        }
        #expect(formed, "no common view of 5 alive members: \(views)\n\(cluster.logs)")
        guard formed else { return }
        print("ClusterProcessTests: one view of 5 after \(Date().timeIntervalSince(startedAt)) s")

        // A crash: the other four mark node 5 down within the deadline and agree on the view.
        cluster.nodes[4].kill9()
        let killedAt = Date()
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
        print(
            "ClusterProcessTests: node 5 down on all survivors after \(Date().timeIntervalSince(killedAt)) s "
                + "(deadline \(deadline) s)")

        // An operator removes the dead node on node 1: the command's effect is performed
        // after the client batch (the change is logged) and node 1's view shrinks.
        let admin = try TestClient(port: ports[0])
        #expect(try admin.command("HS.FORGET", ids[4]) == "+OK\r\n")
        #expect(try members(port: ports[0]).map(\.id) == Array(ids.prefix(4)))
        #expect(eventually(within: 5) { cluster.nodes[0].log.contains("member forgotten") })

        // SIGTERM makes node 4 leave gracefully: it announces the leave, keeps running for the
        // grace period (1 s) so it spreads, then exits; the others see it as left, not down.
        let leaver = cluster.nodes[3]
        kill(leaver.process.processIdentifier, SIGTERM)
        let left = eventually(within: 10) {
            views = ports.prefix(3).map { (try? members(port: $0)) ?? [] }
            return views.allSatisfy { view in view.first { $0.id == ids[3] }?.status == "left" }
        }
        #expect(left, "node 4 not seen as left: \(views)\n\(leaver.log)")
        #expect(eventually(within: 10) { !leaver.process.isRunning }, "node 4 did not exit after leaving")
        #expect(leaver.log.contains("leaving the cluster"))
    }

    @Test func aNodeWithAnotherClusterKeyDoesNotJoin() throws {
        let cluster = try LocalCluster()
        defer { cluster.stopAll() }
        let right = try cluster.keyFile("right.key", "the right key\n")
        let wrong = try cluster.keyFile("wrong.key", "not the right key\n")
        let seed = try cluster.start(
            "seed",
            [
                "--node-id", "a", "--membership", "local",
                "--cluster-key-file", right,
            ])
        let seedAddress = "127.0.0.1:\(seed.clusterPort)"
        let intruder = try cluster.start(
            "intruder",
            [
                "--node-id", "b", "--membership", "local",
                "--cluster-key-file", wrong, "--seed", seedAddress,
            ])
        // Control: a node with the right key (surrounding whitespace trimmed) joins through the same seed.
        let friend = try cluster.start(
            "friend",
            [
                "--node-id", "c", "--membership", "local",
                "--cluster-key-file", right, "--seed", seedAddress,
            ])
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
        let other = try cluster.start(
            "green",
            [
                "--node-id", "2", "--membership", "local", "--cluster-name", "green",
                "--seed", "127.0.0.1:\(seed.clusterPort)",
            ])
        let refused = eventually(within: 10) { seed.log.contains("failed authentication") }
        #expect(refused, "the seed never refused the other cluster\n\(cluster.logs)")
        #expect(try members(port: seed.clientPort).map(\.id) == ["0000000000000001"])
        #expect(try members(port: other.clientPort).map(\.id) == ["0000000000000002"])
    }
}

/// `hearsay cluster` itself: real children, reachable, stopped by one SIGINT (in the same
/// serialized suite, so it never runs beside the other process tests).
extension ClusterProcessTests {
    /// A base port whose next `count` client ports and their cluster ports (+10000) are free now.
    static func freeBasePort(count: Int) -> Int? {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            let base = Int.random(in: 20_000...(55_535 - count), using: &generator)
            let ports = (0..<count).flatMap { [base + $0, base + $0 + 10_000] }
            if ports.allSatisfy(Self.isFree) { return base }
        }
        return nil
    }

    static func isFree(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    @Test func clusterCommandStartsNodesThatFormOneClusterAndStopsThemOnSIGINT() throws {
        let executable = try #require(hearsayExecutable())
        let base = try #require(Self.freeBasePort(count: 3))
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("hearsay-cluster-\(UUID()).log")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        let log = try FileHandle(forWritingTo: output)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["cluster", "--nodes", "3", "--base-port", "\(base)", "--log-level", "warning"]
        process.standardOutput = log
        process.standardError = log
        try process.run()
        var childPIDs: [pid_t] = []
        defer {
            // Whatever happened: no node may outlive the test.
            for pid in childPIDs { kill(pid, SIGKILL) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        func text() -> String { (try? String(contentsOf: output, encoding: .utf8)) ?? "" }
        #expect(eventually(within: 20) { text().contains("Ctrl-C stops every node") }, "\(text())")
        childPIDs = text().split(separator: "\n").compactMap { line in
            line.range(of: "pid ").flatMap { pid_t(line[$0.upperBound...].prefix { $0.isNumber }) }
        }
        #expect(childPIDs.count == 3)
        #expect(text().contains("redis-cli -p \(base + 2)"))
        let formed = eventually(within: 20) {
            (0..<3).allSatisfy { i in
                ((try? members(port: base + i)) ?? []).filter { $0.status == "alive" }.count == 3
            }
        }
        #expect(formed, "\(text())")

        kill(process.processIdentifier, SIGINT)
        let exited = eventually(within: 15) { !process.isRunning }
        #expect(exited, "hearsay cluster still running after SIGINT\n\(text())")
        #expect(text().contains("all nodes have stopped"))
        #expect(!text().contains("unexpectedly"))
        #expect(childPIDs.allSatisfy { kill($0, 0) != 0 }, "a node outlived hearsay cluster")
    }
}
