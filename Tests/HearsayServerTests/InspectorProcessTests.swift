import Foundation
import Glibc
import Testing

/// hearsay-inspect against real processes: a 3-node cluster without hints, one node cut off
/// with HS.FAULT while writes go to the others, then healed; the inspector's --json output
/// must report exactly the keys the cut-off node missed, then convergence once anti-entropy
/// has repaired them. Also its answers to an unreachable address, a server that speaks no
/// RESP and a node of another cluster.
@Suite(.serialized)
struct InspectorProcessTests {
    static func inspectExecutable() -> String? {
        guard let hearsay = hearsayExecutable() else { return nil }
        let path = URL(fileURLWithPath: hearsay).deletingLastPathComponent().appendingPathComponent("hearsay-inspect")
            .path
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }

    /// Runs hearsay-inspect with `arguments`; returns its exit status and standard output.
    static func inspect(_ arguments: [String]) throws -> (status: Int32, output: String) {
        guard let executable = inspectExecutable() else {
            throw ClusterTestError.exited("hearsay-inspect", "not built next to the tests")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// One --json sample as a dictionary.
    static func sample(_ port: Int, _ extra: [String] = []) throws -> [String: Any] {
        let (_, output) = try inspect(["--json", "--command-timeout", "1000", "127.0.0.1:\(port)"] + extra)
        let line = output.split(separator: "\n").first.map(String.init) ?? ""
        guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw ClusterTestError.exited("hearsay-inspect", "not JSON: \(output)")
        }
        return object
    }

    /// Makes the node on `port` drop all traffic with node `peer`.
    static func cut(_ port: Int, _ peer: String) throws -> String {
        try TestClient(port: port).command("HS.FAULT", "DROP", peer)
    }

    /// Clears every fault on the node on `port`.
    static func heal(_ port: Int) throws -> String {
        try TestClient(port: port).command("HS.FAULT", "CLEAR")
    }

    @Test func jsonReportsTheKeysACutOffReplicaMissed_thenConvergence() throws {
        let cluster = try LocalCluster()
        defer { cluster.stopAll() }
        let nodes = try cluster.startThree(["--no-hints", "--enable-fault-injection"])
        #expect(nodes != nil, "no 3-node view\n\(cluster.logs)")
        guard let ports = nodes?.map(\.clientPort) else { return }
        // Test nodes listen on random ports, so the inspector is given every address.
        let all = ports.dropFirst().map { "127.0.0.1:\($0)" }
        let before = eventually(within: 30) { ((try? Self.sample(ports[0], all))?["converged"] as? Bool) == true }
        #expect(before, "a fresh cluster is not reported converged")

        // Node 3 drops all traffic with nodes 1 and 2 (and they with it).
        for (port, peers) in [(ports[0], ["3"]), (ports[1], ["3"]), (ports[2], ["1", "2"])] {
            for peer in peers { #expect(try Self.cut(port, peer) == "+OK\r\n") }
        }
        let down = eventually(within: ClusterProcessTests.downDeadlineSeconds(members: 3)) {
            ((try? members(port: ports[0])) ?? []).last?.status == "down"
        }
        #expect(down, "node 3 never marked down\n\(cluster.logs)")
        let writer = try TestClient(port: ports[0])
        #expect(try writer.command("HS.CONSISTENCY", "ONE") == "+OK\r\n")
        for i in 0..<500 { #expect(try writer.command("SET", "missed:\(i)", "v\(i)") == "+OK\r\n") }
        // Nodes 1 and 2 hold the 500 keys (replication at ONE is in the background); node 3 none.
        var diverged: [String: Any] = [:]
        let reported = eventually(within: 20) {
            diverged = (try? Self.sample(ports[0], all)) ?? [:]
            return (diverged["divergentKeys"] as? Int) == 500
        }
        #expect(reported, "expected 500 divergent keys: \(diverged["verdict"] ?? "no output")")
        #expect((diverged["converged"] as? Bool) == false)
        #expect((diverged["verdict"] as? String)?.hasPrefix("500 keys in") == true)

        for port in ports { #expect(try Self.heal(port).hasPrefix(":")) }
        let healed = Date()
        var after: [String: Any] = [:]
        let converged = eventually(within: 60) {
            after = (try? Self.sample(ports[0], all)) ?? [:]
            return (after["converged"] as? Bool) == true
        }
        #expect(converged, "not converged 60 s after healing: \(after["verdict"] ?? "no output")\n\(cluster.logs)")
        #expect((after["divergentKeys"] as? Int) == 0)
        print("InspectorProcessTests: converged \(Date().timeIntervalSince(healed)) s after healing")
    }

    @Test func badAddressesGiveOneClearLineEach() throws {
        // Nothing listens on this port (bound, then closed).
        let unused = try TestListener().port
        let unreachable = try Self.inspect(["--command-timeout", "500", "127.0.0.1:\(unused)"])
        #expect(unreachable.status == 2)
        #expect(unreachable.output.contains("unreachable"), "\(unreachable.output)")

        let garbage = try TestListener(answer: "HTTP/1.0 400 Bad Request\r\n\r\n")
        let garbled = try Self.inspect(["--command-timeout", "500", "127.0.0.1:\(garbage.port)"])
        #expect(garbled.status == 2)
        #expect(garbled.output.contains("garbage"), "\(garbled.output)")

        let silent = try TestListener(answer: nil)
        let started = Date()
        let hung = try Self.inspect(["--command-timeout", "500", "127.0.0.1:\(silent.port)"])
        #expect(hung.status == 2)
        #expect(hung.output.contains("no answer within the timeout"), "\(hung.output)")
        #expect(Date().timeIntervalSince(started) < 10)

        // Two single nodes: the second is not a member of the first one's cluster.
        let cluster = try LocalCluster()
        defer { cluster.stopAll() }
        let a = try cluster.start("a", ["--node-id", "a"])
        let b = try cluster.start("b", ["--node-id", "b", "--cluster-name", "other"])
        let mixed = try Self.inspect(["127.0.0.1:\(a.clientPort)", "127.0.0.1:\(b.clientPort)"])
        #expect(mixed.output.contains("not a member of the cluster"), "\(mixed.output)")
    }
}

/// A TCP listener on a random loopback port, on its own thread: it answers every connection
/// with `answer` (or never answers, when nil). With neither accepted nor answered connections
/// (`init()` then deinit) its port is free again, which gives an address nothing listens on.
final class TestListener: @unchecked Sendable {
    let fd: Int32
    let port: Int

    init(answer: String? = "") throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && listen(fd, 8) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw SocketError.failed("listen", errno) }
        port = Int(UInt16(bigEndian: address.sin_port))
        guard answer != "" else { return }
        let listening = fd
        Thread {
            while true {
                let client = accept(listening, nil, nil)
                if client < 0 { return }
                if let answer {
                    _ = answer.withCString { Glibc.send(client, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
                }
            }
        }.start()
    }

    deinit {
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
    }
}
