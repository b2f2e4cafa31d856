import Foundation
import Glibc
import Testing

/// The `hearsay` executable built with the tests (next to the test bundle in .build/debug).
func hearsayExecutable() -> String? {
    var candidates: [String] = []
    let me = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    candidates.append(me.deletingLastPathComponent().appendingPathComponent("hearsay").path)
    // Inside a bundle layout (…/X.xctest/Contents/MacOS/X) the binary sits a few levels up.
    candidates.append(
        me.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("hearsay").path)
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    candidates.append(root.appendingPathComponent(".build/debug/hearsay").path)
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
}

/// One `hearsay server` child process whose log goes to a file, found by its "listening" line.
final class NodeProcess {
    let name: String
    let process = Process()
    let logPath: String
    private(set) var clientPort = 0
    private(set) var clusterPort = 0

    init(executable: String, name: String, directory: URL, arguments: [String]) throws {
        self.name = name
        logPath = directory.appendingPathComponent("\(name).log").path
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["server", "--port", "0", "--cluster-port", "0"] + arguments
        process.standardOutput = log
        process.standardError = log
        try process.run()
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Waits for the node's "listening" line and reads its ports from it.
    func waitUntilListening(timeout: Double = 20) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            for line in log.split(separator: "\n") where line.contains("listening") {
                if let client = Self.field("address", in: line).flatMap({ $0.split(separator: ":").last })
                    .flatMap({ Int($0) }),
                    let cluster = Self.field("cluster-port", in: line).flatMap({ Int($0) })
                {
                    clientPort = client
                    clusterPort = cluster
                    return
                }
            }
            guard process.isRunning else { throw ClusterTestError.exited(name, log) }
            usleep(50_000)
        }
        throw ClusterTestError.notListening(name, log)
    }

    static func field(_ key: String, in line: Substring) -> String? {
        guard let range = line.range(of: " \(key)=") ?? line.range(of: "\(key)=") else { return nil }
        let rest = line[range.upperBound...]
        return String(rest.prefix { $0 != " " })
    }

    /// SIGKILL, as a crash would; waits until the process is gone.
    func kill9() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

enum ClusterTestError: Error, CustomStringConvertible {
    case exited(String, String)
    case notListening(String, String)

    var description: String {
        switch self {
        case .exited(let name, let log): return "\(name) exited early:\n\(log)"
        case .notListening(let name, let log): return "\(name) never said it was listening:\n\(log)"
        }
    }
}

/// The child processes of one test. Every one is killed when the test ends, whatever happened
/// (the test calls `stopAll()` in a defer; deinit is the second line of defence).
final class LocalCluster {
    let executable: String
    let directory: URL
    private(set) var nodes: [NodeProcess] = []

    init() throws {
        guard let executable = hearsayExecutable() else {
            throw ClusterTestError.exited("hearsay", "the hearsay executable was not built next to the tests")
        }
        self.executable = executable
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("hearsay-cluster-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    @discardableResult
    func start(_ name: String, _ arguments: [String]) throws -> NodeProcess {
        let node = try NodeProcess(executable: executable, name: name, directory: directory, arguments: arguments)
        nodes.append(node)
        try node.waitUntilListening()
        return node
    }

    /// Starts nodes 1, 2 and 3 (`--membership local`, then `options`), the later two seeded by
    /// the first, and waits until each sees all three alive. Nil (with `#expect` recorded by
    /// the caller) when no such view forms within 20 s.
    func startThree(_ options: [String] = []) throws -> [NodeProcess]? {
        let common = ["--membership", "local"] + options
        let first = try start("node1", ["--node-id", "1"] + common)
        let seed = ["--seed", "127.0.0.1:\(first.clusterPort)"]
        let second = try start("node2", ["--node-id", "2"] + common + seed)
        let third = try start("node3", ["--node-id", "3"] + common + seed)
        let ports = [first, second, third].map(\.clientPort)
        let formed = eventually(within: 20) {
            ports.allSatisfy { port in ((try? members(port: port)) ?? []).filter { $0.status == "alive" }.count == 3 }
        }
        return formed ? [first, second, third] : nil
    }

    /// Writes a key file in the test's directory and returns its path.
    func keyFile(_ name: String, _ contents: String) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func stopAll() {
        for node in nodes { node.kill9() }
    }

    /// Every node's log, for a failure message.
    var logs: String { nodes.map { "---- \($0.name)\n\($0.log)" }.joined(separator: "\n") }

    deinit {
        stopAll()
        try? FileManager.default.removeItem(at: directory)
    }
}

/// One row of HS.MEMBERS.
struct MemberRow: Equatable, CustomStringConvertible {
    var id: String
    var address: String
    var status: String
    var description: String { "\(id)@\(address):\(status)" }
}

/// HS.MEMBERS of the node on `port`, parsed from its RESP2 reply (an array of flattened maps).
func members(port: Int) throws -> [MemberRow] {
    let client = try TestClient(port: port, timeout: 2)
    let reply = try client.command("HS.MEMBERS")
    let tokens = reply.components(separatedBy: "\r\n").filter {
        !$0.isEmpty && !$0.hasPrefix("*") && !$0.hasPrefix("$") && !$0.hasPrefix("%")
    }
    var rows: [MemberRow] = []
    var i = 0
    while i + 7 < tokens.count {
        var fields: [String: String] = [:]
        for k in stride(from: i, to: i + 8, by: 2) { fields[tokens[k]] = tokens[k + 1] }
        rows.append(
            MemberRow(
                id: fields["id"] ?? "?", address: fields["address"] ?? "?",
                status: fields["status"] ?? "?"))
        i += 8
    }
    return rows
}

/// Polls `condition` every 200 ms until it holds or `seconds` pass; returns whether it held.
func eventually(within seconds: Double, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        usleep(200_000)
    }
    return condition()
}
