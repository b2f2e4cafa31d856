/// Chooses which keys to evict, as Redis's evict.c does: each round samples
/// `samples` keys (all keys, or those with an expiry), ranks them by the policy, and keeps
/// the best 16 candidates seen so far in a pool, so that over rounds the choice approaches
/// the true least-recently (or least-frequently) used key at a fraction of its cost. The
/// random policies take a sampled key as it comes.
///
/// The evictor only chooses: the store removes the key (see `Store.makeRoom`).
/// Bounds: the pool holds 16 entries, the sample buffer `samples` (at most 64).
public struct Evictor {
    public internal(set) var policy: EvictionPolicy = .noEviction
    /// Redis `maxmemory-samples` (5), at most 64 here.
    public internal(set) var samples = 5
    /// Keys evicted since start (INFO `evicted_keys`).
    public internal(set) var evictedKeys = 0

    static let poolSize = 16
    public static let maximumSamples = 64

    struct Candidate {
        var score: UInt64
        var box: EntryBox
    }

    /// Ascending by score: the best candidate is last.
    var pool: [Candidate] = []
    var sampled: [EntryBox] = []
    var rng: SeededGenerator

    init(seed: UInt64) {
        rng = SeededGenerator(seed: seed ^ 0x6576_6963_7469_6F6E)
        pool.reserveCapacity(Evictor.poolSize)
    }

    mutating func configure(policy: EvictionPolicy, samples: Int) {
        if policy != self.policy { pool.removeAll(keepingCapacity: true) }
        self.policy = policy
        self.samples = min(max(samples, 1), Evictor.maximumSamples)
    }

    /// The next key to evict, or nil when the policy may evict none (noeviction, or no
    /// key it applies to holds a value).
    mutating func nextVictim(in keyspace: Keyspace, tracking: AccessTracking, now: Now) -> EntryBox? {
        let ranking = policy.ranking
        if ranking == .none { return nil }
        // A few rounds: a sample can miss every key (a sparse region, or stale heap items).
        for _ in 0..<8 {
            sampled.removeAll(keepingCapacity: true)
            keyspace.sample(samples, volatileOnly: policy.volatileOnly, now: now, using: &rng, into: &sampled)
            if ranking == .random {
                if let box = sampled.first { return box }
                continue
            }
            for box in sampled {
                insert(Candidate(score: Evictor.score(box, ranking, tracking: tracking, now: now), box: box))
            }
            while let best = pool.popLast() {
                if best.box.header.isLive && Keyspace.holdsValue(best.box, now: now) { return best.box }
            }
        }
        return nil
    }

    /// Higher is evicted first.
    static func score(_ box: EntryBox, _ ranking: EvictionPolicy.Ranking, tracking: AccessTracking, now: Now)
        -> UInt64
    {
        switch ranking {
        case .idle:
            return UInt64(AccessClock.idleMilliseconds(box.header.access, now: now.monotonic))
        case .rarity:
            // The rarest first; among equally rare keys, the one idle longest.
            let access = box.header.access
            let rarity = 255 - UInt64(AccessClock.decayedCounter(access, tracking, now: now.monotonic))
            return rarity << 16 | UInt64(AccessClock.lfuIdleSeconds(access, now: now.monotonic))
        case .nearestExpiry:
            return UInt64.max - UInt64(max(0, box.header.expiresAtMilliseconds))
        case .none, .random:
            return 0
        }
    }

    /// Puts a candidate in the pool in score order, keeping the 16 best; a key already
    /// pooled is not added twice.
    mutating func insert(_ candidate: Candidate) {
        if pool.contains(where: { $0.box === candidate.box }) { return }
        if pool.count == Evictor.poolSize {
            guard candidate.score > pool[0].score else { return }
            pool.removeFirst()
        }
        var i = pool.count
        while i > 0 && pool[i - 1].score > candidate.score { i -= 1 }
        pool.insert(candidate, at: i)
    }

    mutating func noteEvicted() { evictedKeys += 1 }

    /// Forgets pooled candidates (FLUSHALL: they hold entries that left the store).
    mutating func clearPool() { pool.removeAll(keepingCapacity: true) }
}
