/// Delay before the next connection attempt to a peer: exponential, bounded, jittered.
///
///     nominal(f) = min(maximum, base * 2^(f - 1))        f = consecutive failures >= 1
///     delay      = nominal / 2 + random(0 ... nominal / 2) ("equal jitter")
///
/// so attempts by many nodes at one restarted peer spread out, and no delay is ever
/// above `maximum` or below half of `base`.
struct PeerBackoff {
    let baseMilliseconds: Int64
    let maximumMilliseconds: Int64
    private(set) var failures = 0

    init(baseMilliseconds: Int64, maximumMilliseconds: Int64) {
        precondition(baseMilliseconds > 0 && maximumMilliseconds >= baseMilliseconds, "backoff bounds")
        self.baseMilliseconds = baseMilliseconds
        self.maximumMilliseconds = maximumMilliseconds
    }

    /// The nominal (unjittered) delay after `failures` consecutive failures.
    func nominalMilliseconds(afterFailures failures: Int) -> Int64 {
        guard failures > 0 else { return 0 }
        var delay = baseMilliseconds
        var doublings = failures - 1
        while doublings > 0 && delay < maximumMilliseconds {
            delay *= 2
            doublings -= 1
        }
        return min(delay, maximumMilliseconds)
    }

    /// Records one more failure and returns how long to wait before the next attempt.
    mutating func failed<R: RandomNumberGenerator>(using generator: inout R) -> Int64 {
        failures += 1
        let nominal = nominalMilliseconds(afterFailures: failures)
        return nominal / 2 + Int64.random(in: 0...(nominal - nominal / 2), using: &generator)
    }

    mutating func succeeded() { failures = 0 }
}
