import CLibUV
import Glibc
import HearsayCore

/// One TCP connection that carries `.stream` frames, to a peer (outgoing: made on demand,
/// reconnected with backoff) or from one (incoming: read until it closes).
///
/// Bytes for an outgoing peer wait in `queued` while it connects; once connected they go
/// out with `uv_try_write`, and whatever the socket does not take is copied into memory
/// that lives until libuv's write callback. `queued` plus the bytes in flight never pass
/// `sendQueueLimitBytes` (except by the one frame an empty queue always takes): a frame
/// that would is dropped and counted.
///
/// Every read goes through the incremental `FrameDecoder`; any decode error closes this
/// connection (never the node) and is logged.
final class PeerLink: StreamWriter {
    enum Direction { case outgoing, incoming }
    enum State { case idle, waiting, connecting, connected, closed }

    unowned(unsafe) let transport: PeerTransport
    let direction: Direction
    /// The peer's cluster address (outgoing) or the socket's remote address (incoming).
    let address: String
    let id: UInt64
    private(set) var handle: UnsafeMutablePointer<uv_tcp_t>?
    private(set) var state: State
    private var decoder: FrameDecoder
    /// Bytes not yet handed to libuv (waiting for the connection).
    private var queued: [UInt8] = []
    private var queuedFrames = 0
    /// Bytes handed to `uv_write` whose callback has not run yet.
    private(set) var inFlightBytes = 0
    private var backoff: PeerBackoff
    /// No connection attempt before this instant (backoff after a failure).
    private var notBefore = Instant.zero
    private var connectedAt = Instant.zero
    private let readBuffer: UnsafeMutableRawPointer

    static let readBufferBytes = 64 * 1024

    init(transport: PeerTransport, direction: Direction, address: String, id: UInt64) {
        self.transport = transport
        self.direction = direction
        self.address = address
        self.id = id
        let configuration = transport.configuration
        state = direction == .outgoing ? .idle : .connected
        decoder = FrameDecoder(
            maximumPayloadBytes: configuration.maximumFramePayloadBytes,
            authenticator: transport.authenticator)
        backoff = PeerBackoff(
            baseMilliseconds: configuration.reconnectBaseMilliseconds,
            maximumMilliseconds: configuration.reconnectMaximumMilliseconds)
        readBuffer = .allocate(byteCount: Self.readBufferBytes, alignment: 16)
    }

    deinit { readBuffer.deallocate() }

    var pendingBytes: Int { queued.count + inFlightBytes }
    /// What this link holds in buffers: its pending bytes and its read buffer.
    var bufferBytes: Int { queued.capacity + inFlightBytes + PeerLink.readBufferBytes }

    static func from<T>(_ handle: UnsafeMutablePointer<T>?) -> PeerLink {
        Unmanaged<PeerLink>.fromOpaque(UV.handle(handle!).pointee.data!).takeUnretainedValue()
    }

    // MARK: Incoming

    /// Takes over an accepted socket and starts reading from it.
    func adoptAccepted(_ tcp: UnsafeMutablePointer<uv_tcp_t>) {
        tcp.pointee.data = Unmanaged.passRetained(self).toOpaque()
        handle = tcp
        state = .connected
        connectedAt = transport.now()
        uv_tcp_nodelay(tcp, 1)
        startReading()
    }

    // MARK: Sending

    /// Sends one encoded frame, or drops it (false) when the queue bound would be passed.
    func send(_ frame: UnsafeRawBufferPointer, now: Instant) -> Bool {
        guard state != .closed else { return false }
        // An empty queue takes any one frame, so a state larger than the bound still goes out.
        guard pendingBytes == 0 || pendingBytes + frame.count <= transport.configuration.sendQueueLimitBytes else {
            return false
        }
        switch state {
        case .connected:
            write(frame)
        case .connecting, .waiting:
            enqueue(frame)
        case .idle:
            enqueue(frame)
            if now < notBefore {
                state = .waiting
                transport.scheduleReconnect(address, at: notBefore)
            } else {
                connect(now: now)
            }
        case .closed:
            return false
        }
        return true
    }

    private func enqueue(_ frame: UnsafeRawBufferPointer) {
        queued.append(contentsOf: frame)
        queuedFrames += 1
    }

    private func write(_ bytes: UnsafeRawBufferPointer) {
        guard let handle else { return }
        let queued = StreamWrite.write(bytes, to: UV.stream(handle), tryFirst: inFlightBytes == 0)
        guard queued >= 0 else { return lost(reason: UV.errorText(Int32(queued))) }
        inFlightBytes += queued
    }

    func didWrite(_ length: Int, status: Int32, on stream: UnsafeMutablePointer<uv_stream_t>) {
        inFlightBytes -= length
        guard status < 0, let handle, UV.stream(handle) == stream else { return }
        lost(reason: UV.errorText(status))
    }

    // MARK: Connecting (outgoing)

    /// Starts a connection attempt; a failure to even start counts as a failed attempt.
    func connect(now: Instant) {
        guard direction == .outgoing, state == .idle || state == .waiting else { return }
        guard var target = transport.resolve(address) else {
            transport.logConnectFailure(address, reason: "cannot resolve address")
            failed(now: now)
            return
        }
        let tcp = UnsafeMutablePointer<uv_tcp_t>.allocate(capacity: 1)
        uv_tcp_init(transport.server.loop, tcp)
        tcp.pointee.data = Unmanaged.passRetained(self).toOpaque()
        handle = tcp
        uv_tcp_nodelay(tcp, 1)
        let request = UnsafeMutablePointer<uv_connect_t>.allocate(capacity: 1)
        let status = withUnsafePointer(to: &target) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                uv_tcp_connect(request, tcp, address) { request, status in
                    let stream = request!.pointee.handle!
                    request!.deallocate()
                    PeerLink.from(stream).didConnect(status, on: stream)
                }
            }
        }
        transport.counters.connectAttempts += 1
        if status != 0 {
            request.deallocate()
            closeHandle()
            transport.logConnectFailure(address, reason: UV.errorText(status))
            failed(now: now)
            return
        }
        state = .connecting
    }

    private func didConnect(_ status: Int32, on stream: UnsafeMutablePointer<uv_stream_t>) {
        guard let handle, UV.stream(handle) == stream, state == .connecting else { return }
        let now = transport.now()
        if status < 0 {
            closeHandle()
            transport.logConnectFailure(address, reason: UV.errorText(status))
            failed(now: now)
            return
        }
        state = .connected
        connectedAt = now
        transport.counters.connectionsOpened += 1
        startReading()
        guard state == .connected else { return }
        let backlog = queued
        queued = []
        queuedFrames = 0
        backlog.withUnsafeBytes { write($0) }
    }

    /// A failed attempt (or a connection that died young): wait out the backoff, and after
    /// too many failures in a row drop what is queued so stale state is not sent late.
    private func failed(now: Instant) {
        transport.counters.connectFailures += 1
        let delay = backoff.failed(using: &transport.random)
        notBefore = now.adding(milliseconds: delay)
        if backoff.failures >= transport.configuration.reconnectAttemptsBeforeDropping && !queued.isEmpty {
            transport.counters.streamFramesDropped += queuedFrames
            transport.logConnectFailure(
                address,
                reason: "gave up after \(backoff.failures) attempts; "
                    + "dropped \(queuedFrames) queued frames")
            queued = []
            queuedFrames = 0
        }
        if queued.isEmpty {
            state = .idle
        } else {
            state = .waiting
            transport.scheduleReconnect(address, at: notBefore)
        }
    }

    /// The reconnect timer came due.
    func reconnectDue(now: Instant) {
        guard state == .waiting else { return }
        if now < notBefore {
            transport.scheduleReconnect(address, at: notBefore)
            return
        }
        connect(now: now)
    }

    // MARK: Reading

    private func startReading() {
        guard let handle else { return }
        let status = uv_read_start(
            UV.stream(handle),
            { h, _, buf in
                let link = PeerLink.from(h)
                buf!.pointee = uv_buf_init(
                    link.readBuffer.assumingMemoryBound(to: CChar.self),
                    UInt32(PeerLink.readBufferBytes))
            },
            { stream, nread, _ in
                PeerLink.from(stream).didRead(nread, on: stream!)
            })
        if status != 0 { lost(reason: UV.errorText(status)) }
    }

    private func didRead(_ nread: Int, on stream: UnsafeMutablePointer<uv_stream_t>) {
        guard let handle, UV.stream(handle) == stream else { return }
        if nread < 0 {
            if nread == Int(UV_EOF.rawValue) {
                do { try decoder.finish() } catch { transport.streamRefused(self, error) }
                lost(reason: "closed by peer")
            } else {
                lost(reason: UV.errorText(Int32(nread)))
            }
            return
        }
        guard nread > 0 else { return }
        transport.server.inputReads &+= 1
        decoder.append(UnsafeRawBufferPointer(start: readBuffer, count: nread))
        while true {
            let frame: Frame?
            do {
                frame = try decoder.next()
            } catch {
                transport.streamRefused(self, error)
                lost(reason: "undecodable frame: \(error)")
                return
            }
            guard let frame else { return }
            transport.deliver(frame, fromStream: self)
            // Delivering may have sent on this link and lost it.
            guard let current = self.handle, UV.stream(current) == stream else { return }
        }
    }

    // MARK: Closing

    /// The connection ended or failed. Outgoing links reconnect if frames are waiting;
    /// incoming links are gone for good.
    func lost(reason: String) {
        let now = transport.now()
        let wasConnecting = state == .connecting
        let diedYoung =
            now.nanoseconds - connectedAt.nanoseconds
            < transport.configuration.stableConnectionMilliseconds * 1_000_000
        closeHandle()
        decoder = FrameDecoder(
            maximumPayloadBytes: transport.configuration.maximumFramePayloadBytes,
            authenticator: transport.authenticator)
        guard direction == .outgoing, state != .closed else {
            state = .closed
            transport.incomingClosed(self)
            return
        }
        transport.logLinkLost(address, reason: reason)
        if wasConnecting || diedYoung {
            failed(now: now)
        } else {
            backoff.succeeded()
            state = .idle
            if !queued.isEmpty { connect(now: now) }
        }
    }

    /// Closes the socket for good (the node is stopping).
    func shutdown() {
        state = .closed
        closeHandle()
        queued = []
        queuedFrames = 0
    }

    private func closeHandle() {
        guard let tcp = handle else { return }
        handle = nil
        uv_read_stop(UV.stream(tcp))
        uv_close(UV.handle(tcp)) { h in
            Unmanaged<PeerLink>.fromOpaque(h!.pointee.data!).release()
            h!.deallocate()
        }
    }
}
