import Foundation
import Glibc
import HearsayCore
import Testing

/// Transactions and databases with real processes: a 3-node cluster (N=3, R=W=2). A
/// transaction through one node is read back through the others; WATCH aborts when another
/// node changed the key; a database other than 0 is replicated like the rest.
@Suite(.serialized)
struct TransactionProcessTests {
    @Test func aTransactionThroughOneNodeIsReadFromTheOthers_andWatchSeesAnotherNodesWrite() throws {
        let cluster = try LocalCluster()
        defer { cluster.stopAll() }
        let nodes = try cluster.startThree()
        #expect(nodes != nil, "no 3-node view\n\(cluster.logs)")
        guard let ports = nodes?.map(\.clientPort) else { return }

        let client = try TestClient(port: ports[0])
        #expect(try client.command("SELECT", "1") == "+OK\r\n")
        #expect(try client.command("MULTI") == "+OK\r\n")
        #expect(try client.command("SET", "{order:7}:state", "paid") == "+QUEUED\r\n")
        #expect(try client.command("INCR", "{order:7}:version") == "+QUEUED\r\n")
        #expect(try client.command("GET", "{order:7}:state") == "+QUEUED\r\n")
        #expect(try client.command("EXEC") == "*3\r\n+OK\r\n:1\r\n$4\r\npaid\r\n")
        for port in ports[1...] {
            let reader = try TestClient(port: port)
            #expect(try reader.command("GET", "{order:7}:state") == "$-1\r\n", "database 0 holds no such key")
            #expect(try reader.command("SELECT", "1") == "+OK\r\n")
            #expect(
                try reader.command("MGET", "{order:7}:state", "{order:7}:version") == "*2\r\n$4\r\npaid\r\n$1\r\n1\r\n")
        }

        // WATCH on node 1, a write through node 2, then EXEC on node 1: nil, nothing applied.
        #expect(try client.command("WATCH", "{order:7}:state") == "+OK\r\n")
        let other = try TestClient(port: ports[1])
        #expect(try other.command("SELECT", "1") == "+OK\r\n")
        #expect(try other.command("SET", "{order:7}:state", "shipped") == "+OK\r\n")
        let reached = eventually(within: 5) { (try? client.command("GET", "{order:7}:state")) == "$7\r\nshipped\r\n" }
        #expect(reached)
        #expect(try client.command("MULTI") == "+OK\r\n")
        #expect(try client.command("SET", "{order:7}:state", "refunded") == "+QUEUED\r\n")
        #expect(try client.command("EXEC") == "*-1\r\n")
        #expect(try other.command("GET", "{order:7}:state") == "$7\r\nshipped\r\n")
    }
}
