import Foundation
import Glibc
import HearsayAuth
import HearsayCore
import Testing

@testable import HearsayServer

// MARK: Pure parts of the transport

@Test func peerTimerHeap_popsInDeadlineOrderAndTiesInInsertionOrder() {
    var heap = PeerTimerHeap<String>()
    let deadlines: [(String, Int64)] = [("c", 30), ("a", 10), ("e", 50), ("b1", 20), ("d", 40), ("b2", 20)]
    for (name, ms) in deadlines { heap.insert(name, at: Instant(milliseconds: ms)) }
    #expect(heap.earliest == Instant(milliseconds: 10))
    #expect(heap.popDue(now: Instant(milliseconds: 5)) == nil)
    var order: [String] = []
    while let (_, name) = heap.popDue(now: Instant(milliseconds: 40)) { order.append(name) }
    #expect(order == ["a", "b1", "b2", "c", "d"])
    #expect(heap.count == 1)
    #expect(heap.earliest == Instant(milliseconds: 50))
}

@Test func peerTimerHeap_matchesASortOnRandomDeadlines() {
    var generator = SystemRandomNumberGenerator()
    var heap = PeerTimerHeap<Int>()
    var all: [Int64] = []
    for i in 0..<500 {
        let at = Int64.random(in: 0..<1_000, using: &generator)
        all.append(at)
        heap.insert(i, at: Instant(milliseconds: at))
    }
    var popped: [Int64] = []
    while let (at, _) = heap.popDue(now: Instant(milliseconds: 1_000)) { popped.append(at.milliseconds) }
    #expect(popped == all.sorted())
    #expect(heap.isEmpty)
}

@Test func peerBackoff_doublesFromTheBaseUpToTheCapWithJitterWithinHalfAndWhole() {
    var backoff = PeerBackoff(baseMilliseconds: 100, maximumMilliseconds: 10_000)
    var generator = SystemRandomNumberGenerator()
    let nominal: [Int64] = [100, 200, 400, 800, 1_600, 3_200, 6_400, 10_000, 10_000, 10_000]
    for expected in nominal {
        let delay = backoff.failed(using: &generator)
        #expect(backoff.nominalMilliseconds(afterFailures: backoff.failures) == expected)
        #expect(delay >= expected / 2 && delay <= expected, "delay \(delay) for nominal \(expected)")
    }
    backoff.succeeded()
    #expect(backoff.failures == 0)
    #expect(backoff.failed(using: &generator) <= 100)
}

@Test func peerAddress_splitsHostPortAndBracketedIPv6AndRefusesBadPorts() {
    #expect(PeerAddress.split("127.0.0.1:17379")! == ("127.0.0.1", 17_379))
    #expect(PeerAddress.split("[::1]:7000")! == ("::1", 7_000))
    #expect(PeerAddress.split("localhost:1")! == ("localhost", 1))
    #expect(PeerAddress.split("127.0.0.1") == nil)
    #expect(PeerAddress.split("127.0.0.1:0") == nil)
    #expect(PeerAddress.split("127.0.0.1:70000") == nil)
    #expect(PeerAddress.split(":7000") == nil)
    #expect(PeerAddress.resolve("127.0.0.1:7000") != nil)
    #expect(PeerAddress.resolve("localhost:7000") != nil)
}

// MARK: A real node's cluster port

/// Sends one UDP datagram to 127.0.0.1:port.
private func sendDatagram(_ bytes: [UInt8], port: Int) throws {
    let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
    guard fd >= 0 else { throw SocketError.failed("socket", errno) }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let sent = bytes.withUnsafeBytes { raw in
        withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(fd, raw.baseAddress, raw.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
    }
    guard sent == bytes.count else { throw SocketError.failed("sendto", errno) }
}

private func clusterNode(name: String = "hearsay", key: String = "") throws -> RunningNode {
    try RunningNode { configuration in
        var cluster = ClusterConfiguration(nodeID: NodeID(0xA1))
        cluster.clusterName = name
        cluster.key = Array(key.utf8)
        cluster.membership = .local
        configuration.cluster = cluster
    }
}

@Test func clusterPort_dropsGarbageAndForeignDatagramsAndKeepsServing() throws {
    let node = try clusterNode(key: "k")
    let port = node.server.boundClusterPort
    try sendDatagram(Array("PING\r\n".utf8), port: port)
    var foreign: [UInt8] = []
    FrameEncoder.append(
        type: .ping, payload: [1, 2, 3],
        authenticator: FrameAuthenticator(clusterName: "hearsay", key: Array("other".utf8)),
        to: &foreign)
    try sendDatagram(foreign, port: port)
    // Datagrams are asynchronous: a client round trip after them shows the node still serves.
    usleep(200_000)
    let client = try TestClient(port: node.port)
    #expect(try client.command("PING") == "+PONG\r\n")
    #expect(node.stop())
    let counters = node.server.peerCounters
    #expect(counters.garbageDatagrams == 1)
    #expect(counters.authenticationFailures == 1)
    #expect(counters.datagramsReceived == 0)
}

@Test func clusterPort_closesAStreamOnAnyDecodeErrorAndKeepsServingOthers() throws {
    let node = try clusterNode()
    let port = node.server.boundClusterPort
    // Not a Hearsay frame at all (a Redis client on the wrong port).
    let stranger = try TestClient(port: port, timeout: 5)
    try stranger.send("*1\r\n$4\r\nPING\r\n")
    #expect(try stranger.readUntilClosed().isEmpty)
    // A well-formed frame of another cluster: refused by its tag.
    let foreign = try TestClient(port: port, timeout: 5)
    var frame: [UInt8] = []
    FrameEncoder.append(
        type: .pushPull, payload: [0], authenticator: FrameAuthenticator(clusterName: "other", key: []),
        to: &frame)
    try foreign.send(frame)
    #expect(try foreign.readUntilClosed().isEmpty)
    // The node still serves clients, and HS.MEMBERS shows it alone.
    let client = try TestClient(port: node.port)
    #expect(try client.command("HS.MEMBERS").contains("00000000000000a1"))
    #expect(node.stop())
    let counters = node.server.peerCounters
    #expect(counters.streamsClosedOnDecodeError == 2)
    #expect(counters.authenticationFailures == 1)
    #expect(counters.connectionsAccepted == 2)
}

@Test func clusterPort_twoInProcessNodesJoinOverRealSockets() throws {
    let first = try clusterNode()
    let seed = "127.0.0.1:\(first.server.boundClusterPort)"
    let second = try RunningNode { configuration in
        var cluster = ClusterConfiguration(nodeID: NodeID(0xB2))
        cluster.seeds = [seed]
        cluster.membership = .local
        configuration.cluster = cluster
    }
    let joined = eventually(within: 10) {
        let a = (try? members(port: first.port))?.map(\.id) ?? []
        let b = (try? members(port: second.port))?.map(\.id) ?? []
        return a == ["00000000000000a1", "00000000000000b2"] && a == b
    }
    #expect(joined)
    // Three probe periods, so each has probed the other by datagram.
    usleep(UInt32(3 * MembershipSettings.local.probeIntervalMilliseconds * 1_000))
    #expect(second.stop())
    #expect(first.stop())
    // The join went by stream (push-pull), probes by datagram.
    #expect(second.server.peerCounters.streamFramesSent >= 1)
    #expect(first.server.peerCounters.streamFramesReceived >= 1)
    #expect(first.server.peerCounters.datagramsReceived >= 1)
    #expect(second.server.peerCounters.datagramsReceived >= 1)
}

/// A loopback port with nothing listening on it now.
private func closedPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let ok = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
        }
    }
    guard ok else { throw SocketError.failed("bind", errno) }
    return Int(UInt16(bigEndian: address.sin_port))
}

@Test func unreachableSeed_backsOffAndBoundsItsQueueWhileTheNodeServes() throws {
    let seedPort = try closedPort()
    let node = try RunningNode { configuration in
        var cluster = ClusterConfiguration(nodeID: NodeID(0xC3))
        cluster.seeds = ["127.0.0.1:\(seedPort)"]
        cluster.membership = .local
        configuration.cluster = cluster
        // One frame at most: every join retry while the first still waits is dropped.
        configuration.peer.sendQueueLimitBytes = 1
    }
    // Two and a half join retry intervals: at least two retries pile onto the waiting link.
    usleep(UInt32(5 * MembershipSettings.local.joinRetryIntervalMilliseconds * 1_000 / 2))
    let client = try TestClient(port: node.port)
    #expect(try client.command("PING") == "+PONG\r\n")
    #expect(node.stop())
    let counters = node.server.peerCounters
    #expect(counters.streamFramesDropped >= 1)
    #expect(counters.connectFailures >= 2)
    // Backoff: delays of at least 50, 100, 200, 400, 800 ms (half of the nominal 100 ms doubling)
    // allow at most 6 attempts in 2.5 s (8 asserted); without backoff there would be hundreds.
    #expect(counters.connectAttempts <= 8)
}
