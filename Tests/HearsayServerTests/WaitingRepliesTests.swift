import RESP
import Testing

@testable import HearsayServer

/// A connection's replies leave in request order whatever order deferred ones complete in.
@Test func waitingReplies_releaseInRequestOrder_whateverOrderTheyComplete() {
    var waiting = WaitingReplies()
    var reply = ReplyBuffer(capacity: 64)
    waiting.appendDeferred(ticket: 1)
    waiting.appendReady(Array("A".utf8))
    waiting.appendDeferred(ticket: 2)
    waiting.appendReady(Array("B".utf8))
    let two = Array("two".utf8)
    #expect(two.withUnsafeBytes { waiting.deliver(ticket: 2, $0, into: &reply) })
    #expect(reply.isEmpty, "ticket 2 waits behind ticket 1")
    #expect(!two.withUnsafeBytes { waiting.deliver(ticket: 2, $0, into: &reply) }, "a slot is filled once")
    #expect(!two.withUnsafeBytes { waiting.deliver(ticket: 99, $0, into: &reply) }, "an unknown ticket")
    let one = Array("one".utf8)
    #expect(one.withUnsafeBytes { waiting.deliver(ticket: 1, $0, into: &reply) })
    #expect(String(decoding: reply.bytes, as: UTF8.self) == "oneAtwoB")
    #expect(waiting.isEmpty)
    // Emptied, it starts over.
    waiting.appendDeferred(ticket: 3)
    #expect(!waiting.isEmpty)
    #expect(one.withUnsafeBytes { waiting.deliver(ticket: 3, $0, into: &reply) })
    #expect(String(decoding: reply.bytes, as: UTF8.self) == "oneAtwoBone")
    #expect(waiting.isEmpty)
}
