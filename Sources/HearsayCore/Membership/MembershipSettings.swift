/// Every knob of the membership protocol, with its unit. Use a preset and change
/// what you must; `validated()` says what a combination may not do.
///
/// Formulas, with n the number of reachable (alive or suspect) members including
/// this node:
///
///     suspicion timeout, minimum = suspicionMultiplier * log2(n + 1) * probeInterval
///     suspicion timeout, maximum = suspicionMaxMultiplier * minimum
///     retransmit limit           = retransmitMultiplier * ceil(log10(n + 1))
///
/// A fresh suspicion starts at the maximum and falls towards the minimum as
/// independent accusers confirm it (Lifeguard IV.B), reaching it at
/// `expectedConfirmations`.
public struct MembershipSettings: Sendable, Equatable {
    /// Time between two protocol periods (each probes one member). Milliseconds.
    public var probeIntervalMilliseconds: Int64
    /// How long a direct probe waits for an ack before asking others to probe
    /// (SWIM 4.1). Must be shorter than the probe interval. Milliseconds.
    public var probeTimeoutMilliseconds: Int64
    /// How many members are asked to probe indirectly (SWIM's k). Members.
    public var indirectProbeCount: Int
    /// Scales the minimum suspicion timeout (see formula). Dimensionless.
    public var suspicionMultiplier: Double
    /// Ratio of the maximum to the minimum suspicion timeout. Dimensionless, >= 1.
    public var suspicionMaxMultiplier: Double
    /// Independent confirmations after which a suspicion runs with the minimum
    /// timeout. Accusers.
    public var expectedConfirmations: Int
    /// Scales how often each update is piggybacked (see formula). Transmissions.
    public var retransmitMultiplier: Int
    /// Most updates piggybacked on one message. Updates per message.
    public var maxPiggybackUpdates: Int
    /// Time between two full state exchanges with a random member; members that
    /// are down are picked too, which is how partitions heal. Above 32 members it
    /// is stretched by (ceil(log2(n)) - 4), as memberlist does, so the total
    /// push-pull traffic stays flat as the cluster grows. 0 disables. Milliseconds.
    public var pushPullIntervalMilliseconds: Int64
    /// Time between join attempts until a seed answers. Milliseconds.
    public var joinRetryIntervalMilliseconds: Int64
    /// Local health (Lifeguard IV.A): timeouts and the probe interval are scaled
    /// by (score + 1), with the score in 0..<awarenessMaxMultiplier. Dimensionless.
    public var awarenessMaxMultiplier: Int
    /// A timer that fires this much later than it was set for means this node's
    /// own loop lags. Milliseconds.
    public var lagThresholdMilliseconds: Int64
    /// After a lag is seen, this node accuses no one for this long, and its
    /// running suspicions are extended by the lag. Milliseconds.
    public var lagQuietMilliseconds: Int64
    /// Members told directly when this node leaves; gossip carries it further.
    /// Members.
    public var leaveFanout: Int
    /// Indirect probes this node runs for others at once; more are refused.
    /// Probes.
    public var maxPendingRelays: Int
    /// Members a view may hold; updates about further unknown members are
    /// ignored. Members.
    public var maxMembers: Int

    public init(
        probeIntervalMilliseconds: Int64,
        probeTimeoutMilliseconds: Int64,
        indirectProbeCount: Int,
        suspicionMultiplier: Double,
        suspicionMaxMultiplier: Double,
        expectedConfirmations: Int,
        retransmitMultiplier: Int,
        maxPiggybackUpdates: Int,
        pushPullIntervalMilliseconds: Int64,
        joinRetryIntervalMilliseconds: Int64,
        awarenessMaxMultiplier: Int,
        lagThresholdMilliseconds: Int64,
        lagQuietMilliseconds: Int64,
        leaveFanout: Int,
        maxPendingRelays: Int,
        maxMembers: Int
    ) {
        self.probeIntervalMilliseconds = probeIntervalMilliseconds
        self.probeTimeoutMilliseconds = probeTimeoutMilliseconds
        self.indirectProbeCount = indirectProbeCount
        self.suspicionMultiplier = suspicionMultiplier
        self.suspicionMaxMultiplier = suspicionMaxMultiplier
        self.expectedConfirmations = expectedConfirmations
        self.retransmitMultiplier = retransmitMultiplier
        self.maxPiggybackUpdates = maxPiggybackUpdates
        self.pushPullIntervalMilliseconds = pushPullIntervalMilliseconds
        self.joinRetryIntervalMilliseconds = joinRetryIntervalMilliseconds
        self.awarenessMaxMultiplier = awarenessMaxMultiplier
        self.lagThresholdMilliseconds = lagThresholdMilliseconds
        self.lagQuietMilliseconds = lagQuietMilliseconds
        self.leaveFanout = leaveFanout
        self.maxPendingRelays = maxPendingRelays
        self.maxMembers = maxMembers
    }

    /// A data-centre network: round trips well under a millisecond, occasional loss.
    /// Close to hashicorp/memberlist's LAN defaults.
    public static let lan = MembershipSettings(
        probeIntervalMilliseconds: 1_000,
        probeTimeoutMilliseconds: 500,
        indirectProbeCount: 3,
        suspicionMultiplier: 2,
        suspicionMaxMultiplier: 3,
        expectedConfirmations: 3,
        retransmitMultiplier: 4,
        maxPiggybackUpdates: 16,
        pushPullIntervalMilliseconds: 30_000,
        joinRetryIntervalMilliseconds: 2_000,
        awarenessMaxMultiplier: 8,
        lagThresholdMilliseconds: 500,
        lagQuietMilliseconds: 3_000,
        leaveFanout: 3,
        maxPendingRelays: 64,
        maxMembers: 16_384
    )

    /// Processes on one machine (`hearsay cluster`): faster periods, quick detection.
    public static let local: MembershipSettings = {
        var s = MembershipSettings.lan
        s.probeIntervalMilliseconds = 500
        s.probeTimeoutMilliseconds = 200
        // Push-pull is also how the sides of a healed partition find each other again (a down
        // member is the target half of the time); on one machine it costs next to nothing.
        s.pushPullIntervalMilliseconds = 5_000
        s.joinRetryIntervalMilliseconds = 1_000
        s.lagThresholdMilliseconds = 250
        s.lagQuietMilliseconds = 1_500
        return s
    }()

    /// The deterministic simulator: LAN timing (so results describe `.lan`) with a
    /// shorter push-pull interval so partition scenarios heal within a short run.
    public static let simulation: MembershipSettings = {
        var s = MembershipSettings.lan
        s.pushPullIntervalMilliseconds = 10_000
        return s
    }()

    /// Checks the relations between settings; the message names the broken one.
    public func validated() -> MembershipSettings {
        precondition(probeIntervalMilliseconds > 0, "probeIntervalMilliseconds \(probeIntervalMilliseconds) <= 0")
        precondition(
            probeTimeoutMilliseconds > 0 && probeTimeoutMilliseconds < probeIntervalMilliseconds,
            "probeTimeoutMilliseconds \(probeTimeoutMilliseconds) not in 1..<\(probeIntervalMilliseconds)"
        )
        precondition(indirectProbeCount >= 0 && indirectProbeCount <= 16, "indirectProbeCount \(indirectProbeCount)")
        precondition(suspicionMultiplier > 0, "suspicionMultiplier \(suspicionMultiplier) <= 0")
        precondition(suspicionMaxMultiplier >= 1, "suspicionMaxMultiplier \(suspicionMaxMultiplier) < 1")
        precondition(expectedConfirmations >= 0 && expectedConfirmations <= 32, "expectedConfirmations")
        precondition(retransmitMultiplier >= 1, "retransmitMultiplier \(retransmitMultiplier) < 1")
        precondition(
            maxPiggybackUpdates >= 1 && maxPiggybackUpdates <= MembershipCodec.maxPiggybackUpdates,
            "maxPiggybackUpdates \(maxPiggybackUpdates) not in 1...\(MembershipCodec.maxPiggybackUpdates)"
        )
        precondition(pushPullIntervalMilliseconds >= 0, "pushPullIntervalMilliseconds < 0")
        precondition(joinRetryIntervalMilliseconds > 0, "joinRetryIntervalMilliseconds <= 0")
        precondition(awarenessMaxMultiplier >= 1, "awarenessMaxMultiplier < 1")
        precondition(lagThresholdMilliseconds > 0 && lagQuietMilliseconds >= 0, "lag settings")
        precondition(leaveFanout >= 0 && maxPendingRelays >= 0, "fanout/relays < 0")
        precondition(
            maxMembers >= 1 && maxMembers <= MembershipCodec.maxStateMembers,
            "maxMembers \(maxMembers) not in 1...\(MembershipCodec.maxStateMembers)"
        )
        return self
    }

    /// Minimum suspicion timeout for a cluster of `reachableMembers`. Nanoseconds.
    public func suspicionMinimumNanoseconds(reachableMembers n: Int) -> Int64 {
        let factor = suspicionMultiplier * log2Approx(Double(max(1, n) + 1))
        return Int64(factor * Double(probeIntervalMilliseconds) * 1_000_000)
    }

    /// The push-pull interval for a cluster of `reachableMembers`. Milliseconds.
    public func pushPullIntervalMilliseconds(reachableMembers n: Int) -> Int64 {
        guard n > 32 else { return pushPullIntervalMilliseconds }
        var bits = 0
        while (1 << bits) < n && bits < 62 { bits += 1 }
        return pushPullIntervalMilliseconds &* Int64(bits - 4)
    }

    /// How many times each update is piggybacked in a cluster of `reachableMembers`.
    public func retransmitLimit(reachableMembers n: Int) -> Int {
        // ceil(log10(n + 1)) without floating point: the smallest d with 10^d >= n + 1.
        let target = max(1, n) + 1
        var digits = 0
        var powerOfTen = 1
        while powerOfTen < target && digits < 18 {
            powerOfTen *= 10
            digits += 1
        }
        return retransmitMultiplier * max(1, digits)
    }
}

/// log2 without Foundation: exact for the integer part, a short series for the rest.
@usableFromInline func log2Approx(_ x: Double) -> Double {
    precondition(x > 0, "log2 of \(x)")
    return naturalLog(x) / 0.693_147_180_559_945_3
}

/// Natural logarithm by range reduction to [1, 2) and the atanh series; accurate
/// to ~1e-12, enough for timeouts. Foundation is not allowed in the core.
@usableFromInline func naturalLog(_ x: Double) -> Double {
    precondition(x > 0, "log of \(x)")
    var m = x
    var k = 0.0
    while m >= 2 {
        m /= 2
        k += 1
    }
    while m < 1 {
        m *= 2
        k -= 1
    }
    let y = (m - 1) / (m + 1)
    let y2 = y * y
    var term = y
    var sum = 0.0
    var i = 1.0
    while i < 60 {
        sum += term / i
        term *= y2
        i += 2
    }
    return 2 * sum + k * 0.693_147_180_559_945_3
}
