/// What `HybridLogicalClock.observe` learned about a peer's clock from one of its timestamps.
///
/// The membership layer keeps the latest observation per peer so that skew is visible
/// (HS.MEMBERS, the inspector) and a peer that runs ahead of the bound can be flagged.
public struct SkewObservation: Equatable, Sendable {
    /// How far the remote timestamp's physical part is ahead of our physical time, in
    /// milliseconds; negative when it is behind (which is normal: messages take time).
    public var aheadMilliseconds: Int64
    /// True when `aheadMilliseconds` exceeds the clock's `maxSkewMilliseconds`.
    public var exceedsBound: Bool
    /// Whether the clock moved forward to the remote timestamp. A timestamp beyond the bound is
    /// not adopted, so one peer with a bad clock cannot drag every clock into the future.
    public var adopted: Bool

    public init(aheadMilliseconds: Int64, exceedsBound: Bool, adopted: Bool) {
        self.aheadMilliseconds = aheadMilliseconds
        self.exceedsBound = exceedsBound
        self.adopted = adopted
    }
}
