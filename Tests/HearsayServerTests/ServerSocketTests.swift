import Foundation
import Glibc
import HearsayServer
import Testing

/// A real node on loopback, driven over real sockets.
@Suite(.serialized) struct ServerSocketTests {
    static let setAndGet = resp(["SET", "split", "hello world"]) + resp(["GET", "split"])
    static let setAndGetReplies = "+OK\r\n$11\r\nhello world\r\n"

    @Test func requestSplitAtEveryByteBoundaryInTwoWrites() throws {
        let node = try RunningNode()
        let bytes = Self.setAndGet
        for cut in 1..<bytes.count {
            let client = try TestClient(port: node.port)
            try client.send(Array(bytes[..<cut]))
            usleep(2_000)  // let the first part arrive as its own read
            try client.send(Array(bytes[cut...]))
            #expect(try client.readReply() + client.readReply() == Self.setAndGetReplies, "cut at \(cut)")
        }
        #expect(node.stop())
    }

    @Test func requestSentOneByteAtATime() throws {
        let node = try RunningNode()
        let client = try TestClient(port: node.port)
        for byte in Self.setAndGet {
            try client.send([byte])
            usleep(500)
        }
        #expect(try client.readReply() + client.readReply() == Self.setAndGetReplies)
        #expect(node.stop())
    }

    @Test func pipelinedRepliesComeBackInOrder() throws {
        let node = try RunningNode()
        let client = try TestClient(port: node.port)
        var batch: [UInt8] = []
        for i in 0..<2000 {
            batch += i % 2 == 0 ? resp(["INCR", "counter"]) : resp(["ECHO", "message \(i)"])
        }
        try client.send(batch)
        for i in 0..<2000 {
            let expected = i % 2 == 0 ? ":\(i / 2 + 1)\r\n" : "$\("message \(i)".utf8.count)\r\nmessage \(i)\r\n"
            let reply = try client.readReply()
            if reply != expected {
                Issue.record("reply \(i): \(reply.debugDescription), expected \(expected.debugDescription)")
                break
            }
        }
        #expect(try client.command("GET", "counter") == "$4\r\n1000\r\n")
        #expect(node.stop())
    }

    @Test func inlineCommandsWithQuotes() throws {
        let node = try RunningNode()
        let client = try TestClient(port: node.port)
        try client.send("PING\r\nSET greeting \"hello \\x41 world\"\r\nGET greeting\nECHO 'single quoted'\r\n")
        #expect(try client.readReply() == "+PONG\r\n")
        #expect(try client.readReply() == "+OK\r\n")
        #expect(try client.readReply() == "$13\r\nhello A world\r\n")
        #expect(try client.readReply() == "$13\r\nsingle quoted\r\n")
        try client.send("\r\n\r\nPING\r\n")  // empty lines are skipped
        #expect(try client.readReply() == "+PONG\r\n")
        #expect(node.stop())
    }

    @Test func malformedRequestGetsProtocolErrorAndOnlyThatClientIsClosed() throws {
        let node = try RunningNode()
        let bystander = try TestClient(port: node.port)
        #expect(try bystander.command("SET", "k", "v") == "+OK\r\n")
        let cases = ["*1\r\n$x\r\n", "*abc\r\n", "*1\r\nPING\r\n", "SET k \"unbalanced\r\n"]
        for bad in cases {
            let client = try TestClient(port: node.port)
            try client.send("PING\r\n" + bad + "PING\r\n")
            #expect(try client.readReply() == "+PONG\r\n")
            let error = try client.readReply()
            #expect(error.hasPrefix("-ERR Protocol error: "), "\(bad.debugDescription) -> \(error.debugDescription)")
            #expect(try client.readUntilClosed().isEmpty, "nothing after the protocol error")
            #expect(try bystander.command("GET", "k") == "$1\r\nv\r\n")
        }
        #expect(node.stop())
    }

    @Test func clientThatNeverReadsIsPausedWhileOthersAreServed() throws {
        let node = try RunningNode { configuration in
            configuration.outputSoftLimitBytes = 256 << 10
            configuration.outputHardLimitBytes = 1 << 30
        }
        let setup = try TestClient(port: node.port)
        let big = String(repeating: "x", count: 10_000)
        #expect(try setup.command("SET", "big", big) == "+OK\r\n")

        let slow = try TestClient(port: node.port, timeout: 0.3, receiveBuffer: 4096, sendBuffer: 16384)
        // 5 MB of replies: far more than the socket buffers and the soft limit.
        try slow.send(Array(repeating: resp(["GET", "big"]), count: 500).flatMap { $0 })
        // Then requests with tiny replies; a paused server stops reading them, so our sends
        // block long before 64 MB. A server that kept reading would take them all.
        let padding = resp(["SET", "pad", String(repeating: "p", count: 64 * 1024)])
        var completeSets = 0
        var partial = 0
        var totalSent = 0
        sending: while totalSent < 64 << 20 {
            var offset = 0
            while offset < padding.count {
                let n = slow.sendSome(Array(padding[offset...]))
                if n <= 0 {
                    partial = offset
                    break sending
                }
                offset += n
                totalSent += n
            }
            completeSets += 1
        }
        #expect(totalSent < 64 << 20, "the server kept reading from a client that does not read")

        let other = try TestClient(port: node.port)
        #expect(try other.command("PING") == "+PONG\r\n")
        #expect(try other.command("STRLEN", "big") == ":10000\r\n")

        // Reading drains the replies in order, and the server resumes reading.
        slow.setTimeout(10)
        for i in 0..<500 where try slow.readReplyBytes().count != 10_010 {
            Issue.record("GET reply \(i) has the wrong size")
            break
        }
        if partial > 0 { try slow.send(Array(padding[partial...])) }
        let oks = completeSets + (partial > 0 ? 1 : 0)
        for _ in 0..<oks { #expect(try slow.readReply() == "+OK\r\n") }
        #expect(try slow.command("PING") == "+PONG\r\n")
        #expect(node.stop())
    }

    @Test func clientPastTheHardOutputLimitIsDropped() throws {
        let node = try RunningNode { configuration in
            configuration.outputSoftLimitBytes = 64 << 10
            configuration.outputHardLimitBytes = 1 << 20
        }
        let setup = try TestClient(port: node.port)
        #expect(try setup.command("SET", "big", String(repeating: "x", count: 10_000)) == "+OK\r\n")
        let slow = try TestClient(port: node.port, timeout: 10, receiveBuffer: 4096)
        // One write whose replies (20 MB) overshoot the hard limit within a single read.
        try slow.send(Array(repeating: Array("GET big\r\n".utf8), count: 2000).flatMap { $0 })
        usleep(200_000)
        let received = try slow.readUntilClosed()
        #expect(received.count < 2000 * 10_010, "the whole reply arrived: the client was not dropped")
        #expect(try setup.command("PING") == "+PONG\r\n")
        #expect(node.stop())
    }

    @Test func maxclientsRefusesTheExtraClientWithRedisText() throws {
        let node = try RunningNode { $0.maxClients = 2 }
        let first = try TestClient(port: node.port)
        let second = try TestClient(port: node.port)
        #expect(try first.command("PING") == "+PONG\r\n")
        #expect(try second.command("PING") == "+PONG\r\n")
        let third = try TestClient(port: node.port)
        #expect(
            String(decoding: try third.readUntilClosed(), as: UTF8.self)
                == "-ERR max number of clients reached\r\n")
        #expect(try first.command("PING") == "+PONG\r\n")
        #expect(node.stop())
    }

    @Test func quitRepliesOKThenCloses() throws {
        let node = try RunningNode()
        let client = try TestClient(port: node.port)
        try client.send(resp(["QUIT"]) + resp(["PING"]))
        #expect(String(decoding: try client.readUntilClosed(), as: UTF8.self) == "+OK\r\n")
        #expect(node.stop())
    }

    @Test func requestStopShutsDownCleanlyAndClosesClients() throws {
        let node = try RunningNode()
        let client = try TestClient(port: node.port)
        #expect(try client.command("SET", "k", "v") == "+OK\r\n")
        #expect(node.stop(), "run() did not return after requestStop()")
        #expect(try client.readUntilClosed().isEmpty)
        #expect(throws: SocketError.self) { _ = try TestClient(port: node.port) }
    }

    @Test func expiredKeysVanishThroughTheRealClock() throws {
        let node = try RunningNode()
        let client = try TestClient(port: node.port)
        #expect(try client.command("SET", "short", "v", "PX", "50") == "+OK\r\n")
        #expect(try client.command("SET", "long", "v", "EX", "100") == "+OK\r\n")
        usleep(400_000)  // past the deadline and several active-expiry ticks
        #expect(try client.command("DBSIZE") == ":1\r\n")
        #expect(node.stop())
    }
}
