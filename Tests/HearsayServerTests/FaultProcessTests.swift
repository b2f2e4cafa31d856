import Foundation
import Glibc
import HearsayCore
import Testing

/// HS.FAULT on real processes: `--enable-fault-injection` reaches the node, DROP partitions
/// real UDP and TCP traffic so SWIM marks the peer down, CLEAR heals it; without the flag
/// the command is refused.
@Suite(.serialized)
struct FaultProcessTests {
    @Test func dropIsolatesANodeAndClearHealsIt_onlyWithTheFlag() throws {
        let cluster = try LocalCluster()
        defer { cluster.stopAll() }
        let common = ["--membership", "local", "--enable-fault-injection"]
        let seed = try cluster.start("node1", ["--node-id", "1"] + common)
        for i in 2...3 {
            try cluster.start("node\(i)", ["--node-id", "\(i)", "--seed", "127.0.0.1:\(seed.clusterPort)"] + common)
        }
        let ports = cluster.nodes.map(\.clientPort)
        func statuses(_ port: Int) -> [String] { ((try? members(port: port)) ?? []).map(\.status) }
        #expect(eventually(within: 20) { ports.allSatisfy { statuses($0) == ["alive", "alive", "alive"] } })

        for port in ports.prefix(2) {
            #expect(try TestClient(port: port).command("HS.FAULT", "DROP", "3") == "+OK\r\n")
        }
        let deadline = ClusterProcessTests.downDeadlineSeconds(members: 3)
        let isolated = eventually(within: deadline) {
            statuses(ports[0]) == ["alive", "alive", "down"] && statuses(ports[1]) == ["alive", "alive", "down"]
                && statuses(ports[2]) == ["down", "down", "alive"]
        }
        #expect(isolated, "views: \(ports.map(statuses))\n\(cluster.logs)")
        let listing = try TestClient(port: ports[0]).command("HS.FAULT")
        #expect(listing.hasPrefix("*2\r\n*14\r\n$4\r\npeer\r\n$16\r\n0000000000000003\r\n"), "\(listing)")

        for port in ports.prefix(2) {
            #expect(try TestClient(port: port).command("HS.FAULT", "CLEAR") == ":2\r\n")
        }
        // Down members come back when a periodic push-pull crosses (15 s with --membership local).
        let healed = eventually(within: 40) { ports.allSatisfy { statuses($0) == ["alive", "alive", "alive"] } }
        #expect(healed, "views: \(ports.map(statuses))\n\(cluster.logs)")

        let plain = try cluster.start("plain", ["--node-id", "9"])
        #expect(
            try TestClient(port: plain.clientPort).command("HS.FAULT", "DROP", "1")
                == "-ERR fault injection is disabled (start the node with --enable-fault-injection)\r\n")
    }
}
