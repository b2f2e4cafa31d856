/// A point in time as the node's driver reports it: nanoseconds since the Unix epoch.
///
/// The core never reads a clock; the libuv runtime passes the wall clock and the
/// simulator passes virtual time (with that node's skew applied). Expiry times are
/// absolute instants, so every replica expires a value alike.
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
