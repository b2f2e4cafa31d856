/// A node's hybrid logical clock: timestamps close to wall time that still respect causality.
///
/// It never reads a clock: the driver passes physical time in. Timestamps it issues strictly
/// increase even when physical time stands still or goes backwards (NTP steps, simulator skew).
/// Remote timestamps are folded in by `observe` so that a write which follows a received one
/// gets a larger timestamp, unless the remote is further ahead than `maxSkewMilliseconds`;
/// such a remote is reported, not adopted (compare CockroachDB's max-offset check).
public struct HybridLogicalClock: Sendable {
    /// How far ahead of our physical time a remote timestamp may be before it is flagged.
    public var maxSkewMilliseconds: Int64
    /// The largest timestamp issued or adopted so far.
    public private(set) var latest: HybridTimestamp

    public init(maxSkewMilliseconds: Int64 = 500, latest: HybridTimestamp = .zero) {
        precondition(maxSkewMilliseconds >= 0, "maxSkewMilliseconds \(maxSkewMilliseconds) must be >= 0")
        self.maxSkewMilliseconds = maxSkewMilliseconds
        self.latest = latest
    }

    /// A fresh timestamp for a local event, strictly greater than every earlier one.
    public mutating func now(physical: WallTime) -> HybridTimestamp {
        let wall = HybridTimestamp(physicalMilliseconds: physical.milliseconds, logical: 0)
        // `successor` carries a full logical counter into the next millisecond.
        latest = wall > latest ? wall : latest.successor
        return latest
    }

    /// Folds in a timestamp received from a peer and reports how far ahead its clock is.
    public mutating func observe(_ remote: HybridTimestamp, physical: WallTime) -> SkewObservation {
        let ahead = remote.physicalMilliseconds &- physical.milliseconds
        let exceeds = ahead > maxSkewMilliseconds
        let adopt = !exceeds && remote > latest
        if adopt { latest = remote }
        return SkewObservation(aheadMilliseconds: ahead, exceedsBound: exceeds, adopted: adopt)
    }
}
