import Testing

@testable import HearsayCore

@Test func hybridLogicalClock_physicalTimeGoesBackwards_timestampsStillIncrease() {
    var clock = HybridLogicalClock()
    var rng = SeededGenerator(seed: 0x4C_0001)
    var previous = HybridTimestamp.zero
    for _ in 0..<10_000 {
        let physical = Instant(milliseconds: 1_700_000_000_000 + Int64.random(in: -50...50, using: &rng))
        let next = clock.now(physical: physical)
        #expect(next > previous, "seed=0x4C0001")
        previous = next
    }
}

@Test func hybridLogicalClock_physicalTimeAhead_usesItWithLogicalZero() {
    var clock = HybridLogicalClock()
    let t = clock.now(physical: Instant(milliseconds: 1_000))
    #expect(t.physicalMilliseconds == 1_000 && t.logical == 0)
    let u = clock.now(physical: Instant(milliseconds: 1_000))
    #expect(u.physicalMilliseconds == 1_000 && u.logical == 1)
}

@Test func hybridLogicalClock_logicalCounterFull_borrowsTheNextMillisecond() {
    var clock = HybridLogicalClock(latest: HybridTimestamp(physicalMilliseconds: 5, logical: .max))
    let t = clock.now(physical: Instant(milliseconds: 5))
    #expect(t.physicalMilliseconds == 6 && t.logical == 0)
}

@Test func hybridLogicalClock_observeRemoteWithinBound_adoptsItSoTheNextEventIsLater() {
    var clock = HybridLogicalClock(maxSkewMilliseconds: 100)
    let remote = HybridTimestamp(physicalMilliseconds: 1_050, logical: 3)
    let observation = clock.observe(remote, physical: Instant(milliseconds: 1_000))
    #expect(observation == SkewObservation(aheadMilliseconds: 50, exceedsBound: false, adopted: true))
    #expect(clock.now(physical: Instant(milliseconds: 1_000)) > remote)
}

@Test func hybridLogicalClock_observeRemoteBeyondBound_flagsTheSkewAndDoesNotAdoptIt() {
    var clock = HybridLogicalClock(maxSkewMilliseconds: 100)
    let remote = HybridTimestamp(physicalMilliseconds: 10_000, logical: 0)
    let observation = clock.observe(remote, physical: Instant(milliseconds: 1_000))
    #expect(observation.exceedsBound && !observation.adopted && observation.aheadMilliseconds == 9_000)
    #expect(clock.now(physical: Instant(milliseconds: 1_000)).physicalMilliseconds == 1_000)
}

@Test func hybridLogicalClock_observeRemoteBehind_reportsNegativeSkewAndKeepsOwnTime() {
    var clock = HybridLogicalClock()
    let mine = clock.now(physical: Instant(milliseconds: 2_000))
    let remote = HybridTimestamp(physicalMilliseconds: 1_500, logical: 0)
    let observation = clock.observe(remote, physical: Instant(milliseconds: 2_000))
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
