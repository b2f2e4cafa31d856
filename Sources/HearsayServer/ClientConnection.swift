import CLibUV
import Glibc
import HearsayCore
import RESP

/// One client's socket, input buffer and pending output.
///
/// Input is parsed in place: arguments point into `input` while the core executes
/// them. All replies to one read leave in one write. Output that the socket does
/// not take at once is queued; past the soft limit reads pause until the client
/// drains it, past the hard limit (or after too long above the soft one) the
/// client is dropped.
final class ClientConnection: StreamWriter {
    let id: UInt64
    /// unowned(unsafe): the server outlives its connections, and checked unowned cost a
    /// runtime call per access on the hot path.
    unowned(unsafe) let server: Server
    let handle: UnsafeMutablePointer<uv_tcp_t>
    var input: UnsafeMutableRawPointer
    var inputCapacity: Int
    var inputCount = 0
    var parser: RequestParser
    var arguments = Arguments()
    var session: ClientSession
    var reply = ReplyBuffer()
    var pendingWriteBytes = 0
    var readsPaused = false
    var aboveSoftLimitSince: Instant? = nil
    var closeWhenDrained = false
    var closing = false
    /// Whether the server will flush this connection's replies at the end of the loop iteration.
    var flushScheduled = false
    /// Replies that must wait for an earlier deferred one (see `WaitingReplies`).
    var waiting = WaitingReplies()

    /// What this connection holds in buffers (INFO `mem_clients_normal`).
    var bufferBytes: Int { inputCapacity + reply.capacity + pendingWriteBytes }

    static let initialInputCapacity = 16 * 1024
    static let minimumReadSpace = 16 * 1024
    static let replyCapacityKept = 1 << 20

    init(server: Server, handle: UnsafeMutablePointer<uv_tcp_t>, id: UInt64) {
        self.id = id
        self.server = server
        self.handle = handle
        input = .allocate(byteCount: Self.initialInputCapacity, alignment: 16)
        inputCapacity = Self.initialInputCapacity
        parser = RequestParser(limits: server.configuration.limits)
        let (peer, local) = Self.addresses(handle)
        session = server.node.connect(id: id, address: peer, localAddress: local, now: Clocks.monotonic())
    }

    deinit {
        input.deallocate()
    }

    func start() {
        handle.pointee.data = Unmanaged.passRetained(self).toOpaque()
        resumeReading()
    }

    static func from(_ stream: UnsafeMutablePointer<uv_stream_t>?) -> ClientConnection {
        Unmanaged<ClientConnection>.fromOpaque(stream!.pointee.data!).takeUnretainedValue()
    }

    // MARK: Reading

    func resumeReading() {
        readsPaused = false
        let status = uv_read_start(
            UV.stream(handle),
            { h, suggested, buf in
                let c = Unmanaged<ClientConnection>.fromOpaque(h!.pointee.data!).takeUnretainedValue()
                c.provideReadSpace(buf!)
            },
            { stream, nread, _ in
                ClientConnection.from(stream).didRead(nread)
            })
        if status != 0 { close() }
    }

    func pauseReading() {
        readsPaused = true
        uv_read_stop(UV.stream(handle))
    }

    func provideReadSpace(_ buf: UnsafeMutablePointer<uv_buf_t>) {
        if inputCapacity - inputCount < Self.minimumReadSpace {
            let grown = max(inputCapacity * 2, inputCount + Self.minimumReadSpace)
            let fresh = UnsafeMutableRawPointer.allocate(byteCount: grown, alignment: 16)
            fresh.copyMemory(from: input, byteCount: inputCount)
            input.deallocate()
            input = fresh
            inputCapacity = grown
        }
        buf.pointee = uv_buf_init(
            (input + inputCount).assumingMemoryBound(to: CChar.self), UInt32(inputCapacity - inputCount))
    }

    func didRead(_ nread: Int) {
        if nread < 0 {
            close()
            return
        }
        guard nread > 0 else { return }
        inputCount += nread
        server.node.runtime.inputBytes += nread
        server.inputReads &+= 1
        processInput()
        if !closing && inputCount > server.configuration.maxQueryBufferBytes {
            server.logger.warning("closing client: query buffer limit", metadata: ["client": "\(id)"])
            close()
        }
    }

    /// Parses and executes every complete request in the input, then sends the replies in one write.
    func processInput() {
        var start = 0
        let now = Clocks.now()
        requests: while start < inputCount && !closeWhenDrained {
            let view = UnsafeRawBufferPointer(start: input + start, count: inputCount - start)
            switch parser.parse(view, into: &arguments) {
            case .request(let consumed):
                start += consumed
                guard arguments.count > 0 else { continue }
                let start = reply.count
                switch server.node.execute(arguments, session: &session, now: now, reply: &reply) {
                case .proceed:
                    if !waiting.isEmpty { waiting.appendReady(reply.cut(from: start)) }
                case .closeAfterReply:
                    if !waiting.isEmpty { waiting.appendReady(reply.cut(from: start)) }
                    closeWhenDrained = true
                case .deferred(let ticket):
                    waiting.appendDeferred(ticket: ticket)
                }
            case .needMore:
                break requests
            case .failure(let error):
                server.node.noteProtocolError()
                reply.error(error.message)
                closeWhenDrained = true
                start = inputCount
            }
        }
        if start > 0 {
            inputCount -= start
            if inputCount > 0 { input.copyMemory(from: input + start, byteCount: inputCount) }
        }
        if inputCount == 0 && inputCapacity > Self.replyCapacityKept {
            input.deallocate()
            input = .allocate(byteCount: Self.initialInputCapacity, alignment: 16)
            inputCapacity = Self.initialInputCapacity
        }
        server.scheduleFlush(self)
        server.clientBatchDone()
    }

    /// A deferred reply arrived: fill its slot and release every reply now in order.
    func deliver(ticket: UInt64, _ bytes: UnsafeRawBufferPointer) {
        guard !closing, waiting.deliver(ticket: ticket, bytes, into: &reply) else { return }
        server.scheduleFlush(self)
    }

    // MARK: Writing

    func flush(_ now: Instant) {
        if !reply.isEmpty {
            send(now)
        }
        if closeWhenDrained && pendingWriteBytes == 0 && waiting.isEmpty { close() }
    }

    private func send(_ now: Instant) {
        let total = reply.count
        server.node.runtime.outputBytes += total
        let queued = reply.withUnsafeBytes {
            StreamWrite.write($0, to: UV.stream(handle), tryFirst: pendingWriteBytes == 0)
        }
        guard queued >= 0 else { return close() }
        pendingWriteBytes += queued
        reply.removeAll()
        reply.shrink(ifLargerThan: Self.replyCapacityKept)
        if pendingWriteBytes > server.configuration.outputHardLimitBytes {
            server.logger.warning("closing client: output hard limit", metadata: ["client": "\(id)"])
            close()
        } else if pendingWriteBytes > server.configuration.outputSoftLimitBytes && !readsPaused {
            aboveSoftLimitSince = now
            pauseReading()
        }
    }

    func didWrite(_ length: Int, status: Int32, on stream: UnsafeMutablePointer<uv_stream_t>) {
        pendingWriteBytes -= length
        if status < 0 {
            close()
            return
        }
        if readsPaused && !closing && pendingWriteBytes <= server.configuration.outputSoftLimitBytes / 2 {
            aboveSoftLimitSince = nil
            resumeReading()
        }
        if closeWhenDrained && pendingWriteBytes == 0 && waiting.isEmpty { close() }
    }

    /// Drops a client that has kept more than the soft limit unread for too long.
    func checkOutputDeadline(_ now: Instant) {
        guard let since = aboveSoftLimitSince else { return }
        let limit = server.configuration.outputSoftLimitMilliseconds
        if now.nanoseconds - since.nanoseconds > limit * 1_000_000 {
            server.logger.warning("closing client: output soft limit held too long", metadata: ["client": "\(id)"])
            close()
        }
    }

    // MARK: Closing

    func close() {
        guard !closing else { return }
        closing = true
        uv_read_stop(UV.stream(handle))
        server.connectionClosed(self)
        uv_close(UV.handle(handle)) { h in
            let connection = Unmanaged<ClientConnection>.fromOpaque(h!.pointee.data!)
            connection.release()
            h!.deallocate()
        }
    }

    /// Tells a client it cannot be served and closes its socket without registering it.
    static func refuse(_ tcp: UnsafeMutablePointer<uv_tcp_t>, _ message: StaticString) {
        var buf = uv_buf_init(
            UnsafeMutableRawPointer(mutating: message.utf8Start).assumingMemoryBound(to: CChar.self),
            UInt32(message.utf8CodeUnitCount))
        _ = uv_try_write(UV.stream(tcp), &buf, 1)
        uv_close(UV.handle(tcp)) { $0?.deallocate() }
    }

    static func addresses(_ tcp: UnsafeMutablePointer<uv_tcp_t>) -> (String, String) {
        func text(_ get: (UnsafeMutablePointer<sockaddr>, UnsafeMutablePointer<Int32>) -> Int32) -> String {
            var storage = sockaddr_storage()
            var length = Int32(MemoryLayout<sockaddr_storage>.size)
            let ok = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { get($0, &length) }
            }
            guard ok == 0 else { return "?" }
            var name = [CChar](repeating: 0, count: 64)
            return withUnsafeBytes(of: storage) { raw in
                if raw.load(as: sa_family_t.self) == sa_family_t(AF_INET6) {
                    var a = raw.load(as: sockaddr_in6.self)
                    uv_ip6_name(&a, &name, 64)
                    return "[\(String(cString: name))]:\(UInt16(bigEndian: a.sin6_port))"
                }
                var a = raw.load(as: sockaddr_in.self)
                uv_ip4_name(&a, &name, 64)
                return "\(String(cString: name)):\(UInt16(bigEndian: a.sin_port))"
            }
        }
        return (text { uv_tcp_getpeername(tcp, $0, $1) }, text { uv_tcp_getsockname(tcp, $0, $1) })
    }
}
