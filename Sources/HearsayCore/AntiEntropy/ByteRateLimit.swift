/// A token bucket on the bytes anti-entropy sends, so repair never starves client traffic.
///
/// Tokens refill at `bytesPerSecond`, up to `burstBytes`. A message may be sent while the
/// bucket holds any token, and takes its whole size (the balance may go negative by one
/// message), so over any interval of T seconds a node sends at most
/// `bytesPerSecond * T + burstBytes` plus one message. A zero rate means no limit.
public struct ByteRateLimit: Sendable {
    public let bytesPerSecond: Int
    public let burstBytes: Int
    public private(set) var tokens: Int
    var refilledAt: Instant?

    public init(bytesPerSecond: Int) {
        precondition(bytesPerSecond >= 0 && bytesPerSecond < 900_000_000, "bytesPerSecond \(bytesPerSecond)")
        self.bytesPerSecond = bytesPerSecond
        // A tenth of a second's worth, so a burst never goes far past the rate.
        burstBytes = bytesPerSecond / 10
        tokens = burstBytes
    }

    public var isUnlimited: Bool { bytesPerSecond == 0 }

    /// Adds the tokens earned since the last refill.
    public mutating func refill(now: Instant) {
        guard !isUnlimited else { return }
        defer { refilledAt = now }
        guard let last = refilledAt, now > last else { return }
        // Capped at 10 s of idleness, which the burst bound makes irrelevant and which keeps
        // the product inside 64 bits for any rate below 900 MB/s.
        let elapsed = min(now.nanoseconds - last.nanoseconds, 10_000_000_000)
        let earned = Int(elapsed) * bytesPerSecond / 1_000_000_000
        tokens = min(burstBytes, tokens + earned)
    }

    /// Whether a message may go now.
    public var allowsSending: Bool { isUnlimited || tokens > 0 }

    public mutating func take(_ bytes: Int) {
        guard !isUnlimited else { return }
        tokens -= bytes
    }
}
