/// What a key's 24 access bits (`EntryHeader.access`) hold, as Redis keeps them in its object
/// header (evict.c), so OBJECT IDLETIME and OBJECT FREQ read the same and the sampled
/// policies rank keys the same way:
/// - recency (LRU policies and noeviction): the last access in tenths of a second, modulo
///   2^24. Redis keeps whole seconds; the finer clock tells apart keys read within the same
///   second (a hot cache's whole working set), at the price of wrapping after 19 days instead
///   of 194 (a key idle longer looks younger than it is, as in Redis past its wrap);
/// - frequency (LFU policies): the time of the last access (16 bits) above a logarithmic
///   counter (8 bits) that starts at 5, grows with probability 1 / ((counter - 5) x
///   `logFactor` + 1) per access and loses one every `decayMinutes` minutes without one.
///   Redis keeps that time in minutes; here it is in seconds, so that among keys with the
///   same counter (most of them, in a young cache) the one idle longest goes first. It wraps
///   after 18 hours rather than 45 days: a key idle longer decays as if idle 18 hours less.
///
/// Time is the node's monotonic clock: idleness is a duration, and a wall clock that steps
/// back must not make every key look fresh.
public struct AccessTracking: Sendable, Equatable {
    public enum Mode: Sendable, Equatable {
        case recency, frequency
    }

    public var mode: Mode = .recency
    /// Redis `lfu-log-factor` (10).
    public var logFactor: Int = 10
    /// Redis `lfu-decay-time`, in minutes (1); 0 = never decay.
    public var decayMinutes: Int = 1

    public init() {}
}

public enum AccessClock {
    @usableFromInline static let lruMax: UInt32 = (1 << 24) - 1
    @usableFromInline static let lfuInitial: UInt32 = 5

    /// Milliseconds per tick of the recency clock.
    @usableFromInline static let lruTickMilliseconds: Int64 = 100

    @inlinable
    public static func lruTicks(_ now: Instant) -> UInt32 {
        UInt32(truncatingIfNeeded: now.milliseconds / lruTickMilliseconds) & lruMax
    }

    /// The LFU access time: seconds modulo 2^16.
    @inlinable
    public static func lfuSeconds(_ now: Instant) -> UInt32 {
        UInt32(truncatingIfNeeded: now.milliseconds / 1_000) & 0xFFFF
    }

    /// Seconds since the last access under frequency tracking (wraps after 18 hours).
    @inlinable
    public static func lfuIdleSeconds(_ access: UInt32, now: Instant) -> UInt32 {
        let last = access >> 8
        let current = lfuSeconds(now)
        return current >= last ? current - last : 65535 - last + current
    }

    /// The access bits of a key written for the first time.
    @inlinable
    public static func initial(_ tracking: AccessTracking, now: Instant) -> UInt32 {
        switch tracking.mode {
        case .recency: return lruTicks(now)
        case .frequency: return lfuSeconds(now) << 8 | lfuInitial
        }
    }

    /// The access bits after one more access. `random` is uniform over UInt64.
    @inlinable
    public static func touched(_ access: UInt32, _ tracking: AccessTracking, now: Instant, random: UInt64) -> UInt32 {
        switch tracking.mode {
        case .recency:
            return lruTicks(now)
        case .frequency:
            var counter = decayedCounter(access, tracking, now: now)
            if counter < 255 {
                let base = UInt64(counter > lfuInitial ? counter - lfuInitial : 0)
                // random < 2^64 / (base x factor + 1): probability 1 / (base x factor + 1).
                if random < UInt64.max / (base &* UInt64(max(0, tracking.logFactor)) &+ 1) { counter += 1 }
            }
            return lfuSeconds(now) << 8 | counter
        }
    }

    /// The LFU counter after decay (Redis `LFUDecrAndReturn`): what OBJECT FREQ shows.
    @inlinable
    public static func decayedCounter(_ access: UInt32, _ tracking: AccessTracking, now: Instant) -> UInt32 {
        let counter = access & 255
        guard tracking.decayMinutes > 0 else { return counter }
        let periods = lfuIdleSeconds(access, now: now) / (60 * UInt32(tracking.decayMinutes))
        return periods >= counter ? 0 : counter - periods
    }

    /// Milliseconds since the last access under recency (Redis `estimateObjectIdleTime`).
    @inlinable
    public static func idleMilliseconds(_ access: UInt32, now: Instant) -> Int64 {
        let clock = lruTicks(now)
        let idle = clock >= access ? clock - access : clock + (lruMax - access)
        return Int64(idle) * lruTickMilliseconds
    }
}
