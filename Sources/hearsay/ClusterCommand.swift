import ArgumentParser
import Glibc

/// `hearsay cluster`: a local cluster of real `hearsay server` processes on consecutive
/// ports, node 1 the seed of all others. Ctrl-C (SIGINT) or SIGTERM is forwarded once to
/// every node, which then leaves gracefully; the command returns when all have exited.
///
/// The nodes run in their own process group, so a terminal's Ctrl-C reaches only this
/// process and each node gets the signal exactly once (a second one would stop it
/// without the graceful leave).
struct ClusterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster", abstract: "Run a local cluster of N real Hearsay nodes on consecutive ports.")

    @Option(help: "How many nodes.") var nodes = 3
    @Option(help: "Client port of node 1; node i listens on base-port + i - 1 (cluster port + 10000).")
    var basePort = 7379
    @Option(help: "Membership timing preset for every node: local (default here) or lan.")
    var membership: MembershipPreset = .local
    @Option(help: "Replicas per partition (N).") var replicas = 3
    @Option(help: "Name of the cluster.") var clusterName = "hearsay"
    @Option(help: "Shared cluster key file, passed to every node.") var clusterKeyFile: String?
    @Option(help: "Log level of the nodes.") var logLevel = "info"
    @Option(help: "Microseconds each node keeps polling after input before it sleeps (0 = never).")
    var busyPoll = 50
    @Flag(help: "Start every node with --enable-fault-injection (HS.FAULT; demos and tests only).")
    var enableFaultInjection = false

    func validate() throws {
        guard (1...64).contains(nodes) else { throw ValidationError("--nodes must be 1 to 64") }
        try ClusterArguments.validateBusyPoll(busyPoll)
        guard basePort >= 1, basePort + nodes - 1 + 10_000 <= 65_535 else {
            throw ValidationError("--base-port leaves no room for \(nodes) client and cluster ports")
        }
    }

    func run() throws {
        let executable = Self.ownExecutable()
        // Block the signals we forward and take them synchronously in the wait loop below;
        // the children get an empty mask and default handlers back.
        var forwarded = sigset_t()
        sigemptyset(&forwarded)
        sigaddset(&forwarded, SIGINT)
        sigaddset(&forwarded, SIGTERM)
        sigprocmask(SIG_BLOCK, &forwarded, nil)

        var children: [Child] = []
        for index in 1...nodes {
            let port = basePort + index - 1
            var arguments = [
                "server", "--port", "\(port)", "--node-id", String(index, radix: 16),
                "--membership", membership.rawValue, "--replicas", "\(replicas)",
                "--cluster-name", clusterName, "--log-level", logLevel, "--busy-poll", "\(busyPoll)",
            ]
            if index > 1 { arguments += ["--seed", "127.0.0.1:\(basePort + 10_000)"] }
            if let clusterKeyFile { arguments += ["--cluster-key-file", clusterKeyFile] }
            if enableFaultInjection { arguments.append("--enable-fault-injection") }
            do {
                let pid = try Self.spawn(executable, arguments)
                children.append(Child(index: index, port: port, pid: pid))
            } catch {
                print("hearsay cluster: cannot start node \(index): \(error)")
                for child in children { kill(child.pid, SIGTERM) }
                break
            }
        }
        if children.count == nodes {
            print("Hearsay cluster of \(nodes) nodes (\(membership.rawValue) membership), node 1 is the seed:")
            for child in children {
                print(
                    "  node \(child.index)  redis-cli -p \(child.port)    "
                        + "(cluster port \(child.port + 10_000), pid \(child.pid))")
            }
            print("Try: redis-cli -p \(basePort) HS.MEMBERS    Ctrl-C stops every node.")
        }
        fflush(nil)
        Self.supervise(&children, signals: forwarded)
    }

    struct Child {
        let index: Int
        let port: Int
        let pid: pid_t
        var exited = false
    }

    /// Waits for every child, forwarding SIGINT/SIGTERM to the living ones and telling
    /// about any child that exits before a stop was asked for.
    static func supervise(_ children: inout [Child], signals: sigset_t) {
        var signals = signals
        var stopping = false
        while children.contains(where: { !$0.exited }) {
            var timeout = timespec(tv_sec: 0, tv_nsec: 100_000_000)
            let signum = sigtimedwait(&signals, nil, &timeout)
            if signum == SIGINT || signum == SIGTERM {
                if !stopping {
                    print("hearsay cluster: \(signum == SIGINT ? "SIGINT" : "SIGTERM"), stopping every node")
                    fflush(nil)
                }
                // A second signal is forwarded too: the nodes then stop without waiting for the leave.
                stopping = true
                for child in children where !child.exited { kill(child.pid, signum) }
            }
            while true {
                var status: Int32 = 0
                let pid = waitpid(-1, &status, WNOHANG)
                guard pid > 0, let i = children.firstIndex(where: { $0.pid == pid }) else { break }
                children[i].exited = true
                if !stopping {
                    print(
                        "hearsay cluster: node \(children[i].index) (port \(children[i].port), pid \(pid)) "
                            + "exited unexpectedly: \(describe(status))")
                    fflush(nil)
                }
            }
        }
        print("hearsay cluster: all nodes have stopped")
    }

    static func describe(_ status: Int32) -> String {
        let signal = status & 0x7f
        if signal == 0 { return "exit status \((status >> 8) & 0xff)" }
        return "killed by signal \(signal)"
    }

    /// This program's own path (/proc/self/exe), falling back to argv[0].
    static func ownExecutable() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &buffer, Int(PATH_MAX))
        if length > 0 {
            return String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        return CommandLine.arguments[0]
    }

    /// posix_spawn with default signal handling, an empty signal mask and a new process group.
    static func spawn(_ path: String, _ arguments: [String]) throws -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGINT)
        sigaddset(&defaults, SIGTERM)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes,
            Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, path, nil, &attributes, argv, environ)
        guard status == 0 else { throw ValidationError("posix_spawn \(path): \(String(cString: strerror(status)))") }
        return pid
    }
}
