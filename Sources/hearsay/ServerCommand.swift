import ArgumentParser
import Glibc
import HearsayCore
import HearsayServer
import Logging

/// `hearsay server`: runs one node in the foreground until SIGINT or SIGTERM.
///
/// Every node is a cluster member: without `--seed` it is a cluster of one that others
/// may join through it. In a cluster the first SIGINT/SIGTERM leaves gracefully (the
/// loop runs about a second more so the leave spreads); a second one stops at once.
struct ServerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server", abstract: "Run one Hearsay node (RESP on --port, peers on --cluster-port).")

    @Option(help: "Client (RESP) port.") var port = 7379
    @Option(help: "Address to bind; loopback unless told otherwise.") var bind = "127.0.0.1"
    @Option(help: "Peer port, TCP and UDP (default: port + 10000).") var clusterPort: Int?
    @Option(help: "Host peers reach this node at (default: the bind address).") var advertise: String?
    @Option(help: "Cluster port of a node to join through, host:port (repeatable).") var seed: [String] = []
    @Option(help: "This node's stable identity, up to 16 hex digits (default: random per start).")
    var nodeId: String?
    @Option(help: "Replicas per partition (N).") var replicas = 3
    @Option(help: "Replicas a read waits for (R), unless a connection sets HS.CONSISTENCY.") var readQuorum = 2
    @Flag(help: "Keep no hints for down replicas (anti-entropy alone repairs them).") var noHints = false
    @Flag(help: "Accept HS.FAULT, which drops or delays traffic with given peers (demos and tests only).")
    var enableFaultInjection = false
    @Option(help: "Replicas a write waits for (W), unless a connection sets HS.CONSISTENCY.") var writeQuorum = 2
    @Option(help: "Bytes per second anti-entropy may send, e.g. 16mb (0 = no limit).")
    var antiEntropyRate = "16mb"
    @Option(help: "Milliseconds between anti-entropy exchange starts (0 = no exchanges: only hints and read repair).")
    var antiEntropyInterval: Int64 = 20
    @Option(help: "Name of the cluster; nodes of another name are refused.") var clusterName = "hearsay"
    @Option(help: "File whose bytes (trimmed of surrounding whitespace) are the shared cluster key.")
    var clusterKeyFile: String?
    @Option(help: "Membership timing preset: lan (1 s probes) or local (0.5 s, for one machine).")
    var membership: MembershipPreset = .lan
    @Option(help: "Most simultaneous clients.") var maxclients = 10_000
    @Option(help: "Memory bound for keys, values, versions and tombstones, e.g. 512mb (0 = none).")
    var maxmemory = "0"
    @Option(
        help: """
            What to do past --maxmemory: noeviction (writes get OOM), allkeys-lru, allkeys-lfu, \
            allkeys-random, volatile-lru, volatile-lfu, volatile-random or volatile-ttl.
            """)
    var maxmemoryPolicy = "noeviction"
    @Option(help: "Keys sampled per eviction round (at least 1; more than 64 count as 64).")
    var maxmemorySamples = 5
    @Option(help: "LFU counter's logarithm factor (Redis lfu-log-factor).") var lfuLogFactor = 10
    @Option(help: "Minutes without access for the LFU counter to lose one (0 = never).") var lfuDecayTime = 1
    @Option(help: "Password clients must AUTH with.") var requirepass: String?
    @Option(help: "Microseconds the loop keeps polling after input before it sleeps (0 = never).")
    var busyPoll = 50
    @Option(help: "trace, debug, info, notice, warning, error or critical.") var logLevel = "info"

    func validate() throws {
        for s in seed where ClusterArguments.splitHostPort(s) == nil {
            throw ValidationError("--seed \(s) is not host:port")
        }
        if let nodeId, ClusterArguments.parseNodeID(nodeId) == nil {
            throw ValidationError("--node-id \(nodeId) is not 1 to 16 hex digits")
        }
        try ClusterArguments.validateBusyPoll(busyPoll)
        guard replicas >= 1 else { throw ValidationError("--replicas must be at least 1") }
        guard (1...replicas).contains(readQuorum), (1...replicas).contains(writeQuorum) else {
            throw ValidationError("--read-quorum and --write-quorum must be between 1 and --replicas")
        }
        guard !clusterName.isEmpty, clusterName.utf8.count <= FrameAuthenticator.maximumClusterNameBytes else {
            throw ValidationError("--cluster-name must be 1 to \(FrameAuthenticator.maximumClusterNameBytes) bytes")
        }
    }

    func run() throws {
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("unknown --log-level \(logLevel)")
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        guard let memory = MemorySize.parse(maxmemory) else { throw ValidationError("bad --maxmemory \(maxmemory)") }
        guard let policy = EvictionPolicy(name: maxmemoryPolicy) else {
            let names = EvictionPolicy.allCases.map(\.name).joined(separator: ", ")
            throw ValidationError("bad --maxmemory-policy \(maxmemoryPolicy) (one of \(names))")
        }
        guard maxmemorySamples >= 1, lfuLogFactor >= 0, lfuDecayTime >= 0 else {
            throw ValidationError("--maxmemory-samples is at least 1; --lfu-log-factor and --lfu-decay-time at least 0")
        }
        guard let rate = MemorySize.parse(antiEntropyRate), rate < 900_000_000 else {
            throw ValidationError("bad --anti-entropy-rate \(antiEntropyRate) (bytes per second below 900mb)")
        }
        var configuration = ServerConfiguration()
        configuration.port = port
        configuration.bindAddress = bind
        configuration.clusterPort = clusterPort
        configuration.advertiseHost = advertise
        configuration.maxClients = maxclients
        configuration.busyPollMicroseconds = busyPoll
        configuration.node.maxMemoryBytes = memory
        configuration.node.evictionPolicy = policy
        configuration.node.evictionSamples = maxmemorySamples
        configuration.node.lfuLogFactor = lfuLogFactor
        configuration.node.lfuDecayMinutes = lfuDecayTime
        configuration.node.requirePassword = requirepass

        let id = nodeId.flatMap(ClusterArguments.parseNodeID) ?? NodeID(UInt64.random(in: 1...UInt64.max))
        var cluster = ClusterConfiguration(nodeID: id)
        cluster.seeds = seed
        cluster.clusterName = clusterName
        cluster.replicationFactor = replicas
        cluster.readQuorum = readQuorum
        cluster.writeQuorum = writeQuorum
        cluster.hintsEnabled = !noHints
        cluster.faultInjectionEnabled = enableFaultInjection
        cluster.antiEntropyBytesPerSecond = rate
        guard antiEntropyInterval >= 0 else { throw ValidationError("--anti-entropy-interval must be 0 or more") }
        cluster.antiEntropyIntervalMilliseconds = antiEntropyInterval
        cluster.membership = membership.settings
        if let clusterKeyFile { cluster.key = try ClusterArguments.readKey(clusterKeyFile) }
        configuration.cluster = cluster

        let server: Server
        do {
            server = try Server(configuration: configuration, logger: Logger(label: "hearsay"))
        } catch {
            throw ValidationError("cannot start: \(error)")
        }
        server.run()
    }
}

/// The membership timing presets the command line offers.
enum MembershipPreset: String, ExpressibleByArgument, CaseIterable {
    case lan
    case local

    var settings: MembershipSettings {
        switch self {
        case .lan: .lan
        case .local: .local
        }
    }
}

/// Parsing shared by `server` and `cluster`.
enum ClusterArguments {
    static func splitHostPort(_ text: String) -> (String, Int)? {
        guard let colon = text.lastIndex(of: ":"), colon != text.startIndex,
            let port = Int(text[text.index(after: colon)...]), (1...65_535).contains(port)
        else { return nil }
        return (String(text[..<colon]), port)
    }

    static func validateBusyPoll(_ microseconds: Int) throws {
        guard (0...1_000_000).contains(microseconds) else { throw ValidationError("--busy-poll must be 0 to 1000000") }
    }

    static func parseNodeID(_ text: String) -> NodeID? {
        guard (1...16).contains(text.count), let raw = UInt64(text, radix: 16) else { return nil }
        return NodeID(raw)
    }

    /// The key file's bytes without leading and trailing whitespace (a trailing newline
    /// from an editor or `echo` must not change the key). At most 64 KiB; never empty.
    static func readKey(_ path: String) throws -> [UInt8] {
        guard let file = fopen(path, "rb") else {
            throw ValidationError("cannot read --cluster-key-file \(path): \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        let limit = 64 * 1024
        var bytes = [UInt8](repeating: 0, count: limit + 1)
        let count = bytes.withUnsafeMutableBytes { fread($0.baseAddress, 1, limit + 1, file) }
        guard count <= limit else { throw ValidationError("--cluster-key-file \(path) is over 64 KiB") }
        let whitespace: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D, 0x0B, 0x0C]
        var slice = bytes[0..<count]
        while let first = slice.first, whitespace.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, whitespace.contains(last) { slice = slice.dropLast() }
        guard !slice.isEmpty else { throw ValidationError("--cluster-key-file \(path) holds no key") }
        return Array(slice)
    }
}
