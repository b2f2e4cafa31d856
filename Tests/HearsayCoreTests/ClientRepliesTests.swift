import Testing

@testable import HearsayCore

/// Deferred replies gathered in one buffer: each comes back whole, with its client and
/// ticket, in the order it was added; a take leaves the node's buffer empty.
@Test func clientReplies_keepEachReplyWhole_inOrder() {
    var replies = ClientReplies()
    let sent: [(UInt64, UInt64, [UInt8])] = [
        (7, 1, Array("$1\r\na\r\n".utf8)), (8, 2, []), (7, 3, Array(repeating: 65, count: 10_000)),
        (9, 4, Array("+OK\r\n".utf8)),
    ]
    for (client, ticket, bytes) in sent {
        bytes.withUnsafeBytes { replies.append(client: client, ticket: ticket, $0) }
    }
    var seen: [(UInt64, UInt64, [UInt8])] = []
    replies.forEachReply { client, ticket, bytes in seen.append((client, ticket, Array(bytes))) }
    #expect(seen.count == sent.count)
    for (a, b) in zip(seen, sent) { #expect(a.0 == b.0 && a.1 == b.1 && a.2 == b.2) }
    replies.removeAll()
    #expect(replies.isEmpty)
    var after = 0
    replies.forEachReply { _, _, _ in after += 1 }
    #expect(after == 0)
}

@Test func takeOutput_handsOverTheRepliesAndEmptiesTheNodesBuffer() {
    var node = Node()
    "$-1\r\n".utf8.withContiguousStorageIfAvailable {
        node.output.replies.append(client: 3, ticket: 11, UnsafeRawBufferPointer($0))
    }
    var taken = NodeOutput()
    node.takeOutput(into: &taken, now: Now(milliseconds: 1))
    #expect(taken.replies.count == 1)
    #expect(node.output.replies.isEmpty)
    node.takeOutput(into: &taken, now: Now(milliseconds: 2))
    #expect(taken.replies.isEmpty && taken.effects.isEmpty)
}
