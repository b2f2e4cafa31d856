import CLibUV
import Glibc
import HearsayCore
import Logging

/// What the peer transport has seen and done since the node started (loop thread only).
public struct PeerCounters: Sendable, Equatable {
    public var datagramsSent = 0
    public var datagramsReceived = 0
    /// Datagrams that were not one well-formed frame (dropped).
    public var garbageDatagrams = 0
    /// Datagrams dropped on send: unresolvable address, send error, or in-flight bound.
    public var datagramsDropped = 0
    /// Datagram-channel frames larger than `maximumDatagramBytes`, sent by stream instead.
    public var datagramsSentByStream = 0
    public var streamFramesSent = 0
    public var streamFramesReceived = 0
    /// Stream frames dropped: over a peer's send queue bound, or queued when it gave up.
    public var streamFramesDropped = 0
    /// Frames (datagram or stream) whose tag failed: another cluster, another key, tampering.
    public var authenticationFailures = 0
    /// Stream connections closed because a frame could not be decoded (any reason).
    public var streamsClosedOnDecodeError = 0
    public var connectAttempts = 0
    public var connectFailures = 0
    public var connectionsOpened = 0
    public var connectionsAccepted = 0
    public var connectionsRefused = 0

    public init() {}
}

/// What the one uv_timer of the transport waits for.
enum PeerTimerEntry {
    case node(NodeTimer)
    case reconnect(String)
    case leaveGraceOver
}

/// The peer side of the libuv runtime: on the cluster port, a UDP socket for
/// `.datagram` frames and a TCP listener for `.stream` frames; outgoing stream links
/// per peer address; one uv_timer over a min-heap of the core's timers. It turns
/// socket input into `NodeEvent`s and performs the `NodeEffect`s that come back.
final class PeerTransport {
    unowned(unsafe) let server: Server
    let configuration: PeerConfiguration
    let authenticator: FrameAuthenticator
    let listener: UnsafeMutablePointer<uv_tcp_t>
    let udp: UnsafeMutablePointer<uv_udp_t>
    let timer: UnsafeMutablePointer<uv_timer_t>
    let port: Int
    var counters = PeerCounters()
    var random = SystemRandomNumberGenerator()

    private var heap = PeerTimerHeap<PeerTimerEntry>()
    private var armedAt: Instant?
    private var firing = false
    private var outgoing: [String: PeerLink] = [:]
    private var incoming: [UInt64: PeerLink] = [:]
    private var nextIncomingID: UInt64 = 1
    private var scratch: [UInt8] = []
    private var resolved: [String: sockaddr_storage] = [:]
    private var datagramBytesInFlight = 0
    private let receiveBuffer: UnsafeMutableRawPointer
    private var lastNow = Instant.zero
    private var closed = false
    private var authenticationLog: PeerRateLimitedLog
    private var decodeLog: PeerRateLimitedLog
    private var garbageLog: PeerRateLimitedLog
    private var connectLog: PeerRateLimitedLog
    private var sendLog: PeerRateLimitedLog

    static let receiveBufferBytes = 64 * 1024
    /// Most resolved addresses kept; the cache is emptied when it is full.
    static let resolvedCacheLimit = 4_096

    var logger: Logger { server.logger }

    /// Bytes held in peer links' buffers, the receive buffer and datagrams in flight.
    var bufferBytes: Int {
        var total = PeerTransport.receiveBufferBytes + datagramBytesInFlight
        for link in outgoing.values { total += link.bufferBytes }
        for link in incoming.values { total += link.bufferBytes }
        return total
    }

    /// Binds TCP on `host:port` (0 picks a port), then UDP on the same port.
    init(server: Server, host: String, port requestedPort: Int, authenticator: FrameAuthenticator)
        throws(ServerError)
    {
        self.server = server
        configuration = server.configuration.peer
        self.authenticator = authenticator
        let interval = configuration.warningIntervalMilliseconds
        authenticationLog = PeerRateLimitedLog(intervalMilliseconds: interval)
        decodeLog = PeerRateLimitedLog(intervalMilliseconds: interval)
        garbageLog = PeerRateLimitedLog(intervalMilliseconds: interval)
        connectLog = PeerRateLimitedLog(intervalMilliseconds: interval)
        sendLog = PeerRateLimitedLog(intervalMilliseconds: interval)
        receiveBuffer = .allocate(byteCount: Self.receiveBufferBytes, alignment: 16)
        let udp = UnsafeMutablePointer<uv_udp_t>.allocate(capacity: 1)
        uv_udp_init(server.loop, udp)
        let timer = UnsafeMutablePointer<uv_timer_t>.allocate(capacity: 1)
        uv_timer_init(server.loop, timer)
        // With port 0 the kernel picks the TCP port, and a UDP socket may already hold that
        // number: then take another (a few tries) rather than fail to start.
        var attempt = 0
        while true {
            let candidate = try server.bind(
                host, requestedPort,
                onConnection: { stream, status in
                    Server.from(stream).peers?.accept(stream, status)
                })
            let chosen = Server.localPort(candidate)
            guard var address = PeerAddress.resolve("\(host.contains(":") ? "[\(host)]" : host):\(chosen)") else {
                uv_close(UV.handle(candidate)) { $0?.deallocate() }
                Self.closeBare(udp, timer)
                throw ServerError.invalidAddress(host)
            }
            let status = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { uv_udp_bind(udp, $0, 0) }
            }
            if status == 0 {
                self.udp = udp
                self.timer = timer
                listener = candidate
                port = chosen
                return
            }
            uv_close(UV.handle(candidate)) { $0?.deallocate() }
            attempt += 1
            if requestedPort != 0 || status != UV_EADDRINUSE.rawValue || attempt == 8 {
                Self.closeBare(udp, timer)
                throw ServerError.libuv("udp bind on \(host):\(chosen)", UV.errorText(status))
            }
        }
    }

    /// Closes the handles made before the listener was bound (init failed).
    private static func closeBare(_ udp: UnsafeMutablePointer<uv_udp_t>, _ timer: UnsafeMutablePointer<uv_timer_t>) {
        uv_close(UV.handle(udp)) { $0?.deallocate() }
        uv_close(UV.handle(timer)) { $0?.deallocate() }
    }

    deinit { receiveBuffer.deallocate() }

    /// The monotonic clock, for this transport's timers; `lastNow` keeps the reading of the
    /// latest event for the effects it produced.
    func now() -> Instant {
        lastNow = Clocks.monotonic()
        return lastNow
    }

    // MARK: Lifecycle

    /// Starts receiving datagrams and sends `.start` to the node.
    func start() throws(ServerError) {
        try UV.check(
            uv_udp_recv_start(
                udp,
                { h, _, buf in
                    let transport = Server.from(h).peers!
                    buf!.pointee = uv_buf_init(
                        transport.receiveBuffer.assumingMemoryBound(to: CChar.self),
                        UInt32(PeerTransport.receiveBufferBytes))
                },
                { h, nread, _, address, flags in
                    Server.from(h).peers?.didReceiveDatagram(nread, from: address, flags: flags)
                }), "uv_udp_recv_start")
        dispatch(.start)
    }

    /// Announces a graceful leave and stops the server once the grace period is over.
    func leave() {
        dispatch(.leave)
        heap.insert(.leaveGraceOver, at: now().adding(milliseconds: configuration.leaveGraceMilliseconds))
        rearm()
    }

    /// Closes every socket and the timer (the node is stopping).
    func close() {
        guard !closed else { return }
        closed = true
        heap.removeAll()
        for link in outgoing.values { link.shutdown() }
        for link in incoming.values { link.shutdown() }
        outgoing = [:]
        incoming = [:]
        closeHandles()
    }

    private func closeHandles() {
        uv_udp_recv_stop(udp)
        uv_close(UV.handle(listener)) { $0?.deallocate() }
        uv_close(UV.handle(udp)) { $0?.deallocate() }
        uv_close(UV.handle(timer)) { $0?.deallocate() }
    }

    // MARK: Driving the node

    /// Hands one event to the node; what it produces waits in the node's output until the
    /// end of this loop iteration (`Server.drainNode`).
    func dispatch(_ event: NodeEvent) {
        guard !closed else { return }
        let clocks = Clocks.now()
        lastNow = clocks.monotonic
        server.node.handle(event, now: clocks)
        server.scheduleDrain()
    }

    /// Performs the node's effects: frames to peers, timers, membership changes to log.
    func perform(_ effects: [NodeEffect], now: Instant) {
        guard !closed else { return }
        lastNow = now
        for effect in effects {
            switch effect {
            case .send(let type, let payload, let address, let channel):
                send(type: type, payload: payload, to: address, channel: channel, now: now)
            case .setTimer(let timer, let at):
                heap.insert(.node(timer), at: at)
            case .membershipChanged(let change):
                logChange(change)
            }
        }
        rearm()
    }

    private func send(type: MessageType, payload: [UInt8], to address: String, channel: PeerChannel, now: Instant) {
        guard payload.count <= configuration.maximumFramePayloadBytes else {
            // Peers would refuse it and drop the connection; the encoder would trap. Drop it here.
            counters.streamFramesDropped += 1
            sendLog.warning(
                logger, "peer frame over the payload limit: dropped",
                ["peer": "\(address)", "type": "\(type)", "bytes": "\(payload.count)"], now: now)
            return
        }
        scratch.removeAll(keepingCapacity: true)
        FrameEncoder.append(
            type: type, payload: payload, authenticator: authenticator,
            maximumPayloadBytes: configuration.maximumFramePayloadBytes, to: &scratch)
        if channel == .datagram && scratch.count <= configuration.maximumDatagramBytes {
            sendDatagram(to: address, now: now)
            return
        }
        if channel == .datagram { counters.datagramsSentByStream += 1 }
        let link: PeerLink
        if let existing = outgoing[address] {
            link = existing
        } else {
            link = PeerLink(transport: self, direction: .outgoing, address: address, id: 0)
            outgoing[address] = link
        }
        let accepted = scratch.withUnsafeBytes { link.send($0, now: now) }
        if accepted {
            counters.streamFramesSent += 1
        } else {
            counters.streamFramesDropped += 1
            sendLog.warning(
                logger, "peer send queue full: frame dropped",
                [
                    "peer": "\(address)", "queued-bytes": "\(link.pendingBytes)",
                    "limit": "\(configuration.sendQueueLimitBytes)",
                ], now: now)
        }
    }

    // MARK: Timers

    func scheduleReconnect(_ address: String, at: Instant) {
        heap.insert(.reconnect(address), at: at)
        rearm()
    }

    /// Points the uv_timer at the earliest deadline in the heap.
    private func rearm() {
        guard !closed, !firing else { return }
        guard let earliest = heap.earliest else {
            if armedAt != nil {
                uv_timer_stop(timer)
                armedAt = nil
            }
            return
        }
        if armedAt == earliest { return }
        let delay = earliest.nanoseconds - now().nanoseconds
        let milliseconds = delay <= 0 ? 0 : UInt64((delay + 999_999) / 1_000_000)
        uv_timer_start(timer, { Server.from($0).peers?.timerFired() }, milliseconds, 0)
        armedAt = earliest
    }

    private func timerFired() {
        armedAt = nil
        firing = true
        let now = now()
        while !closed, let (_, entry) = heap.popDue(now: now) {
            switch entry {
            case .node(let timer):
                dispatch(.timerFired(timer))
            case .reconnect(let address):
                outgoing[address]?.reconnectDue(now: now)
            case .leaveGraceOver:
                firing = false
                server.stop(reason: "left the cluster")
                return
            }
        }
        firing = false
        rearm()
    }

    // MARK: Datagrams

    private func sendDatagram(to address: String, now: Instant) {
        guard var target = resolve(address) else {
            counters.datagramsDropped += 1
            sendLog.warning(logger, "cannot resolve peer address", ["peer": "\(address)"], now: now)
            return
        }
        let length = scratch.count
        let sent = withUnsafePointer(to: &target) { address in
            address.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                scratch.withUnsafeMutableBytes { raw -> Int32 in
                    var buf = uv_buf_init(raw.baseAddress!.assumingMemoryBound(to: CChar.self), UInt32(length))
                    return uv_udp_try_send(udp, &buf, 1, address)
                }
            }
        }
        if sent >= 0 {
            counters.datagramsSent += 1
            return
        }
        guard sent == Int32(UV_EAGAIN.rawValue) else {
            counters.datagramsDropped += 1
            sendLog.warning(
                logger, "datagram send failed", ["peer": "\(address)", "error": "\(UV.errorText(sent))"],
                now: now)
            return
        }
        guard datagramBytesInFlight + length <= configuration.datagramInFlightLimitBytes else {
            counters.datagramsDropped += 1
            return
        }
        let pending = UnsafeMutablePointer<PendingDatagram>.allocate(capacity: 1)
        let copy = UnsafeMutableRawPointer.allocate(byteCount: length, alignment: 1)
        scratch.withUnsafeBytes { copy.copyMemory(from: $0.baseAddress!, byteCount: length) }
        pending.initialize(to: PendingDatagram(request: uv_udp_send_t(), bytes: copy, length: length))
        pending.pointee.request.data = UnsafeMutableRawPointer(pending)
        var buf = uv_buf_init(copy.assumingMemoryBound(to: CChar.self), UInt32(length))
        datagramBytesInFlight += length
        let status = withUnsafePointer(to: &target) { address in
            address.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                uv_udp_send(&pending.pointee.request, udp, &buf, 1, address) { request, status in
                    let pending = request!.pointee.data!.assumingMemoryBound(to: PendingDatagram.self)
                    Server.from(request!.pointee.handle).peers?.didSendDatagram(pending.pointee.length, status)
                    pending.pointee.bytes.deallocate()
                    pending.deinitialize(count: 1)
                    pending.deallocate()
                }
            }
        }
        if status != 0 {
            datagramBytesInFlight -= length
            counters.datagramsDropped += 1
            copy.deallocate()
            pending.deinitialize(count: 1)
            pending.deallocate()
        }
    }

    private func didSendDatagram(_ length: Int, _ status: Int32) {
        datagramBytesInFlight -= length
        if status < 0 { counters.datagramsDropped += 1 } else { counters.datagramsSent += 1 }
    }

    private func didReceiveDatagram(_ nread: Int, from address: UnsafePointer<sockaddr>?, flags: UInt32) {
        guard !closed else { return }
        if nread == 0 && address == nil { return }  // libuv: nothing more to read
        let now = now()
        let sender = address.map(PeerAddress.text) ?? "?"
        guard nread > 0, flags & UInt32(UV_UDP_PARTIAL.rawValue) == 0 else {
            if nread < 0 { return }
            counters.garbageDatagrams += 1
            garbageLog.warning(logger, "dropped a datagram: empty or truncated", ["from": "\(sender)"], now: now)
            return
        }
        let bytes = Array(UnsafeRawBufferPointer(start: receiveBuffer, count: nread))
        let frame: Frame
        do {
            frame = try authenticator.decodeSingle(bytes, maximumPayloadBytes: configuration.maximumFramePayloadBytes)
        } catch {
            if !noteAuthenticationFailure(error, "dropped a datagram", from: sender, now: now) {
                counters.garbageDatagrams += 1
                garbageLog.warning(
                    logger, "dropped an undecodable datagram",
                    ["from": "\(sender)", "error": "\(error)"], now: now)
            }
            return
        }
        counters.datagramsReceived += 1
        dispatch(.frame(frame))
    }

    /// Counts and logs `error` if it is a failed authentication (a datagram or a stream
    /// alike: most likely a peer of another cluster); false for any other error.
    private func noteAuthenticationFailure(_ error: FrameError, _ action: String, from peer: String, now: Instant)
        -> Bool
    {
        switch error {
        case .authenticationFailed, .wrongTagLength: break
        default: return false
        }
        counters.authenticationFailures += 1
        authenticationLog.warning(
            logger, "\(action) that failed authentication (another cluster name or key?)",
            ["peer": "\(peer)", "error": "\(error)"], now: now)
        return true
    }

    // MARK: Streams

    private func accept(_ stream: UnsafeMutablePointer<uv_stream_t>?, _ status: Int32) {
        guard status == 0, !closed else { return }
        let tcp = UnsafeMutablePointer<uv_tcp_t>.allocate(capacity: 1)
        uv_tcp_init(server.loop, tcp)
        guard uv_accept(stream, UV.stream(tcp)) == 0 else {
            uv_close(UV.handle(tcp)) { $0?.deallocate() }
            return
        }
        guard incoming.count < configuration.maximumIncomingConnections else {
            counters.connectionsRefused += 1
            uv_close(UV.handle(tcp)) { $0?.deallocate() }
            return
        }
        counters.connectionsAccepted += 1
        let id = nextIncomingID
        nextIncomingID += 1
        let link = PeerLink(transport: self, direction: .incoming, address: ClientConnection.addresses(tcp).0, id: id)
        incoming[id] = link
        link.adoptAccepted(tcp)
    }

    func incomingClosed(_ link: PeerLink) {
        if link.direction == .incoming { incoming[link.id] = nil }
    }

    func deliver(_ frame: Frame, fromStream link: PeerLink) {
        counters.streamFramesReceived += 1
        dispatch(.frame(frame))
    }

    /// A stream frame could not be decoded: the link closes itself; this counts and logs.
    func streamRefused(_ link: PeerLink, _ error: FrameError) {
        let now = now()
        counters.streamsClosedOnDecodeError += 1
        if !noteAuthenticationFailure(error, "closed a peer connection", from: link.address, now: now) {
            decodeLog.warning(
                logger, "closed a peer connection: undecodable frame",
                ["peer": "\(link.address)", "error": "\(error)"], now: now)
        }
    }

    func logConnectFailure(_ address: String, reason: String) {
        connectLog.warning(
            logger, "cannot connect to peer", ["peer": "\(address)", "reason": "\(reason)"],
            now: now())
    }

    func logLinkLost(_ address: String, reason: String) {
        logger.debug("peer connection lost", metadata: ["peer": "\(address)", "reason": "\(reason)"])
    }

    /// The socket address for "host:port", cached.
    func resolve(_ address: String) -> sockaddr_storage? {
        if let known = resolved[address] { return known }
        guard let fresh = PeerAddress.resolve(address) else { return nil }
        if resolved.count >= Self.resolvedCacheLimit { resolved.removeAll() }
        resolved[address] = fresh
        return fresh
    }

    // MARK: Membership log

    private func logChange(_ change: MembershipChange) {
        let isSelf = change.id == server.node.cluster.settings.nodeID
        var metadata: Logger.Metadata = ["id": "\(change.id)"]
        guard let current = change.current else {
            metadata["address"] = "\(change.previous?.address ?? "?")"
            logger.info("member forgotten", metadata: metadata)
            return
        }
        metadata["address"] = "\(current.address)"
        metadata["incarnation"] = "\(current.incarnation)"
        if isSelf { metadata["self"] = "true" }
        guard let previous = change.previous else {
            logger.info(
                current.status == .alive ? "member joined" : "member learned as \(current.status)",
                metadata: metadata)
            return
        }
        guard previous.status != current.status else {
            logger.debug("member incarnation \(previous.incarnation) -> \(current.incarnation)", metadata: metadata)
            return
        }
        switch current.status {
        case .alive:
            logger.info(
                previous.status == .suspect ? "member alive again (refuted)" : "member rejoined",
                metadata: metadata)
        case .suspect: logger.info("member suspect", metadata: metadata)
        case .down: logger.info("member down", metadata: metadata)
        case .left: logger.info("member left", metadata: metadata)
        }
    }
}

/// A datagram handed to uv_udp_send and the bytes it owns until the callback.
struct PendingDatagram {
    var request: uv_udp_send_t
    var bytes: UnsafeMutableRawPointer
    var length: Int
}
