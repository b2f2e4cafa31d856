import Foundation
import Glibc
import HearsayCore
import Testing

/// Anti-entropy with real processes: hints are off, so what a stopped replica missed can come
/// back only through Merkle exchanges once it runs again.
@Suite(.serialized)
struct AntiEntropyProcessTests {
    /// Every node's HS.DIGEST reply (all partition roots), compared as text.
    static func digests(_ ports: [Int]) -> [String] {
        ports.map { port in (try? TestClient(port: port, timeout: 5).command("HS.DIGEST")) ?? "unreachable" }
    }

    @Test func writesAStoppedReplicaMissed_reachItThroughMerkleExchanges() throws {
        let cluster = try LocalCluster()
        defer { cluster.stopAll() }
        let nodes = try cluster.startThree(["--no-hints"])
        #expect(nodes != nil, "no 3-node view\n\(cluster.logs)")
        guard let nodes else { return }
        let third = nodes[2]
        let ports = nodes.map(\.clientPort)
        let client = try TestClient(port: ports[0])
        #expect(try client.command("HS.CONSISTENCY", "ONE") == "+OK\r\n")
        for i in 0..<2_000 { _ = try client.command("SET", "before:\(i)", "v\(i)") }

        // Stop node 3 until the others see it down, then write what it will miss.
        kill(third.process.processIdentifier, SIGSTOP)
        defer { kill(third.process.processIdentifier, SIGCONT) }
        let down = eventually(within: ClusterProcessTests.downDeadlineSeconds(members: 3)) {
            ((try? members(port: ports[0])) ?? []).last?.status == "down"
        }
        #expect(down, "node 3 never marked down\n\(cluster.logs)")
        for i in 0..<1_000 { _ = try client.command("SET", "missed:\(i)", "v\(i)") }
        #expect(Set(Self.digests(Array(ports.prefix(2)))).count == 1, "the two running replicas agree")

        kill(third.process.processIdentifier, SIGCONT)
        let resumed = Date()
        let agreed = eventually(within: 60) { Set(Self.digests(ports)).count == 1 }
        #expect(agreed, "digests still differ 60 s after SIGCONT\n\(cluster.logs)")
        print("AntiEntropyProcessTests: digests agree \(Date().timeIntervalSince(resumed)) s after SIGCONT")
        let reader = try TestClient(port: third.clientPort)
        #expect(try reader.command("HS.CONSISTENCY", "ONE") == "+OK\r\n")
        #expect(try reader.command("GET", "missed:999") == "$4\r\nv999\r\n", "node 3 holds a write it missed")
        // HS.AGREEMENT: N=3 on 3 nodes, so 256 partitions x 2 peers, each agreed with by now.
        var rows: [Int] = []
        let allAgreed = eventually(within: 60) {
            let reply = (try? reader.command("HS.AGREEMENT")) ?? ""
            let ints = reply.components(separatedBy: "\r\n").filter { $0.hasPrefix(":") }.compactMap {
                Int($0.dropFirst())
            }
            rows = stride(from: 1, to: ints.count, by: 2).map { ints[$0] }
            return rows.count == 512 && rows.allSatisfy { $0 >= 0 }
        }
        #expect(allAgreed, "HS.AGREEMENT: \(rows.count) rows, \(rows.filter { $0 < 0 }.count) never agreed")
    }
}
