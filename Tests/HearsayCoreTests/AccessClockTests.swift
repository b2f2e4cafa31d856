import Testing

@testable import HearsayCore

/// The access bits read as Redis's: LRU time with wraparound, the LFU counter's
/// logarithmic growth and its decay, and a header that did not grow to hold them.
@Suite struct AccessClockTests {
    @Test func headerStaysSixtyFourBytes() {
        #expect(MemoryLayout<EntryHeader>.stride == 64)
    }

    @Test func idleTimeCountsTenthsOfASecondAcrossTheClockWrapping() {
        let now = Instant(milliseconds: 5_000)
        #expect(AccessClock.idleMilliseconds(AccessClock.lruTicks(Instant(milliseconds: 2_000)), now: now) == 3_000)
        #expect(AccessClock.idleMilliseconds(AccessClock.lruTicks(Instant(milliseconds: 4_650)), now: now) == 400)
        // Accessed just before the 24-bit counter wrapped, read just after.
        let before = AccessClock.lruMax - 1
        #expect(AccessClock.idleMilliseconds(before, now: Instant(milliseconds: 300)) == 400)
    }

    /// Redis's documented growth at lfu-log-factor 10: about 10 after 100 hits, 18 after
    /// 1,000 (redis.conf's table). The coin flips are random, so the check has a margin.
    @Test func frequencyCounterGrowsLogarithmically() {
        var tracking = AccessTracking()
        tracking.mode = .frequency
        let now = Instant(milliseconds: 60_000)
        var rng = SeededGenerator(seed: 42)
        func counter(after hits: Int) -> UInt32 {
            var access = AccessClock.initial(tracking, now: now)
            for _ in 0..<hits {
                access = AccessClock.touched(access, tracking, now: now, random: rng.next())
            }
            return access & 255
        }
        #expect((8...13).contains(counter(after: 100)))
        #expect((15...21).contains(counter(after: 1_000)))
        #expect(counter(after: 0) == AccessClock.lfuInitial)
        tracking.logFactor = 0
        #expect(counter(after: 300) == 255)  // factor 0: every hit counts, up to the 8-bit cap
    }

    @Test func frequencyDecaysOnePerPeriodWithoutAccess() {
        var tracking = AccessTracking()
        tracking.mode = .frequency
        tracking.decayMinutes = 2
        let start = Instant(milliseconds: 10 * 60_000)
        let access = AccessClock.lfuSeconds(start) << 8 | 9
        #expect(AccessClock.decayedCounter(access, tracking, now: start.adding(milliseconds: 3 * 60_000)) == 8)
        #expect(AccessClock.decayedCounter(access, tracking, now: start.adding(milliseconds: 60 * 60_000)) == 0)
        tracking.decayMinutes = 0
        #expect(AccessClock.decayedCounter(access, tracking, now: start.adding(milliseconds: 60 * 60_000)) == 9)
        // The access time wraps after 2^16 seconds: idle time is read across the wrap.
        let late = AccessClock.lfuSeconds(Instant(milliseconds: 65_530_000)) << 8 | 9
        #expect(AccessClock.lfuIdleSeconds(late, now: Instant(milliseconds: 65_540_000)) == 9)
    }

    /// Among keys equally rare, the LFU ranking evicts the one idle longest first.
    @Test func equallyRareKeysRankByIdleTime() {
        var tracking = AccessTracking()
        tracking.mode = .frequency
        let now = Now(milliseconds: 100_000)
        func box(_ access: UInt32) -> EntryBox {
            Array("k".utf8).withUnsafeBytes { EntryBox.make(key: $0, hash: 1, valueCapacity: 0, access: access) }
        }
        let older = box(40 << 8 | 5)
        let newer = box(90 << 8 | 5)
        let frequent = box(10 << 8 | 9)
        let score = { (box: EntryBox) in Evictor.score(box, .rarity, tracking: tracking, now: now) }
        #expect(score(older) > score(newer) && score(newer) > score(frequent))
    }
}
