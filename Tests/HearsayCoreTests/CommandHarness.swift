import Foundation
import RESP
import Testing

@testable import HearsayCore

/// Drives `Node.execute` directly, one client session, with a clock the test moves.
struct CommandHarness {
    var node: Node
    var session: ClientSession
    var now: Now
    var lastOutcome: CommandOutcome = .proceed

    static let start = Now(milliseconds: 1_700_000_000_000)

    init(settings: NodeSettings = NodeSettings(), now: Now = CommandHarness.start, clientID: UInt64 = 7) {
        node = Node(settings: settings)
        self.now = now
        session = node.connect(
            id: clientID, address: "127.0.0.1:50000", localAddress: "127.0.0.1:7379", now: now.monotonic)
    }

    /// Runs one command and returns its raw reply, e.g. "+OK\r\n".
    @discardableResult
    mutating func run(_ words: String...) -> String { run(words) }

    @discardableResult
    mutating func run(_ words: [String]) -> String {
        var storage: [UInt8] = []
        var spans: [Int] = []
        for word in words {
            spans.append(storage.count)
            spans.append(word.utf8.count)
            storage += word.utf8
        }
        var reply = ReplyBuffer(protocolVersion: session.protocolVersion)
        let outcome = storage.withUnsafeBytes { raw in
            node.execute(Arguments(base: raw.baseAddress, spans: spans), session: &session, now: now, reply: &reply)
        }
        lastOutcome = outcome
        return String(decoding: reply.bytes, as: UTF8.self)
    }

    /// A second client of the same node.
    mutating func connect(id: UInt64) -> ClientSession {
        node.connect(id: id, address: "127.0.0.1:5\(id)", localAddress: "127.0.0.1:7379", now: now.monotonic)
    }

    mutating func advance(milliseconds: Int64) { now = now.adding(milliseconds: milliseconds) }

    mutating func tick() { node.tick(now: now) }

    var nowSeconds: Int64 { now.wall.milliseconds / 1000 }
    var nowMilliseconds: Int64 { now.wall.milliseconds }
}

// Expected replies, RESP2 unless named otherwise.
let ok = "+OK\r\n"
let nullBulk = "$-1\r\n"
let emptyArray = "*0\r\n"
func bulk(_ s: String) -> String { "$\(s.utf8.count)\r\n\(s)\r\n" }
func int(_ n: Int64) -> String { ":\(n)\r\n" }
func err(_ text: String) -> String { "-\(text)\r\n" }
func array(_ items: String...) -> String { "*\(items.count)\r\n" + items.joined() }
func arity(_ name: String) -> String { err("ERR wrong number of arguments for '\(name)' command") }
let syntaxError = err("ERR syntax error")
let notInteger = err("ERR value is not an integer or out of range")

/// The bulk strings of a flat RESP array reply, in order.
func bulkItems(_ reply: String) -> [String] {
    var items: [String] = []
    var lines = reply.components(separatedBy: "\r\n")[...]
    while let line = lines.popFirst() {
        if line.hasPrefix("$"), Int(line.dropFirst()) ?? -1 >= 0, let value = lines.popFirst() { items.append(value) }
    }
    return items
}
