/// Lifeguard's local health multiplier (Lifeguard IV.A, memberlist's awareness.go)
/// plus lag detection: evidence that this node itself is slow or cut off makes it
/// stretch its timeouts, and a loop that lags makes it accuse no one for a while.
struct LocalHealth {
    /// 0 when healthy; timeouts are multiplied by `score + 1`.
    private(set) var score = 0
    let maxScore: Int
    /// Until this instant the node accuses no one (set when a timer fired late).
    private(set) var quietUntil: Instant = .zero
    private(set) var lagsSeen = 0

    init(awarenessMaxMultiplier: Int) {
        precondition(awarenessMaxMultiplier >= 1, "awarenessMaxMultiplier \(awarenessMaxMultiplier)")
        maxScore = awarenessMaxMultiplier - 1
    }

    var multiplier: Int64 { Int64(score + 1) }

    /// Positive delta: a failed probe, a missing nack, having to refute. Negative: a
    /// successful probe.
    mutating func adjust(by delta: Int) {
        score = min(maxScore, max(0, score + delta))
    }

    /// Scales a timeout by the current multiplier. Nanoseconds in, nanoseconds out.
    func scaled(nanoseconds: Int64) -> Int64 { nanoseconds &* multiplier }

    /// Records that an event meant for `deadline` arrived at `now`. Returns the lag
    /// (nanoseconds) when it exceeds the threshold; the node then stays quiet.
    mutating func noteTimer(
        deadline: Instant, now: Instant, thresholdNanoseconds: Int64,
        quietNanoseconds: Int64
    ) -> Int64? {
        let lag = now.nanoseconds &- deadline.nanoseconds
        guard lag > thresholdNanoseconds else { return nil }
        lagsSeen += 1
        adjust(by: 1)
        let until = now.adding(nanoseconds: quietNanoseconds)
        if until > quietUntil { quietUntil = until }
        return lag
    }

    /// True while this node must not suspect or declare anyone.
    func isQuiet(now: Instant) -> Bool { now < quietUntil }
}
