#if canImport(Glibc)
    import Glibc
#endif

/// A blocking RESP client on a TCP socket. Every connect, write and read waits at most
/// `timeoutMilliseconds` (poll), so an unresponsive node costs a timeout, never a hang.
public final class TCPNodeClient: NodeClient {
    public let address: String
    private var fd: Int32 = -1
    private let timeoutMilliseconds: Int32
    private var parser = RESPValueParser()
    private var readBuffer = [UInt8](repeating: 0, count: 64 * 1024)

    public init(address: String, timeoutMilliseconds: Int = 2_000) throws(InspectError) {
        self.address = address
        self.timeoutMilliseconds = Int32(clamping: timeoutMilliseconds)
        fd = try Self.open(address, timeout: self.timeoutMilliseconds)
    }

    deinit { close() }

    public func close() {
        if fd >= 0 { _ = Glibc.close(fd) }
        fd = -1
    }

    public func send(_ words: [String]) throws(InspectError) -> RESPValue {
        try pipeline([words])[0]
    }

    public func pipeline(_ commands: [[String]]) throws(InspectError) -> [RESPValue] {
        guard fd >= 0 else { throw InspectError.closed }
        var out: [UInt8] = []
        for words in commands { Self.encode(words, into: &out) }
        try write(out)
        var replies: [RESPValue] = []
        replies.reserveCapacity(commands.count)
        while replies.count < commands.count {
            do {
                while let value = try parser.next() {
                    replies.append(value)
                    if replies.count == commands.count { break }
                }
            } catch {
                close()
                throw InspectError.garbage(error.reason)
            }
            if replies.count < commands.count { try read(waitingFor: commands[replies.count].first ?? "?") }
        }
        return replies
    }

    static func encode(_ words: [String], into out: inout [UInt8]) {
        out.append(contentsOf: "*\(words.count)\r\n".utf8)
        for word in words {
            out.append(contentsOf: "$\(word.utf8.count)\r\n".utf8)
            out.append(contentsOf: word.utf8)
            out.append(contentsOf: "\r\n".utf8)
        }
    }

    private func wait(for events: Int16) throws(InspectError) {
        var entry = pollfd(fd: fd, events: events, revents: 0)
        let ready = poll(&entry, 1, timeoutMilliseconds)
        if ready == 0 {
            close()
            throw InspectError.timedOut(address)
        }
        if ready < 0 && errno != EINTR {
            close()
            throw InspectError.unreachable(String(cString: strerror(errno)))
        }
    }

    private func write(_ bytes: [UInt8]) throws(InspectError) {
        var sent = 0
        while sent < bytes.count {
            try wait(for: Int16(POLLOUT))
            let n = bytes.withUnsafeBytes { raw in
                Glibc.send(fd, raw.baseAddress! + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
            }
            if n < 0 {
                if errno == EAGAIN || errno == EINTR { continue }
                close()
                throw InspectError.closed
            }
            sent += n
        }
    }

    private func read(waitingFor command: String) throws(InspectError) {
        while true {
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&entry, 1, timeoutMilliseconds)
            if ready == 0 {
                close()
                throw InspectError.timedOut("\(command) on \(address)")
            }
            if ready < 0 {
                if errno == EINTR { continue }
                close()
                throw InspectError.closed
            }
            let n = readBuffer.withUnsafeMutableBytes { raw in recv(fd, raw.baseAddress!, raw.count, 0) }
            if n > 0 {
                parser.append(readBuffer[0..<n])
                return
            }
            if n < 0 && (errno == EAGAIN || errno == EINTR) { continue }
            close()
            throw InspectError.closed
        }
    }

    /// Resolves `host:port` and connects without blocking longer than `timeout`.
    static func open(_ address: String, timeout: Int32) throws(InspectError) -> Int32 {
        guard let colon = address.lastIndex(of: ":"), let port = UInt16(address[address.index(after: colon)...])
        else { throw InspectError.unreachable("'\(address)' is not host:port") }
        var host = String(address[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host.isEmpty ? "127.0.0.1" : host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw InspectError.unreachable("cannot resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        var lastError = "no address"
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        while let info = candidate {
            candidate = info.pointee.ai_next
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            if fd < 0 { continue }
            let flags = fcntl(fd, F_GETFL, 0)
            _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
            var one: Int32 = 1
            _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            if connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 { return fd }
            if errno == EINPROGRESS {
                var entry = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                if poll(&entry, 1, timeout) == 1 {
                    var error: Int32 = 0
                    var length = socklen_t(MemoryLayout<Int32>.size)
                    _ = getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
                    if error == 0 { return fd }
                    lastError = String(cString: strerror(error))
                } else {
                    lastError = "connect timed out"
                }
            } else {
                lastError = String(cString: strerror(errno))
            }
            _ = Glibc.close(fd)
        }
        throw InspectError.unreachable("\(address): \(lastError)")
    }
}

/// Connects over TCP; a member's client port is its cluster port minus `clusterPortOffset`
/// (a node's cluster port defaults to its client port + 10000).
public struct TCPConnector: NodeConnector {
    public var timeoutMilliseconds: Int
    public var clusterPortOffset: Int

    public init(timeoutMilliseconds: Int = 2_000, clusterPortOffset: Int = 10_000) {
        self.timeoutMilliseconds = timeoutMilliseconds
        self.clusterPortOffset = clusterPortOffset
    }

    public func connect(to address: String) throws(InspectError) -> NodeClient {
        try TCPNodeClient(address: address, timeoutMilliseconds: timeoutMilliseconds)
    }

    public func clientAddress(forPeer peerAddress: String) -> String {
        guard let colon = peerAddress.lastIndex(of: ":"),
            let port = Int(peerAddress[peerAddress.index(after: colon)...])
        else { return peerAddress }
        return "\(peerAddress[..<colon]):\(port - clusterPortOffset)"
    }
}
