import HearsayCore

/// A node's view of time: virtual time shifted by a constant skew and scaled by
/// a drift rate, so clocks disagree the way real ones do. Its monotonic reading never goes
/// back for any drift above -1,000,000 ppm; its wall reading is the monotonic one plus an
/// offset that steps may move either way (an NTP step, an operator setting the clock).
public struct NodeClock: Sendable, Equatable {
    /// Added to virtual time. Nanoseconds.
    public var skewNanoseconds: Int64
    /// How much faster this clock runs than virtual time. Parts per million.
    public var driftPartsPerMillion: Int64
    /// Virtual instant from which drift accumulates. Nanoseconds.
    public var originNanoseconds: Int64
    /// Added to the monotonic reading to give the wall reading. Nanoseconds.
    public var wallOffsetNanoseconds: Int64 = 0

    public init(skewNanoseconds: Int64 = 0, driftPartsPerMillion: Int64 = 0, originNanoseconds: Int64 = 0) {
        precondition(driftPartsPerMillion > -1_000_000, "drift \(driftPartsPerMillion) ppm stops the clock")
        self.skewNanoseconds = skewNanoseconds
        self.driftPartsPerMillion = driftPartsPerMillion
        self.originNanoseconds = originNanoseconds
    }

    /// Both readings at virtual time `virtual`.
    public func now(_ virtual: Int64) -> Now {
        let monotonic = local(virtual)
        return Now(monotonic: monotonic, wall: WallTime(nanoseconds: monotonic.nanoseconds &+ wallOffsetNanoseconds))
    }

    /// The same clock with its wall reading stepped by `step` from now on (either way); the
    /// monotonic reading runs on undisturbed.
    public func wallStepped(byNanoseconds step: Int64) -> NodeClock {
        var clock = self
        clock.wallOffsetNanoseconds &+= step
        return clock
    }

    public static let exact = NodeClock()

    /// The node's `now` at virtual time `virtual`.
    public func local(_ virtual: Int64) -> Instant {
        let elapsed = virtual - originNanoseconds
        let drift = elapsed.multipliedFullWidth(by: driftPartsPerMillion)
        return Instant(nanoseconds: virtual + skewNanoseconds + divide(drift, by: 1_000_000))
    }

    /// A clock that reads as this one does up to `virtual`, then steps by `stepNanoseconds`
    /// (an NTP step; forward only, so the node's time never runs back) and from there
    /// runs at `driftPartsPerMillion`.
    public func stepped(at virtual: Int64, byNanoseconds step: Int64, driftPartsPerMillion: Int64) -> NodeClock {
        precondition(step >= 0, "clock step \(step) ns would run time back")
        let reading = local(virtual).nanoseconds
        var clock = NodeClock(
            skewNanoseconds: reading - virtual + step, driftPartsPerMillion: driftPartsPerMillion,
            originNanoseconds: virtual)
        clock.wallOffsetNanoseconds = wallOffsetNanoseconds
        return clock
    }

    /// The clock of a node's next life, reading as this one does at `virtual` plus `step`,
    /// which may be negative: a clock set back while the node was down (an NTP step at boot).
    /// A running node's clock never runs back; a new process may start behind its last life.
    public func restarted(at virtual: Int64, byNanoseconds step: Int64) -> NodeClock {
        var clock = NodeClock(
            skewNanoseconds: local(virtual).nanoseconds - virtual + step, driftPartsPerMillion: driftPartsPerMillion,
            originNanoseconds: virtual)
        clock.wallOffsetNanoseconds = wallOffsetNanoseconds
        return clock
    }

    /// The earliest virtual time at which the node's clock reads `local`.
    public func virtual(_ local: Instant) -> Int64 {
        let shifted = local.nanoseconds - skewNanoseconds - originNanoseconds
        // elapsed * (1 + d/1e6) = shifted  =>  elapsed = shifted * 1e6 / (1e6 + d)
        let scaled = shifted.multipliedFullWidth(by: 1_000_000)
        var elapsed = divide(scaled, by: 1_000_000 + driftPartsPerMillion)
        while self.local(originNanoseconds + elapsed) < local { elapsed += 1 }
        return originNanoseconds + elapsed
    }

    private func divide(_ wide: (high: Int64, low: UInt64), by divisor: Int64) -> Int64 {
        divisor.dividingFullWidth(wide).quotient
    }
}
