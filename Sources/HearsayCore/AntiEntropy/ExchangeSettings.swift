/// The bounds of one anti-entropy exchange. Every queue and message a session builds is
/// limited by these; what a bound cuts off is left for the next session (counted in
/// `ExchangeStats.deferredDropped`), never an error.
public struct ExchangeSettings: Equatable, Sendable {
    /// Upper bound on one message's encoded bytes. A single object larger than this still
    /// travels, alone in its message, as long as it fits `FrameDecoder`'s payload limit.
    public var maxMessageBytes: Int
    /// Objects per message, however small.
    public var maxObjectsPerMessage: Int
    /// Tree nodes (each with its up to 8 children) per message.
    public var maxNodesPerMessage: Int
    /// Work items (nodes to descend, key lists, pushes, pulls) a session queues; what does
    /// not fit is dropped and repaired by a later session. Bounds a session's memory.
    public var maxPendingItems: Int
    /// A differing node whose larger side holds at most this many keys is settled by key
    /// lists (4 bytes a key) rather than by descending (8 children of ~5 bytes each).
    public var keyListThreshold: Int
    /// How deep (in bits below the root) virtual levels go before key lists are forced.
    public var maxDepth: Int
    /// How long a session waits for the peer's next message before giving up.
    public var replyTimeoutMilliseconds: Int64

    public init(
        maxMessageBytes: Int = 64 << 10, maxObjectsPerMessage: Int = 256, maxNodesPerMessage: Int = 512,
        maxPendingItems: Int = 8_192, keyListThreshold: Int = 6, maxDepth: Int = 48,
        replyTimeoutMilliseconds: Int64 = 5_000
    ) {
        precondition(maxMessageBytes >= 1_024, "maxMessageBytes \(maxMessageBytes) below 1 KiB")
        precondition(
            maxObjectsPerMessage >= 1 && maxNodesPerMessage >= 1 && maxPendingItems >= 16,
            "bounds must allow progress")
        precondition(keyListThreshold >= 1 && maxDepth >= 8 && maxDepth <= 63, "depth/threshold out of range")
        self.maxMessageBytes = maxMessageBytes
        self.maxObjectsPerMessage = maxObjectsPerMessage
        self.maxNodesPerMessage = maxNodesPerMessage
        self.maxPendingItems = maxPendingItems
        self.keyListThreshold = keyListThreshold
        self.maxDepth = maxDepth
        self.replyTimeoutMilliseconds = replyTimeoutMilliseconds
    }

    /// Real clusters.
    public static let lan = ExchangeSettings()
    /// Simulations and tests: small messages so splitting and deferral get exercised.
    public static let simulation = ExchangeSettings(
        maxMessageBytes: 4 << 10, maxObjectsPerMessage: 16,
        maxNodesPerMessage: 32, maxPendingItems: 1_024,
        replyTimeoutMilliseconds: 500)
}
