import CLibUV
import Glibc
import HearsayAuth
import HearsayCore
import Logging

/// One Hearsay node on its own libuv loop: the client listener, the peer transport
/// (UDP and TCP on the cluster port), the core's timers and the signals that stop it. Single-threaded: every
/// callback runs on the thread inside `run()`; only `requestStop()` may be called
/// from elsewhere.
public final class Server {
    public let configuration: ServerConfiguration
    var logger: Logger
    var node: Node
    let loop: UnsafeMutablePointer<uv_loop_t>
    var listener: UnsafeMutablePointer<uv_tcp_t>?
    /// The peer side: sockets on the cluster port and the core's cluster timers.
    var peers: PeerTransport?
    var tickTimer: UnsafeMutablePointer<uv_timer_t>?
    /// Replies are written once per loop iteration, after every readable client was read
    /// (as Redis does in beforeSleep): the client then finds all its replies ready together,
    /// which cut redis-benchmark's own kernel time. The idle handle keeps the loop from
    /// blocking in poll while a flush is pending; the check handle runs right after poll.
    var flushCheck: UnsafeMutablePointer<uv_check_t>?
    var flushIdle: UnsafeMutablePointer<uv_idle_t>?
    var toFlush: [ClientConnection] = []
    var stopAsync: UnsafeMutablePointer<uv_async_t>?
    var signalHandles: [UnsafeMutablePointer<uv_signal_t>] = []
    var connections: [UInt64: ClientConnection] = [:]
    var nextClientID: UInt64 = 1
    var ticks = 0
    var stopping = false
    var leaving = false
    /// Set once the node joined a cluster: what the per-batch hook checks.
    var clustered = false
    var drainScheduled = false
    /// The node's output taken at the end of each loop iteration (buffers reused).
    var output = NodeOutput()
    /// Reads that brought input (clients and peers); what busy polling watches.
    var inputReads: UInt64 = 0
    /// The client port actually bound (differs from the configured one when that was 0).
    public private(set) var boundPort = 0
    public private(set) var boundClusterPort = 0

    /// Binds the listeners; `run()` then serves until stopped.
    public init(configuration: ServerConfiguration, logger: Logger) throws(ServerError) {
        self.configuration = configuration
        self.logger = logger
        var settings = configuration.node
        // A fresh writer id per start: an in-memory node that restarts has lost its dots,
        // so reusing an id could mint a dot twice (see Node.writer). Drawn here, in the
        // driver, because the core owns no unseeded randomness.
        settings.writerID = UInt64.random(in: 1...UInt64.max)
        settings.randomSeed = UInt64.random(in: 0...UInt64.max)
        node = Node(settings: settings)
        loop = .allocate(capacity: 1)
        try UV.check(uv_loop_init(loop), "uv_loop_init")
        loop.pointee.data = Unmanaged.passUnretained(self).toOpaque()
        do {
            listener = try bind(
                configuration.bindAddress, configuration.port,
                onConnection: { server, status in
                    Server.from(server).accept(server, status)
                })
            boundPort = Self.localPort(listener!)
            // Client port + 10000; a client port picked by the system (0) gets a picked peer port
            // too, since its + 10000 may not even be a port.
            let peerPort = configuration.effectiveClusterPort
            let cluster = configuration.cluster
            let authenticator = FrameAuthenticator(
                clusterName: cluster?.clusterName ?? "hearsay",
                key: cluster?.key ?? [])
            peers = try PeerTransport(
                server: self, host: configuration.bindAddress, port: peerPort,
                authenticator: authenticator)
            boundClusterPort = peers!.port
            if let cluster { try joinCluster(cluster) }
            try startTimersAndSignals()
        } catch {
            closeAllHandles()
            uv_run(loop, UV_RUN_DEFAULT)
            uv_loop_close(loop)
            throw error
        }
        node.runtime.processID = ProcessFacts.processID
        node.runtime.tcpPort = boundPort
        node.runtime.clusterPort = boundClusterPort
        node.runtime.bindAddress = configuration.bindAddress
        node.runtime.maxClients = configuration.maxClients
        node.runtime.startedAt = Clocks.monotonic()
        node.runtime.residentBytes = ProcessFacts.residentBytes()
        node.runtime.executablePath = CommandLine.arguments.first ?? ""
    }

    /// The address peers reach this node at: the advertised (or bind) host and the cluster port.
    public var clusterAddress: String {
        let host = configuration.advertiseHost ?? configuration.bindAddress
        return host.contains(":") ? "[\(host)]:\(boundClusterPort)" : "\(host):\(boundClusterPort)"
    }

    private func joinCluster(_ cluster: ClusterConfiguration) throws(ServerError) {
        let host = configuration.advertiseHost ?? configuration.bindAddress
        if host == "0.0.0.0" || host == "::" {
            throw ServerError.invalidAddress("\(host): peers cannot reach a wildcard; set an advertised address")
        }
        var settings = ClusterSettings(nodeID: cluster.nodeID, address: clusterAddress)
        settings.seeds = cluster.seeds
        settings.incarnation = cluster.incarnation ?? UInt64(max(0, Clocks.wall().milliseconds))
        settings.membership = cluster.membership
        settings.replicationFactor = cluster.replicationFactor
        settings.readQuorum = cluster.readQuorum
        settings.writeQuorum = cluster.writeQuorum
        settings.hintsEnabled = cluster.hintsEnabled
        settings.faultInjectionEnabled = cluster.faultInjectionEnabled
        settings.antiEntropyBytesPerSecond = cluster.antiEntropyBytesPerSecond
        settings.antiEntropyIntervalMilliseconds = cluster.antiEntropyIntervalMilliseconds
        node.joinCluster(settings)
        clustered = true
        // Several nodes often log to one terminal (`hearsay cluster`): say which one speaks.
        logger[metadataKey: "node"] = "\(cluster.nodeID)"
    }

    /// Runs the loop until SIGINT, SIGTERM or `requestStop()`; then every handle is closed.
    public func run() {
        signal(SIGPIPE, SIG_IGN)
        // A parent may have started us with these blocked (the mask survives exec; seen with
        // Foundation's Process): then the graceful stop would never run.
        var stopSignals = sigset_t()
        sigemptyset(&stopSignals)
        sigaddset(&stopSignals, SIGINT)
        sigaddset(&stopSignals, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &stopSignals, nil)
        var metadata: Logger.Metadata = [
            "address": "\(configuration.bindAddress):\(boundPort)",
            "cluster-port": "\(boundClusterPort)",
        ]
        if node.cluster.joined {
            let settings = node.cluster.settings
            metadata["node-id"] = "\(settings.nodeID)"
            metadata["cluster-address"] = "\(settings.address)"
            metadata["seeds"] = "\(settings.seeds.joined(separator: ","))"
        }
        logger.info("listening", metadata: metadata)
        if node.cluster.joined, let peers {
            do {
                try peers.start()
            } catch {
                logger.error("cannot start the peer transport", metadata: ["error": "\(error)"])
                stop(reason: "peer transport failed")
            }
        }
        runLoop()
        uv_loop_close(loop)
        logger.info("stopped")
    }

    /// Asks the loop to stop; safe from any thread while `run()` has not returned.
    public func requestStop() {
        if let stopAsync { uv_async_send(stopAsync) }
    }

    deinit {
        stopAsync?.deallocate()
        loop.deallocate()
    }

    static func from<T>(_ handle: UnsafeMutablePointer<T>?) -> Server {
        let h = UV.handle(handle!)
        return Unmanaged<Server>.fromOpaque(h.pointee.loop.pointee.data!).takeUnretainedValue()
    }

    // MARK: Listening

    func bind(_ address: String, _ port: Int, onConnection: uv_connection_cb) throws(ServerError)
        -> UnsafeMutablePointer<uv_tcp_t>
    {
        var storage = sockaddr_storage()
        let parsed = withUnsafeMutableBytes(of: &storage) { raw -> Int32 in
            if address.contains(":") {
                return uv_ip6_addr(address, Int32(port), raw.baseAddress!.assumingMemoryBound(to: sockaddr_in6.self))
            }
            return uv_ip4_addr(address, Int32(port), raw.baseAddress!.assumingMemoryBound(to: sockaddr_in.self))
        }
        guard parsed == 0 else { throw ServerError.invalidAddress(address) }
        let tcp = UnsafeMutablePointer<uv_tcp_t>.allocate(capacity: 1)
        uv_tcp_init(loop, tcp)
        let bound = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { uv_tcp_bind(tcp, $0, 0) }
        }
        var status = bound
        if status == 0 { status = uv_listen(UV.stream(tcp), 511, onConnection) }
        if status != 0 {
            uv_close(UV.handle(tcp)) { $0?.deallocate() }
            throw ServerError.libuv("listen on \(address):\(port)", UV.errorText(status))
        }
        return tcp
    }

    static func localPort(_ tcp: UnsafeMutablePointer<uv_tcp_t>) -> Int {
        var storage = sockaddr_storage()
        var length = Int32(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { uv_tcp_getsockname(tcp, $0, &length) }
        }
        return withUnsafeBytes(of: storage) { raw in
            let family = raw.load(as: sa_family_t.self)
            let port =
                family == sa_family_t(AF_INET6)
                ? raw.load(as: sockaddr_in6.self).sin6_port : raw.load(as: sockaddr_in.self).sin_port
            return Int(UInt16(bigEndian: port))
        }
    }

    func accept(_ server: UnsafeMutablePointer<uv_stream_t>?, _ status: Int32) {
        guard status == 0, !stopping else { return }
        let tcp = UnsafeMutablePointer<uv_tcp_t>.allocate(capacity: 1)
        uv_tcp_init(loop, tcp)
        guard uv_accept(server, UV.stream(tcp)) == 0 else {
            uv_close(UV.handle(tcp)) { $0?.deallocate() }
            return
        }
        node.runtime.totalConnectionsReceived += 1
        if connections.count >= node.runtime.maxClients {
            node.runtime.rejectedConnections += 1
            ClientConnection.refuse(tcp, "-ERR max number of clients reached\r\n")
            return
        }
        uv_tcp_nodelay(tcp, 1)
        let id = nextClientID
        nextClientID += 1
        let connection = ClientConnection(server: self, handle: tcp, id: id)
        connections[id] = connection
        node.runtime.connectedClients = connections.count
        connection.start()
    }

    /// After a batch of client requests: what the commands asked of the cluster goes out at
    /// the end of this loop iteration, together with everything else the iteration produced.
    @inline(__always)
    func clientBatchDone() {
        if clustered { scheduleDrain() }
    }

    /// The node's output waits until this iteration's check phase, so a busy iteration sends
    /// one frame per peer and message type instead of one per client read or peer frame.
    func scheduleDrain() {
        guard !drainScheduled else { return }
        drainScheduled = true
        if let flushIdle, uv_is_active(UV.handle(flushIdle)) == 0 { uv_idle_start(flushIdle) { _ in } }
    }

    /// Takes the node's output and carries it out, as the simulator does after each event:
    /// effects in order, then the deferred replies to their connections.
    func drainNode() {
        let now = Clocks.now()
        node.takeOutput(into: &output, now: now)
        if !output.effects.isEmpty { peers?.perform(output.effects, now: now.monotonic) }
        if !output.replies.isEmpty { deliver(output.replies) }
    }

    /// Replies the core deferred (their requests waited for replicas) are ready: each goes
    /// to its connection, if still open. Consecutive replies are mostly one client's
    /// pipeline, so the last connection found is tried before the table.
    func deliver(_ replies: ClientReplies) {
        var last: ClientConnection? = nil
        replies.forEachReply { client, ticket, bytes in
            if last?.id != client { last = connections[client] }
            last?.deliver(ticket: ticket, bytes)
        }
    }

    /// What the peer transport has counted (read on the loop thread, or after `run()` returned).
    public var peerCounters: PeerCounters { peers?.counters ?? PeerCounters() }

    func connectionClosed(_ connection: ClientConnection) {
        connections[connection.id] = nil
        node.disconnect(id: connection.id)
        node.runtime.connectedClients = connections.count
    }

    // MARK: Timers and signals

    func startTimersAndSignals() throws(ServerError) {
        let timer = UnsafeMutablePointer<uv_timer_t>.allocate(capacity: 1)
        uv_timer_init(loop, timer)
        tickTimer = timer
        let period = UInt64(max(1, configuration.node.activeExpiryIntervalMilliseconds))
        try UV.check(uv_timer_start(timer, { Server.from($0).tick() }, period, period), "uv_timer_start")

        let check = UnsafeMutablePointer<uv_check_t>.allocate(capacity: 1)
        uv_check_init(loop, check)
        try UV.check(uv_check_start(check, { Server.from($0).flushPending() }), "uv_check_start")
        flushCheck = check
        let idle = UnsafeMutablePointer<uv_idle_t>.allocate(capacity: 1)
        uv_idle_init(loop, idle)
        flushIdle = idle

        let async = UnsafeMutablePointer<uv_async_t>.allocate(capacity: 1)
        try UV.check(uv_async_init(loop, async, { Server.from($0).stop(reason: "stop requested") }), "uv_async_init")
        stopAsync = async

        for signum in [SIGINT, SIGTERM] {
            let handle = UnsafeMutablePointer<uv_signal_t>.allocate(capacity: 1)
            uv_signal_init(loop, handle)
            try UV.check(
                uv_signal_start(
                    handle,
                    { h, signum in
                        Server.from(h).signalled(signum == SIGINT ? "SIGINT" : "SIGTERM")
                    }, signum), "uv_signal_start")
            signalHandles.append(handle)
        }
    }

    func tick() {
        let now = Clocks.now()
        node.tick(now: now)
        if clustered { scheduleDrain() }
        ticks += 1
        if ticks % 10 == 0 {
            node.runtime.residentBytes = ProcessFacts.residentBytes()
            var clientBytes = 0
            for connection in connections.values {
                connection.checkOutputDeadline(now.monotonic)
                clientBytes += connection.bufferBytes
            }
            node.runtime.clientBufferBytes = clientBytes
            node.runtime.peerBufferBytes = peers?.bufferBytes ?? 0
        }
    }

    /// In a cluster the first signal leaves gracefully: the leave is announced, the loop
    /// keeps running for `leaveGraceMilliseconds` so it spreads, then the node stops.
    /// A second signal stops at once.
    func signalled(_ reason: String) {
        guard !stopping else { return }
        guard node.cluster.joined, let peers, !leaving else { return stop(reason: reason) }
        leaving = true
        logger.info(
            "leaving the cluster",
            metadata: [
                "reason": "\(reason)",
                "grace-ms": "\(configuration.peer.leaveGraceMilliseconds)",
            ])
        peers.leave()
    }

    /// Closes every handle; the loop then runs out of work and `run()` returns.
    func stop(reason: String) {
        guard !stopping else { return }
        stopping = true
        logger.info("stopping", metadata: ["reason": "\(reason)"])
        for connection in Array(connections.values) { connection.close() }
        closeAllHandles()
    }

    /// Queues a connection's replies for the end of this loop iteration.
    func scheduleFlush(_ connection: ClientConnection) {
        guard !connection.flushScheduled else { return }
        connection.flushScheduled = true
        toFlush.append(connection)
        if let flushIdle, uv_is_active(UV.handle(flushIdle)) == 0 { uv_idle_start(flushIdle) { _ in } }
    }

    func flushPending() {
        if let flushIdle { uv_idle_stop(flushIdle) }
        // The node first: its deferred replies join the connections' output flushed below.
        if drainScheduled {
            drainScheduled = false
            drainNode()
        }
        guard !toFlush.isEmpty else { return }
        let now = Clocks.monotonic()
        let batch = toFlush
        toFlush.removeAll(keepingCapacity: true)
        for connection in batch {
            connection.flushScheduled = false
            if !connection.closing { connection.flush(now) }
        }
    }

    func closeAllHandles() {
        if let listener { uv_close(UV.handle(listener)) { $0?.deallocate() } }
        if let flushCheck { uv_close(UV.handle(flushCheck)) { $0?.deallocate() } }
        if let flushIdle { uv_close(UV.handle(flushIdle)) { $0?.deallocate() } }
        flushCheck = nil
        flushIdle = nil
        peers?.close()
        if let tickTimer { uv_close(UV.handle(tickTimer)) { $0?.deallocate() } }
        // The async handle is freed in deinit, so a late requestStop() never touches freed memory.
        if let stopAsync, uv_is_closing(UV.handle(stopAsync)) == 0 { uv_close(UV.handle(stopAsync), nil) }
        for s in signalHandles { uv_close(UV.handle(s)) { $0?.deallocate() } }
        listener = nil
        tickTimer = nil
        signalHandles = []
    }
}
