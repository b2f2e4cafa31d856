import HearsayCore
import Logging

/// Logs one kind of peer trouble at most once per interval, with the count suppressed
/// since, so a misconfigured or hostile peer cannot flood the log.
struct PeerRateLimitedLog {
    let intervalNanoseconds: Int64
    private var lastLoggedAt: Instant?
    private var suppressed = 0

    init(intervalMilliseconds: Int64 = 10_000) {
        intervalNanoseconds = intervalMilliseconds * 1_000_000
    }

    mutating func warning(_ logger: Logger, _ message: String, _ metadata: Logger.Metadata, now: Instant) {
        if let last = lastLoggedAt, now.nanoseconds - last.nanoseconds < intervalNanoseconds {
            suppressed += 1
            return
        }
        var metadata = metadata
        if suppressed > 0 { metadata["suppressed-since-last"] = "\(suppressed)" }
        logger.warning("\(message)", metadata: metadata)
        lastLoggedAt = now
        suppressed = 0
    }
}
