import Testing

@testable import HearsayCore

@Test func hybridLogicalClock_physicalTimeGoesBackwards_timestampsStillIncrease() {
    var clock = HybridLogicalClock()
    var rng = SeededGenerator(seed: 0x4C_0001)
    var previous = HybridTimestamp.zero
    for _ in 0..<10_000 {
        let physical = WallTime(milliseconds: 1_700_000_000_000 + Int64.random(in: -50...50, using: &rng))
        let next = clock.now(physical: physical)
        #expect(next > previous, "seed=0x4C0001")
        previous = next
    }
}

@Test func hybridLogicalClock_physicalTimeAhead_usesItWithLogicalZero() {
    var clock = HybridLogicalClock()
    let t = clock.now(physical: WallTime(milliseconds: 1_000))
    #expect(t.physicalMilliseconds == 1_000 && t.logical == 0)
    let u = clock.now(physical: WallTime(milliseconds: 1_000))
    #expect(u.physicalMilliseconds == 1_000 && u.logical == 1)
}

@Test func hybridLogicalClock_logicalCounterFull_borrowsTheNextMillisecond() {
    var clock = HybridLogicalClock(latest: HybridTimestamp(physicalMilliseconds: 5, logical: .max))
    let t = clock.now(physical: WallTime(milliseconds: 5))
    #expect(t.physicalMilliseconds == 6 && t.logical == 0)
}

@Test func hybridLogicalClock_observeRemoteWithinBound_adoptsItSoTheNextEventIsLater() {
    var clock = HybridLogicalClock(maxSkewMilliseconds: 100)
    let remote = HybridTimestamp(physicalMilliseconds: 1_050, logical: 3)
    let observation = clock.observe(remote, physical: WallTime(milliseconds: 1_000))
    #expect(observation == SkewObservation(aheadMilliseconds: 50, exceedsBound: false, adopted: true))
    #expect(clock.now(physical: WallTime(milliseconds: 1_000)) > remote)
}

@Test func hybridLogicalClock_observeRemoteBeyondBound_flagsTheSkewAndDoesNotAdoptIt() {
    var clock = HybridLogicalClock(maxSkewMilliseconds: 100)
    let remote = HybridTimestamp(physicalMilliseconds: 10_000, logical: 0)
    let observation = clock.observe(remote, physical: WallTime(milliseconds: 1_000))
    #expect(observation.exceedsBound && !observation.adopted && observation.aheadMilliseconds == 9_000)
    #expect(clock.now(physical: WallTime(milliseconds: 1_000)).physicalMilliseconds == 1_000)
}

@Test func hybridLogicalClock_observeRemoteBehind_reportsNegativeSkewAndKeepsOwnTime() {
    var clock = HybridLogicalClock()
    let mine = clock.now(physical: WallTime(milliseconds: 2_000))
    let remote = HybridTimestamp(physicalMilliseconds: 1_500, logical: 0)
    let observation = clock.observe(remote, physical: WallTime(milliseconds: 2_000))
    #expect(observation.aheadMilliseconds == -500 && !observation.exceedsBound && !observation.adopted)
    #expect(clock.latest == mine)
}

@Test func hybridTimestamp_packing_ordersByPhysicalThenLogicalAndRoundTrips() throws {
    let a = HybridTimestamp(physicalMilliseconds: 10, logical: 65_535)
    let b = HybridTimestamp(physicalMilliseconds: 11, logical: 0)
    #expect(a < b && a.successor == b)
    #expect(HybridTimestamp(physicalMilliseconds: -5, logical: 1).physicalMilliseconds == 0)
    var writer = ByteWriter()
    a.encode(into: &writer)
    var reader = ByteReader(writer.bytes)
    #expect(try HybridTimestamp.decode(from: &reader) == a)
}

/// The wall clock steps back on a running node: hybrid timestamps keep increasing (a later SET
/// still wins), expiry reads the wall clock (a TTL then lasts longer, as on Redis), and
/// nothing that runs on the monotonic clock notices.
@Test func node_wallClockStepsBack_laterWritesStillWinAndExpiryFollowsTheWallClock() {
    var h = CommandHarness()
    #expect(h.run("SET", "k", "first") == "+OK\r\n")
    #expect(h.run("SET", "ttl", "v", "PX", "1000") == "+OK\r\n")
    let before = h.run("HS.GETCTX", "k")
    h.now = Now(monotonic: h.now.monotonic.adding(milliseconds: 10), wall: h.now.wall.adding(milliseconds: -60_000))
    #expect(h.run("SET", "k", "second") == "+OK\r\n")
    #expect(h.run("GET", "k") == "$6\r\nsecond\r\n")
    #expect(h.run("HS.GETCTX", "k") != before)
    // A minute of wall time went back: the 1 s TTL now has 61 s left.
    #expect(h.run("PTTL", "ttl").hasPrefix(":6"))
    h.now = h.now.adding(milliseconds: 2_000)
    #expect(h.run("GET", "ttl") == "$1\r\nv\r\n")
    h.now = h.now.adding(milliseconds: 60_000)
    #expect(h.run("GET", "ttl") == "$-1\r\n")
}
