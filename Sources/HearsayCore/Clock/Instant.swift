/// A reading of the node's monotonic clock, in nanoseconds: what timers, deadlines and ages
/// are measured in. It never goes backwards within a process; its origin is the driver's
/// (the runtime's CLOCK_MONOTONIC, the simulator's virtual time with the node's skew), so
/// instants are never compared across nodes. Wall-clock time is `WallTime`.
public struct Instant: Comparable, Hashable, Sendable, CustomStringConvertible {
    public var nanoseconds: Int64

    @inlinable public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }
    @inlinable public init(milliseconds: Int64) { self.nanoseconds = milliseconds &* 1_000_000 }

    public static let zero = Instant(nanoseconds: 0)

    @inlinable public var milliseconds: Int64 { nanoseconds / 1_000_000 }
    @inlinable public var seconds: Int64 { nanoseconds / 1_000_000_000 }

    @inlinable public func adding(nanoseconds delta: Int64) -> Instant {
        Instant(nanoseconds: nanoseconds &+ delta)
    }
    @inlinable public func adding(milliseconds delta: Int64) -> Instant {
        Instant(nanoseconds: nanoseconds &+ delta &* 1_000_000)
    }

    @inlinable public static func < (a: Instant, b: Instant) -> Bool { a.nanoseconds < b.nanoseconds }

    public var description: String { "\(nanoseconds)ns" }
}
