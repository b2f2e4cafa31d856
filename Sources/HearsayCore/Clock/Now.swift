/// The two clocks a driver reads for every call into the core: the monotonic clock for
/// timers, deadlines and ages, and the wall clock for expiry and hybrid timestamps.
public struct Now: Sendable, Equatable, CustomStringConvertible {
    public var monotonic: Instant
    public var wall: WallTime

    @inlinable public init(monotonic: Instant, wall: WallTime) {
        self.monotonic = monotonic
        self.wall = wall
    }

    /// Both clocks at the same reading (tests and tools whose clocks start together).
    @inlinable public init(milliseconds: Int64) {
        monotonic = Instant(milliseconds: milliseconds)
        wall = WallTime(milliseconds: milliseconds)
    }

    /// Both clocks `milliseconds` later: time passing, as tests and simulations advance it.
    @inlinable public func adding(milliseconds delta: Int64) -> Now {
        Now(monotonic: monotonic.adding(milliseconds: delta), wall: wall.adding(milliseconds: delta))
    }

    public var description: String { "\(monotonic) / \(wall)" }
}
