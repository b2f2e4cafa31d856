import Testing

@testable import HearsayCore

struct ByteRateLimitTests {
    @Test func bucket_refillsAtTheRate_capsAtTheBurst_andLetsOneMessageOverdraw() {
        var bucket = ByteRateLimit(bytesPerSecond: 10_000)
        let start = Instant(milliseconds: 1_000)
        bucket.refill(now: start)
        #expect(bucket.tokens == 1_000 && bucket.allowsSending, "starts with the burst, a tenth of a second")
        bucket.take(5_000)
        #expect(!bucket.allowsSending && bucket.tokens == -4_000)
        bucket.refill(now: start.adding(milliseconds: 300))
        #expect(bucket.tokens == -1_000 && !bucket.allowsSending)
        bucket.refill(now: start.adding(milliseconds: 10_000))
        #expect(bucket.tokens == 1_000, "never above the burst")
        // Over 10 s of sending whenever allowed, 1,000-byte messages: within rate x time + burst + one message.
        var sent = 0
        var now = start.adding(milliseconds: 10_000)
        for _ in 0..<1_000 {
            now = now.adding(milliseconds: 10)
            bucket.refill(now: now)
            while bucket.allowsSending {
                bucket.take(1_000)
                sent += 1_000
            }
        }
        #expect(sent <= 10_000 * 10 + 1_000 + 1_000 && sent >= 10_000 * 10 - 1_000, "sent \(sent)")
        var open = ByteRateLimit(bytesPerSecond: 0)
        open.take(1 << 30)
        #expect(open.isUnlimited && open.allowsSending)
    }
}
