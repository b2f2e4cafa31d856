import Foundation
import Glibc
import HearsayCore
import HearsayServer
import Logging
import Testing

/// A real node on loopback, on its own thread, for as long as a test needs it.
final class RunningNode: @unchecked Sendable {
    let server: Server
    let port: Int
    private let finished = DispatchSemaphore(value: 0)
    private var stopped = false
    /// The CPU-time clock of the loop's thread (what busy polling spends).
    private(set) var loopThreadClock = clockid_t()

    init(_ configure: (inout ServerConfiguration) -> Void = { _ in }) throws {
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.clusterPort = 0
        configure(&configuration)
        var logger = Logger(label: "hearsay.test")
        logger.logLevel = .error
        server = try Server(configuration: configuration, logger: logger)
        port = server.boundPort
        // The loop thread owns the server from here on; only requestStop() crosses threads.
        nonisolated(unsafe) let loopServer = server
        let started = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var clock = clockid_t()
        let thread = Thread { [finished] in
            pthread_getcpuclockid(pthread_self(), &clock)
            started.signal()
            loopServer.run()
            finished.signal()
        }
        thread.name = "hearsay-test-node"
        thread.start()
        started.wait()
        loopThreadClock = clock
    }

    /// CPU seconds the loop's thread has used so far.
    var loopThreadCPUSeconds: Double {
        var time = timespec()
        clock_gettime(loopThreadClock, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// Stops the node and waits for `run()` to return; false if it did not within the timeout.
    @discardableResult
    func stop(timeout: Double = 10) -> Bool {
        guard !stopped else { return true }
        stopped = true
        server.requestStop()
        return finished.wait(timeout: .now() + timeout) == .success
    }

    deinit { stop() }
}

enum SocketError: Error, CustomStringConvertible {
    case failed(String, Int32)
    case closed
    case timedOut

    var description: String {
        switch self {
        case .failed(let what, let code): return "\(what): \(String(cString: strerror(code)))"
        case .closed: return "connection closed"
        case .timedOut: return "timed out"
        }
    }
}

/// A blocking TCP client with send and receive timeouts, so no test can hang.
final class TestClient {
    let fd: Int32
    private var buffer: [UInt8] = []

    init(port: Int, timeout: Double = 5, receiveBuffer: Int? = nil, sendBuffer: Int? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SocketError.failed("socket", errno) }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        if var size = receiveBuffer.map(Int32.init) {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        if var size = sendBuffer.map(Int32.init) {
            setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        setTimeout(timeout)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard status == 0 else {
            let code = errno
            close(fd)
            throw SocketError.failed("connect", code)
        }
    }

    deinit { close(fd) }

    func setTimeout(_ seconds: Double) {
        var tv = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - seconds.rounded(.down)) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Sends all of `bytes` in one or more writes; throws on timeout.
    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = sendSome(Array(bytes[offset...]))
            guard n > 0 else { throw n == 0 ? SocketError.timedOut : SocketError.failed("send", errno) }
            offset += n
        }
    }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    /// One send call: bytes written, 0 on timeout, -1 on error.
    func sendSome(_ bytes: [UInt8]) -> Int {
        let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return 0 }
        return n
    }

    /// Sends a command as a RESP multibulk request.
    func sendCommand(_ words: [String]) throws { try send(resp(words)) }

    /// Sends a command and reads its reply as text.
    func command(_ words: String...) throws -> String {
        try sendCommand(words)
        return try readReply()
    }

    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n == 0 { throw SocketError.closed }
        if n < 0 {
            if errno == EAGAIN || errno == EWOULDBLOCK { throw SocketError.timedOut }
            if errno == ECONNRESET { throw SocketError.closed }
            throw SocketError.failed("recv", errno)
        }
        buffer += chunk[0..<n]
    }

    private func line(from start: Int) throws -> Int {
        var i = start
        while true {
            while i + 1 >= buffer.count { try fill() }
            if buffer[i] == 13 && buffer[i + 1] == 10 { return i }
            i += 1
        }
    }

    /// The end offset of the reply starting at `start`, reading more as needed.
    private func replyEnd(from start: Int) throws -> Int {
        let crlf = try line(from: start)
        let kind = buffer[start]
        let header = String(decoding: buffer[(start + 1)..<crlf], as: UTF8.self)
        var end = crlf + 2
        switch kind {
        case UInt8(ascii: "$"), UInt8(ascii: "="), UInt8(ascii: "!"):
            guard let n = Int(header), n >= 0 else { return end }
            end += n + 2
            while buffer.count < end { try fill() }
        case UInt8(ascii: "*"), UInt8(ascii: "%"), UInt8(ascii: "~"), UInt8(ascii: ">"):
            guard var n = Int(header), n >= 0 else { return end }
            if kind == UInt8(ascii: "%") { n *= 2 }
            for _ in 0..<n { end = try replyEnd(from: end) }
        default:
            break
        }
        return end
    }

    /// Reads one whole reply and returns its raw bytes.
    func readReplyBytes() throws -> [UInt8] {
        let end = try replyEnd(from: 0)
        let reply = Array(buffer[0..<end])
        buffer.removeFirst(end)
        return reply
    }

    func readReply() throws -> String { String(decoding: try readReplyBytes(), as: UTF8.self) }

    /// Reads until the peer closes; returns the bytes received (also those already buffered).
    /// Throws `timedOut` if the connection stays open past the timeout.
    func readUntilClosed() throws -> [UInt8] {
        while true {
            do { try fill() } catch SocketError.closed { break }
        }
        defer { buffer.removeAll() }
        return buffer
    }
}

/// The RESP multibulk encoding of `words`.
func resp(_ words: [String]) -> [UInt8] {
    var out = Array("*\(words.count)\r\n".utf8)
    for w in words { out += Array("$\(w.utf8.count)\r\n\(w)\r\n".utf8) }
    return out
}

/// The full path of `name` on PATH, or nil.
func executableOnPath(_ name: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
    for dir in path.split(separator: ":") {
        let candidate = "\(dir)/\(name)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
}

/// Runs a program to completion (killing it after `timeout` seconds) and returns its status and output.
func runProgram(_ path: String, _ arguments: [String], timeout: Double = 60) throws -> (Int32, String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let reader = DispatchQueue(label: "output")
    nonisolated(unsafe) var output = Data()
    let readDone = DispatchSemaphore(value: 0)
    reader.async {
        output = pipe.fileHandleForReading.readDataToEndOfFile()
        readDone.signal()
    }
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning && Date() < deadline { usleep(20_000) }
    if process.isRunning {
        kill(process.processIdentifier, SIGKILL)  // SIGTERM may be blocked in the child's inherited mask
        process.waitUntilExit()
    }
    _ = readDone.wait(timeout: .now() + 5)
    return (process.terminationStatus, String(decoding: output, as: UTF8.self))
}
