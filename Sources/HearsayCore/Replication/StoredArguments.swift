import RESP

/// A request's arguments kept while it waits for replicas, in one allocation: each
/// argument as a 4-byte little-endian length and its bytes. Running it later (`runStored`)
/// lays spans over the buffer in a reused array, so a pending request allocates once.
struct StoredArguments {
    private var storage: [UInt8]

    init(_ a: Arguments) {
        var total = 0
        for i in 0..<a.count { total += 4 + a[i].count }
        storage = []
        storage.reserveCapacity(total)
        for i in 0..<a.count {
            let length = UInt32(a[i].count)
            for shift in stride(from: 0, to: 32, by: 8) { storage.append(UInt8(truncatingIfNeeded: length >> shift)) }
            storage.append(contentsOf: a[i])
        }
    }

    /// Start, length pairs of every argument, into `spans` (emptied first).
    private func spans(into spans: inout [Int]) {
        spans.removeAll(keepingCapacity: true)
        var offset = 0
        while offset < storage.count {
            var length = 0
            for i in 0..<4 { length |= Int(storage[offset + i]) << (8 * i) }
            spans.append(offset + 4)
            spans.append(length)
            offset += 4 + length
        }
    }

    /// Argument `index`, copied out.
    func bytes(_ index: Int) -> [UInt8] {
        var spans: [Int] = []
        self.spans(into: &spans)
        return Array(storage[spans[2 * index]..<(spans[2 * index] + spans[2 * index + 1])])
    }

    /// The request's key (argument 1), copied out.
    var key: [UInt8] { bytes(1) }

    /// Runs `body` over the stored arguments, with `spans` as the reused span storage.
    func withArguments<R>(spans: inout [Int], _ body: (Arguments) -> R) -> R {
        self.spans(into: &spans)
        let laid = spans
        return storage.withUnsafeBytes { raw in body(Arguments(base: raw.baseAddress, spans: laid)) }
    }
}

extension Node {
    /// Runs a stored request here (after its replicas answered) and returns its reply. The
    /// span array and reply buffer are the cluster's, reused from request to request.
    mutating func runStored(_ arguments: StoredArguments, protocolVersion: Int, now: Instant) -> [UInt8] {
        var spans: [Int] = []
        var scratch = ReplyBuffer(capacity: 0)
        swap(&spans, &cluster!.storedSpans)
        swap(&scratch, &cluster!.storedReply)
        scratch.removeAll()
        scratch.protocolVersion = protocolVersion
        var session = ClientSession(id: 0, authenticated: true)
        session.protocolVersion = protocolVersion
        arguments.withArguments(spans: &spans) { a in
            if let id = CommandTable.lookupID(a[0]) { _ = dispatch(id, a, &session, now, &scratch) }
        }
        let reply = scratch.bytes
        swap(&spans, &cluster!.storedSpans)
        swap(&scratch, &cluster!.storedReply)
        return reply
    }
}
