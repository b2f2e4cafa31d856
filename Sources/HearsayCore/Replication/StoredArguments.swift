import RESP

/// A request's arguments kept while it waits for replicas: every argument's bytes in one
/// array, with their spans, so a pending request costs two allocations rather than one per
/// argument, and running it later rebuilds nothing.
struct StoredArguments {
    private var storage: [UInt8]
    /// start, length pairs into `storage`, as `Arguments` keeps them.
    private var spans: [Int]

    init(_ a: Arguments) {
        var total = 0
        for i in 0..<a.count { total += a[i].count }
        storage = []
        storage.reserveCapacity(total)
        spans = []
        spans.reserveCapacity(a.count * 2)
        for i in 0..<a.count {
            spans.append(storage.count)
            spans.append(a[i].count)
            storage.append(contentsOf: a[i])
        }
    }

    /// The request's key (argument 1), copied out.
    var key: [UInt8] { Array(storage[spans[2]..<(spans[2] + spans[3])]) }

    /// The words, copied out (forwarding and tests).
    var words: [[UInt8]] {
        stride(from: 0, to: spans.count, by: 2).map { Array(storage[spans[$0]..<(spans[$0] + spans[$0 + 1])]) }
    }

    /// Runs `body` over the stored arguments (valid only during the call).
    func withArguments<R>(_ body: (Arguments) -> R) -> R {
        storage.withUnsafeBytes { raw in body(Arguments(base: raw.baseAddress, spans: spans)) }
    }
}
