/// Redis's `maxmemory-policy`: what a node does when a write would take it past
/// `maxmemory`. `noeviction` refuses the write with OOM; the others remove keys first,
/// chosen among all keys or among those with an expiry (`volatile-*`), by approximated
/// least-recent use, least-frequent use, nearest expiry or at random.
public enum EvictionPolicy: String, CaseIterable, Sendable {
    case noEviction = "noeviction"
    case allKeysLRU = "allkeys-lru"
    case allKeysLFU = "allkeys-lfu"
    case allKeysRandom = "allkeys-random"
    case volatileLRU = "volatile-lru"
    case volatileLFU = "volatile-lfu"
    case volatileRandom = "volatile-random"
    case volatileTTL = "volatile-ttl"

    /// Parses a policy name as CONFIG SET and the command line take it (any case).
    public init?(name: String) {
        self.init(rawValue: name.lowercased())
    }

    public var name: String { rawValue }

    /// Only keys with an expiry may be evicted.
    public var volatileOnly: Bool {
        switch self {
        case .volatileLRU, .volatileLFU, .volatileRandom, .volatileTTL: true
        default: false
        }
    }

    /// Keys' access bits count accesses (LFU) instead of holding the last access time.
    public var tracksFrequency: Bool { self == .allKeysLFU || self == .volatileLFU }

    var ranking: Ranking {
        switch self {
        case .noEviction: .none
        case .allKeysLRU, .volatileLRU: .idle
        case .allKeysLFU, .volatileLFU: .rarity
        case .allKeysRandom, .volatileRandom: .random
        case .volatileTTL: .nearestExpiry
        }
    }

    /// How sampled candidates are ranked: a higher score is evicted first.
    enum Ranking {
        case none, idle, rarity, random, nearestExpiry
    }
}
