/// A node's settings, with their units. The command-line flags of `hearsay server` fill these.
public struct NodeSettings: Sendable {
    /// Clients must AUTH with this password when set (Redis `requirepass`).
    public var requirePassword: String? = nil
    /// Memory bound for keys, values, versions and tombstones in bytes; 0 = unbounded. Past
    /// it the node evicts keys as `evictionPolicy` says, or refuses writes with OOM.
    public var maxMemoryBytes: Int = 0
    /// Redis `maxmemory-policy` (noeviction, as Redis).
    public var evictionPolicy: EvictionPolicy = .noEviction
    /// Redis `maxmemory-samples`: keys sampled per eviction round (5).
    public var evictionSamples: Int = 5
    /// Redis `lfu-log-factor` (10) and `lfu-decay-time` in minutes (1).
    public var lfuLogFactor: Int = 10
    public var lfuDecayMinutes: Int = 1
    /// Partitions of the keyspace; a power of two, fixed when the cluster is created.
    public var partitionCount: Int = 256
    /// Keys that active expiry may remove per timer tick (the rest wait for the next tick).
    public var activeExpiryBudgetPerTick: Int = 2_000
    /// Active expiry timer period in milliseconds (Redis `hz` 10 = 100 ms).
    public var activeExpiryIntervalMilliseconds: Int64 = 100
    /// Seed of the node's random generator (RANDOMKEY, SPOP, probe order).
    public var randomSeed: UInt64 = 0x4865_6172_7361_79

    /// The id this process's writes carry in their dots; the driver draws a fresh one per start.
    public var writerID: UInt64 = 1
    /// A peer timestamp further ahead than this (milliseconds) is flagged, not adopted.
    public var maxClockSkewMilliseconds: Int64 = 500

    public init() {}

    /// How keys' access bits are kept under these settings.
    var accessTracking: AccessTracking {
        var tracking = AccessTracking()
        tracking.mode = evictionPolicy.tracksFrequency ? .frequency : .recency
        tracking.logFactor = lfuLogFactor
        tracking.decayMinutes = lfuDecayMinutes
        return tracking
    }
}
