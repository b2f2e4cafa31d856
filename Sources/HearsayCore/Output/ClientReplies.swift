import RESP

/// Replies to deferred requests (`CommandOutcome.deferred`), gathered in one byte buffer
/// until the driver takes them with the rest of `NodeOutput` (`Node.takeOutput`). The driver
/// owns the buffer it swaps in and reuses it, so a reply costs a copy into it and nothing
/// else (as an effect carrying its own array, each would cost an allocation and the enum's
/// copies, about a sixth of a coordinated read).
///
/// Bounded by what the node completes between two takes: the requests in flight, at most
/// `maxPendingRequests`. `removeAll` drops storage that one burst grew past 1 MiB.
public struct ClientReplies {
    struct Entry {
        let client: UInt64
        let ticket: UInt64
        let end: Int
    }

    var bytes = ReplyBuffer(capacity: 4096)
    var entries: [Entry] = []

    public init() {}

    public var isEmpty: Bool { entries.isEmpty }
    public var count: Int { entries.count }

    /// Adds the reply of `client`'s request `ticket`, already encoded.
    mutating func append(client: UInt64, ticket: UInt64, _ reply: UnsafeRawBufferPointer) {
        bytes.raw(reply)
        entries.append(Entry(client: client, ticket: ticket, end: bytes.count))
    }

    /// Adds the reply of `client`'s request `ticket`, encoding it here.
    mutating func append(client: UInt64, ticket: UInt64, _ reply: Reply) {
        reply.write(into: &bytes)
        entries.append(Entry(client: client, ticket: ticket, end: bytes.count))
    }

    /// Calls `body` with each reply in the order the requests completed; the bytes are
    /// valid during the call only.
    public func forEachReply(_ body: (_ client: UInt64, _ ticket: UInt64, _ reply: UnsafeRawBufferPointer) -> Void) {
        bytes.withUnsafeBytes { all in
            var start = 0
            for entry in entries {
                body(entry.client, entry.ticket, UnsafeRawBufferPointer(rebasing: all[start..<entry.end]))
                start = entry.end
            }
        }
    }

    /// Empties the buffer, keeping its storage (unless one burst grew it past 1 MiB).
    public mutating func removeAll() {
        bytes.removeAll()
        bytes.shrink(ifLargerThan: 1 << 20, to: 4096)
        entries.removeAll(keepingCapacity: entries.capacity <= 4096)
    }
}
