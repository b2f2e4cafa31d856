/// A reading of the wall clock (nanoseconds since the Unix epoch), for what other nodes must
/// read alike: absolute expiry times and the hybrid logical clock.
///
/// The wall clock may step backwards (NTP, an operator); timers, deadlines and ages use the
/// monotonic `Instant` instead. Expiry compares against wall time, so a step back keeps a
/// value a little longer and a step forward expires it a little sooner, as on Redis.
public struct WallTime: Comparable, Hashable, Sendable, CustomStringConvertible {
    public var nanoseconds: Int64

    @inlinable public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }
    @inlinable public init(milliseconds: Int64) { self.nanoseconds = milliseconds &* 1_000_000 }

    public static let zero = WallTime(nanoseconds: 0)

    @inlinable public var milliseconds: Int64 { nanoseconds / 1_000_000 }
    @inlinable public var seconds: Int64 { nanoseconds / 1_000_000_000 }

    @inlinable public func adding(nanoseconds delta: Int64) -> WallTime {
        WallTime(nanoseconds: nanoseconds &+ delta)
    }
    @inlinable public func adding(milliseconds delta: Int64) -> WallTime {
        WallTime(nanoseconds: nanoseconds &+ delta &* 1_000_000)
    }

    @inlinable public static func < (a: WallTime, b: WallTime) -> Bool { a.nanoseconds < b.nanoseconds }

    public var description: String { "wall \(nanoseconds)ns" }
}
