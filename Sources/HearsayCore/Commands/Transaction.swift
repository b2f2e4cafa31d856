import RESP

/// The commands a client queued between MULTI and EXEC, each copied out of the request
/// buffer (which the driver reuses): its argument bytes end to end, and their spans.
public struct Transaction: Sendable {
    struct Queued: Sendable {
        var bytes: [UInt8]
        var spans: [Int]
    }

    var queued: [Queued] = []
    /// A command was refused while queuing (unknown, wrong arity): EXEC aborts.
    var refused = false
    /// Bytes of queued arguments, bounded like a client's query buffer.
    var bytes = 0

    static let maxBytes = 1 << 30

    mutating func queue(_ a: Arguments) {
        var bytes: [UInt8] = []
        var spans: [Int] = []
        spans.reserveCapacity(a.count * 2)
        for i in 0..<a.count {
            spans.append(bytes.count)
            spans.append(a[i].count)
            bytes.append(contentsOf: a[i])
        }
        self.bytes += bytes.count
        queued.append(Queued(bytes: bytes, spans: spans))
    }
}

/// A WATCHed key and its version when watched: the digest of this node's copy, 0 when it
/// holds none (`Node+Transactions`).
public struct WatchedKey: Sendable {
    var key: [UInt8]
    var version: UInt64
}

/// An EXEC waiting on a coordinator: the replies so far, the commands still to run (one at a
/// time, in order: a command starts when the one before it has answered) and the session
/// they run in. `Node.takeOutput` moves each reply in and starts the next command.
struct ExecAssembly {
    let client: UInt64
    let ticket: UInt64
    var session: ClientSession
    var transaction: Transaction
    var next: Int
    var replies: [UInt8] = []
    /// The replies in `replies`, and the ticket of the command being waited on.
    var done = 0
    var waitingOn: UInt64 = 0
}
