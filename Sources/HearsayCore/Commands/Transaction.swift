import RESP

/// The commands a client queued between MULTI and EXEC, each copied out of the request
/// buffer (which the driver reuses): its argument bytes end to end, and their spans.
public struct Transaction: Sendable {
    struct Queued: Sendable {
        var bytes: [UInt8] = []
        var spans: [Int] = []

        init(bytes: [UInt8], spans: [Int]) {
            self.bytes = bytes
            self.spans = spans
        }

        /// A request the node makes itself (a WATCH's read).
        init(words: [[UInt8]]) {
            for word in words {
                spans += [bytes.count, word.count]
                bytes += word
            }
        }
    }

    var queued: [Queued] = []
    /// A command was refused while queuing (unknown, wrong arity): EXEC aborts.
    var refused = false
    /// Bytes of queued arguments, bounded like a client's query buffer.
    var bytes = 0

    static let maxBytes = 1 << 30

    /// The database selected after the queued commands run, from `db` (their valid SELECTs).
    func databaseAfter(startingIn db: Int) -> Int {
        var selected = db
        for queued in queued where queued.spans.count == 4 {
            let name = queued.bytes[queued.spans[0]..<(queued.spans[0] + queued.spans[1])]
            guard String(decoding: name, as: UTF8.self).lowercased() == "select" else { continue }
            let index = String(
                decoding: queued.bytes[queued.spans[2]..<(queued.spans[2] + queued.spans[3])], as: UTF8.self)
            if let n = Int(index), n >= 0, n < Databases.count { selected = n }
        }
        return selected
    }

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

/// A WATCHed key and its version when watched: the digest of this node's copy (0 when it
/// holds none), or, for a key this node does not own in a cluster, `remote`: its owners'
/// state was read through the key's coordinator (`Node.remoteWatchReadings`).
public struct WatchedKey: Sendable {
    var key: [UInt8]
    var version: UInt64
    var remote = false
}

/// A WATCH or an EXEC waiting on a coordinator. It first reads each key in `reads` (HS.GETCTX
/// at the connection's read quorum), then runs the queued commands one at a time, in order (a
/// command starts when the one before it has answered), in `session`. A WATCH keeps its
/// readings; an EXEC compares them with the WATCH's and runs nothing if one differs.
/// `Node.takeOutput` moves each reply in and starts the next step.
struct ExecAssembly {
    enum Mode {
        case watch
        case exec(expected: [[UInt8]: [UInt8]])
    }

    let client: UInt64
    let ticket: UInt64
    let mode: Mode
    var session: ClientSession
    var reads: [[UInt8]] = []
    var readings: [[UInt8]: [UInt8]] = [:]
    var nextRead = 0
    var transaction = Transaction()
    var next = 0
    var replies: [UInt8] = []
    var done = 0
    /// A watched key read differently at EXEC than at WATCH: the EXEC runs nothing.
    var changed = false
    /// Whether the reply waited for is a read's (else a command's).
    var waitingOnRead = false

    /// The reply once every step is done: WATCH's OK, EXEC's array, or nil for an EXEC whose
    /// watched keys changed.
    func finalReply() -> [UInt8] {
        var out = ReplyBuffer(capacity: 32 + replies.count, protocolVersion: session.protocolVersion)
        switch mode {
        case .watch: out.ok()
        case .exec:
            if changed {
                out.nullArray()
            } else {
                out.arrayHeader(done)
                replies.withUnsafeBytes { out.raw($0) }
            }
        }
        return out.bytes
    }
}
