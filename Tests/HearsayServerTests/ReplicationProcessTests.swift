import Foundation
import Glibc
import HearsayCore
import Testing

/// Replication with real processes: a 3-node cluster (N=3, R=W=2 by default).
@Suite(.serialized)
struct ReplicationProcessTests {
    /// One integer field of HS.STATS (RESP2: a flat array of names and values).
    static func stat(_ reply: String, _ name: String) -> Int? {
        let lines = reply.components(separatedBy: "\r\n")
        guard let i = lines.firstIndex(of: name), i + 1 < lines.count else { return nil }
        return Int(lines[i + 1].dropFirst())
    }

    @Test func quorumWritesSurviveAKilledReplica_andItsHintsAreReplayedWhenItReturns() throws {
        let cluster = try LocalCluster()
        defer { cluster.stopAll() }
        let common = ["--membership", "local"]
        let nodes = try cluster.startThree([])
        #expect(nodes != nil, "no 3-node view\n\(cluster.logs)")
        guard let nodes else { return }
        let (first, third) = (nodes[0], nodes[2])
        let seed = ["--seed", "127.0.0.1:\(first.clusterPort)"]
        let ports = nodes.map(\.clientPort)

        // A write through any node is read back through every other.
        let client = try TestClient(port: ports[0])
        #expect(try client.command("SET", "before", "1") == "+OK\r\n")
        for port in ports[1...] {
            #expect(try TestClient(port: port).command("GET", "before") == "$1\r\n1\r\n")
        }

        // Kill node 3; once the others see it down, QUORUM writes keep succeeding.
        third.kill9()
        let down = eventually(within: ClusterProcessTests.downDeadlineSeconds(members: 3)) {
            ((try? members(port: ports[0])) ?? []).last?.status == "down"
        }
        #expect(down, "node 3 never marked down\n\(cluster.logs)")
        #expect(try client.command("HS.CONSISTENCY", "QUORUM") == "+OK\r\n")
        for i in 0..<50 {
            #expect(try client.command("SET", "missed:\(i)", "v\(i)") == "+OK\r\n", "write \(i) at QUORUM")
        }
        let held = Self.stat(try client.command("HS.STATS"), "hints_pending") ?? -1
        #expect(held >= 50, "the coordinator keeps hints for the down replica (\(held))")

        // Node 3 comes back (same id, empty memory): the hints are replayed to it.
        let restarted = try cluster.start("node3b", ["--node-id", "3"] + common + seed)
        let replayed = eventually(within: 20) {
            let stats = (try? client.command("HS.STATS")) ?? ""
            return (Self.stat(stats, "replayed") ?? 0) >= 50 && Self.stat(stats, "hints_pending") == 0
        }
        #expect(replayed, "hints not replayed: \((try? client.command("HS.STATS")) ?? "")\n\(cluster.logs)")

        // Read at consistency ONE from the restarted node: it answers from its own copy.
        let reader = try TestClient(port: restarted.clientPort)
        #expect(try reader.command("HS.CONSISTENCY", "ONE") == "+OK\r\n")
        var missing: [Int] = []
        for i in 0..<50 where try reader.command("GET", "missed:\(i)") != "$\("v\(i)".count)\r\nv\(i)\r\n" {
            missing.append(i)
        }
        #expect(missing.isEmpty, "writes the restarted node missed and did not get back: \(missing)")
    }

    @Test func writesNeedingMoreReplicasThanAnswer_failWithNoQuorum() throws {
        let cluster = try LocalCluster()
        defer { cluster.stopAll() }
        let common = ["--membership", "local"]
        let first = try cluster.start("node1", ["--node-id", "1"] + common)
        let seed = ["--seed", "127.0.0.1:\(first.clusterPort)"]
        let second = try cluster.start("node2", ["--node-id", "2"] + common + seed)
        let third = try cluster.start("node3", ["--node-id", "3"] + common + seed)
        let port = cluster.nodes[0].clientPort
        let formed = eventually(within: 20) {
            ((try? members(port: port)) ?? []).filter { $0.status == "alive" }.count == 3
        }
        #expect(formed, "no 3-node view\n\(cluster.logs)")
        second.kill9()
        third.kill9()
        let down = eventually(within: ClusterProcessTests.downDeadlineSeconds(members: 3)) {
            ((try? members(port: port)) ?? []).filter { $0.status == "down" }.count == 2
        }
        #expect(down, "nodes 2 and 3 never marked down\n\(cluster.logs)")
        let client = try TestClient(port: port)
        let reply = try client.command("SET", "k", "v")
        #expect(reply.hasPrefix("-NOQUORUM"), "a W=2 write with one live replica must not report success: \(reply)")
        #expect(try client.command("HS.CONSISTENCY", "ONE") == "+OK\r\n")
        #expect(try client.command("SET", "k", "v") == "+OK\r\n", "W=1 still succeeds")
    }
}
